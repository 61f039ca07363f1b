"""Planning, pure: which reminders are due on a day, on which channel, at what time, or why not.

A function of the facts (debtors, what they owe, what they were already sent) and the day; no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from bot.calendario import fuso
from bot.config.regua import Alvo, Condicoes, Modelo, Passo, Regua, UltimaResposta
from bot.formatos import brl, data_br, primeiro_nome
from bot.porta import TipoCanal
from bot.regua.politica_contato import Adiado, Decisao, Descartado, Impedimento, Liberado, decidir


@dataclass(frozen=True, slots=True)
class VarianteDoPasso:
    """An experiment's variant for one step of one debtor, resolved outside the planner (`resultados.variantes`)."""

    rotulo: str  # "experimento:variante", recorded with the reminder
    modelos: Mapping[TipoCanal, Modelo] = field(default_factory=dict)  # empty: the step's own (reference, hold-out)


@dataclass(frozen=True, slots=True)
class DevedorRegua:
    id: int
    cpf: str
    nome: str
    uf: str
    segmento: str | None = None
    telefone: str | None = None
    telegram_id: str | None = None
    email: str | None = None
    telefone_invalido: bool = False
    optout_em: datetime | None = None
    ultima_entrada: datetime | None = None
    tem_acordo: bool = False
    pausa: str | None = None  # dispute, "já paguei", an agent owns the chat
    variantes: Mapping[str, VarianteDoPasso] = field(default_factory=dict)  # by step name

    def destino(self, canal: TipoCanal) -> str | None:
        if canal in (TipoCanal.WHATSAPP, TipoCanal.SMS):
            return None if self.telefone_invalido else self.telefone
        if canal == TipoCanal.TELEGRAM:
            return self.telegram_id
        return self.email if canal == TipoCanal.EMAIL else None

    def impedimento(self) -> Impedimento:
        if self.optout_em is not None:
            return Impedimento(obsoleto=f"opt-out em {data_br(self.optout_em.date())}")
        return Impedimento(pausa=f"pausa: {self.pausa}" if self.pausa else None)


@dataclass(frozen=True, slots=True)
class Cobravel:
    """Something a step reminds of: an open installment, an open agreement installment or a broken agreement."""

    alvo: Alvo
    ref: int
    devedor_id: int
    vencimento: date
    valor: Decimal
    numero: int = 1
    total: int = 1
    contrato: str = ""
    atraso_dias: int = 0  # of the debtor's oldest open original installment, on the planned day

    @property
    def chave(self) -> str:
        return f"{self.alvo.value}:{self.ref}"


@dataclass(frozen=True, slots=True)
class Pedido:
    """A due reminder: the step, the first channel the debtor can be reached on, and what to say there."""

    item: Cobravel
    devedor: DevedorRegua
    passo: Passo
    canal: TipoCanal
    destino: str
    dia: date
    variaveis: Mapping[str, str] = field(default_factory=dict)

    @property
    def chave(self) -> str:
        return f"{self.item.chave}|{self.passo.nome}|{self.canal.value}"

    @property
    def variante(self) -> VarianteDoPasso | None:
        return self.devedor.variantes.get(self.passo.nome)

    @property
    def modelo(self) -> Modelo:
        """What this step sends on this channel: the debtor's variant of it, else the step's own."""
        variante = self.variante
        if variante is not None and self.canal in variante.modelos:
            return variante.modelos[self.canal]
        return self.passo.modelos[self.canal]

    def conteudo(self) -> tuple[str, str | None, tuple[str, ...]]:
        """Free text, the approved template's name and its parameters, filled in."""
        modelo = self.modelo
        texto = modelo.texto.format_map(self.variaveis)
        return texto, modelo.modelo, tuple(self.variaveis[p] for p in modelo.parametros)


@dataclass(frozen=True, slots=True)
class Linha:
    """One line of a day's plan: a reminder and the policy's decision on it."""

    pedido: Pedido | None
    item: Cobravel
    passo: Passo
    devedor: DevedorRegua
    quando: datetime | None
    motivo: str | None  # set when blocked (deferred to another day or dropped)


def condicoes_ok(c: Condicoes, devedor: DevedorRegua, item: Cobravel, dia: date) -> bool:
    """Every condition of the fixed vocabulary that is set holds."""
    ultima = None if devedor.ultima_entrada is None else devedor.ultima_entrada.astimezone(fuso(devedor.uf)).date()
    dias_sem = None if ultima is None else (dia - ultima).days
    verificacoes = (
        not c.segmento or devedor.segmento in c.segmento,
        c.valor_min is None or item.valor >= c.valor_min,
        c.valor_max is None or item.valor <= c.valor_max,
        c.dias_atraso_min is None or item.atraso_dias >= c.dias_atraso_min,
        c.dias_atraso_max is None or item.atraso_dias <= c.dias_atraso_max,
        c.tem_acordo is None or devedor.tem_acordo == c.tem_acordo,
        c.ultima_resposta is None or (devedor.ultima_entrada is None) == (c.ultima_resposta == UltimaResposta.NENHUMA),
        c.dias_sem_resposta_min is None or dias_sem is None or dias_sem >= c.dias_sem_resposta_min,
    )
    return all(verificacoes)


_valor = lru_cache(maxsize=4096)(brl)  # Babel takes ~0.1 ms an amount; a day's plan repeats few amounts


def variaveis(devedor: DevedorRegua, item: Cobravel, credor: str, dia: date) -> dict[str, str]:
    return {
        "primeiro_nome": primeiro_nome(devedor.nome),
        "credor": credor,
        "vencimento": data_br(item.vencimento),
        "parcela": str(item.numero),
        "total_parcelas": str(item.total),
        "contrato": item.contrato,
        "dias": str(abs((dia - item.vencimento).days)),
        "valor": _valor(item.valor),
    }


def datas_devidas(regua: Regua, alvo: Alvo, dia: date) -> set[date]:
    """The due dates whose items of `alvo` some step reminds of on `dia`: planning reads only those."""
    return {dia - timedelta(days=passo.dia) for passo in regua.passos if passo.alvo == alvo}


def devidos(
    regua: Regua, devedores: Mapping[int, DevedorRegua], itens: Iterable[Cobravel], dia: date, credor: str
) -> list[tuple[Cobravel, Passo, DevedorRegua, Pedido | None]]:
    """Steps due on `dia`, each with its request, or None when the debtor has no channel of the step."""
    resultado: list[tuple[Cobravel, Passo, DevedorRegua, Pedido | None]] = []
    for item in itens:
        devedor = devedores[item.devedor_id]
        for passo in regua.passos:
            if passo.alvo != item.alvo or item.vencimento + timedelta(days=passo.dia) != dia:
                continue
            if not condicoes_ok(passo.condicoes, devedor, item, dia):
                continue
            resultado.append((item, passo, devedor, _pedido(passo, devedor, item, dia, credor)))
    return resultado


def _pedido(passo: Passo, devedor: DevedorRegua, item: Cobravel, dia: date, credor: str) -> Pedido | None:
    for canal in passo.canais:
        destino = devedor.destino(canal)
        if destino:
            return Pedido(item, devedor, passo, canal, destino, dia, variaveis(devedor, item, credor, dia))
    return None


def inicio_da_janela(regua: Regua, uf: str, dia: date) -> datetime:
    """The first allowed hour of `dia` in the debtor's zone (whether or not the day itself is allowed)."""
    return datetime.combine(dia, time(regua.politica.horario_de(uf).inicio), fuso(uf))


def prazo(regua: Regua, pedido: Pedido) -> datetime:
    """After this, a deferred reminder no longer makes sense and is dropped."""
    fim = pedido.dia + timedelta(days=regua.politica.validade_dias + 1)
    return datetime.combine(fim, time(0), fuso(pedido.devedor.uf))


def planejar(
    regua: Regua,
    devedores: Mapping[int, DevedorRegua],
    itens: Iterable[Cobravel],
    dia: date,
    credor: str,
    historico: Mapping[int, Sequence[datetime]],
    agora: datetime | None = None,
) -> list[Linha]:
    """The plan for `dia`: each due reminder at its moment that day, or why it cannot go out that day.

    `historico` holds each debtor's contacts already made or scheduled; contacts planned here count too.
    """
    contatos = {k: list(v) for k, v in historico.items()}
    linhas = []
    for item, passo, devedor, pedido in devidos(regua, devedores, itens, dia, credor):
        if pedido is None:
            linhas.append(Linha(None, item, passo, devedor, None, f"sem destino para {', '.join(passo.canais)}"))
            continue
        desde = inicio_da_janela(regua, devedor.uf, dia)
        if agora is not None:
            desde = max(desde, agora.astimezone(desde.tzinfo))
        envios = contatos.setdefault(devedor.id, [])
        decisao = decidir(regua.politica, devedor.uf, desde, envios, devedor.impedimento(), prazo(regua, pedido))
        linha = _linha(pedido, decisao, desde)
        if linha.quando is not None:
            envios.append(linha.quando)
        linhas.append(linha)
    return linhas


def _linha(pedido: Pedido, decisao: Decisao, desde: datetime) -> Linha:
    base = (pedido, pedido.item, pedido.passo, pedido.devedor)
    if isinstance(decisao, Liberado):
        return Linha(*base, desde, None)
    if isinstance(decisao, Adiado):  # the plan's day, in the debtor's zone, whatever zone the caller's clock is in
        mesmo_dia = decisao.quando.astimezone(fuso(pedido.devedor.uf)).date() == pedido.dia
        return Linha(*base, decisao.quando, None if mesmo_dia else decisao.motivo)
    assert isinstance(decisao, Descartado)
    return Linha(*base, None, decisao.motivo)
