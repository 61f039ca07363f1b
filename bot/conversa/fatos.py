"""What the engine reads (facts, memory, the debtor's message) and what it returns (a decision)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from bot.conversa.modelo import Opcao
from bot.negociacao.plano import Plano, PlanoDict, decimal_de_texto
from bot.negociacao.politica import LivroOfertas
from bot.negociacao.saldo import ParcelaAberta


@dataclass(frozen=True)
class DevedorFatos:
    nome: str
    cpf: str
    uf: str
    nascimento: date | None = None
    segmento: str | None = None


@dataclass(frozen=True)
class DocumentoAtivo:
    """The payable document of an active agreement's first open installment (its page still opens)."""

    id: int
    parcela: int
    de: int
    valor: Decimal
    vencimento: date
    linha_digitavel: str
    pix: str
    link: str


@dataclass(frozen=True)
class AcordoAtivo:
    """An agreement the debtor already has: shown instead of negotiating again.

    `documento` is None while its first open installment has no payable document (an expired page the bot
    was not asked to renew, or a PSP charge not issued yet).
    """

    numero: int
    plano: Plano
    documento: DocumentoAtivo | None = None
    documento_vencido: bool = False  # its page expired and the bot was not asked for a new one


@dataclass(frozen=True)
class Variacao:
    """The debtor's experiment variants for the conversation, resolved by the adapter (`resultados.variantes`)."""

    rotulo: str  # "experimento:variante[,…]", recorded with every reply and agreement
    mensagens: Mapping[str, str] = field(default_factory=dict)  # a message's template → the variant's template
    livro: LivroOfertas | None = None  # the variant's offer book (within the configured one); None: the configured


@dataclass(frozen=True)
class Fatos:
    """Everything the engine may know about the debtor, loaded by the adapter before a step."""

    conversa_id: int
    devedor: DevedorFatos
    parcelas: tuple[ParcelaAberta, ...]
    acordo_ativo: AcordoAtivo | None = None
    variacao: Variacao | None = None

    def livro(self, configurado: LivroOfertas) -> LivroOfertas:
        """The offer book the debtor negotiates with: their experiment variant's, else the configured one."""
        variado = None if self.variacao is None else self.variacao.livro
        return configurado if variado is None else variado

    def mensagem(self, nome: str) -> str:
        """The template the debtor's variant uses for message `nome`."""
        return nome if self.variacao is None else self.variacao.mensagens.get(nome, nome)


@dataclass(frozen=True)
class Entrada:
    """One debtor message: its text and, for a button press, the intent the button stands for.

    `sugestao`: an intent an outside adviser (the optional LLM) read when the local model was unsure; the engine
    weighs it as a doubtful reading, so it never registers an agreement or an opt-out on its own.
    `falada`: the text is a voice note's transcript (`bot/canais/notas_de_voz.py`); a speech-to-text slip must not close
    a deal or stop the messages, so every costly intent heard in audio is asked back first.
    """

    texto: str
    opcao: str | None = None
    sugestao: str | None = None
    falada: bool = False  # transcribed from a voice note: a costly intent is confirmed before it is acted on


@dataclass(frozen=True)
class PropostaFeita:
    """The debtor's own proposal ("consigo 100 por mês"), as read from their message, and whether the book met it."""

    texto: str
    valor_parcela: Decimal | None = None
    parcelas: int | None = None
    valor_total: Decimal | None = None
    atendida: bool = False

    def para_dict(self) -> PropostaDict:
        """JSON form (memory and events): amounts as strings, like the plan's."""
        return {
            "texto": self.texto,
            "valor_parcela": _texto_ou_nada(self.valor_parcela),
            "parcelas": self.parcelas,
            "valor_total": _texto_ou_nada(self.valor_total),
            "atendida": self.atendida,
        }

    @classmethod
    def de_dict(cls, dados: Mapping[str, Any]) -> PropostaFeita:
        """Read back `para_dict()`; raises ValueError naming what is wrong."""
        try:
            parcelas = dados.get("parcelas")
            return cls(
                texto=str(dados["texto"]),
                valor_parcela=_decimal_ou_nada(dados.get("valor_parcela")),
                parcelas=None if parcelas is None else int(parcelas),
                valor_total=_decimal_ou_nada(dados.get("valor_total")),
                atendida=bool(dados.get("atendida", False)),
            )
        except KeyError as erro:
            raise ValueError(f"proposta inválida: falta a chave {erro}") from erro
        except (TypeError, ValueError) as erro:
            raise ValueError(f"proposta inválida: {erro}") from erro


class PropostaDict(TypedDict):
    texto: str
    valor_parcela: str | None
    parcelas: int | None
    valor_total: str | None
    atendida: bool


class MemoriaDict(TypedDict):
    """The stored form of `Memoria` (the JSON column `conversa.memoria`); its keys and values never change meaning."""

    identidade_ok: bool
    fatores_ok: list[str]
    falhas_identidade: int
    incompreensoes: int
    motivo: str | None
    opcao: int | None
    nivel: int
    plano: PlanoDict | None
    concessao: bool
    proposta: PropostaDict | None
    primeiro_vencimento: str | None
    acordos: int
    acordo: PlanoDict | None
    ultima_atividade: str | None


@dataclass(frozen=True)
class Memoria:
    """What the conversation remembers between messages; updated with `dataclasses.replace`, stored as JSON.

    `plano` is the offer on the table, `acordo` the plan the debtor confirmed last, `primeiro_vencimento` the first
    due date they asked for, `ultima_atividade` when the conversation last moved (a session expires after it).
    """

    identidade_ok: bool = False
    fatores_ok: tuple[str, ...] = ()
    falhas_identidade: int = 0
    incompreensoes: int = 0
    motivo: str | None = None
    opcao: int | None = None
    nivel: int = -1
    plano: Plano | None = None
    concessao: bool = False
    proposta: PropostaFeita | None = None
    primeiro_vencimento: date | None = None
    acordos: int = 0
    acordo: Plano | None = None
    ultima_atividade: datetime | None = None

    def para_dict(self) -> MemoriaDict:
        """The JSON form stored with the conversation (the same keys and formats since the first version)."""
        return {
            "identidade_ok": self.identidade_ok,
            "fatores_ok": list(self.fatores_ok),
            "falhas_identidade": self.falhas_identidade,
            "incompreensoes": self.incompreensoes,
            "motivo": self.motivo,
            "opcao": self.opcao,
            "nivel": self.nivel,
            "plano": None if self.plano is None else self.plano.para_dict(),
            "concessao": self.concessao,
            "proposta": None if self.proposta is None else self.proposta.para_dict(),
            "primeiro_vencimento": None if self.primeiro_vencimento is None else self.primeiro_vencimento.isoformat(),
            "acordos": self.acordos,
            "acordo": None if self.acordo is None else self.acordo.para_dict(),
            "ultima_atividade": None if self.ultima_atividade is None else self.ultima_atividade.isoformat(),
        }

    @classmethod
    def de_dict(cls, dados: Mapping[str, Any] | None) -> Memoria:
        """Read the stored form back, tolerant of older versions: unknown keys are dropped, missing ones take
        defaults. A value that cannot be read raises ValueError naming its key (`memoria.plano: …`)."""
        if not dados:
            return cls()
        nomes = {f.name for f in fields(cls)}
        limpos = {k: v for k, v in dados.items() if k in nomes and v is not None}
        for chave, ler in _LEITORES.items():
            if chave in limpos:
                try:
                    limpos[chave] = ler(limpos[chave])
                except (TypeError, ValueError) as erro:
                    raise ValueError(f"memoria.{chave}: {erro}") from erro
        return cls(**limpos)

    def expirou(self, agora: datetime, horas: int) -> bool:
        if self.ultima_atividade is None:
            return False
        return (agora - self.ultima_atividade).total_seconds() > horas * 3600


def _fatores(valor: object) -> tuple[str, ...]:
    if not isinstance(valor, list) or not all(isinstance(f, str) for f in valor):
        raise TypeError(f"{valor!r} (esperada uma lista de textos, como ['cpf'])")
    return tuple(valor)


def _dia(valor: object) -> date:
    try:
        return date.fromisoformat(str(valor))
    except ValueError as erro:
        raise ValueError(f"{valor!r} (esperada uma data AAAA-MM-DD)") from erro


def _instante(valor: object) -> datetime:
    try:
        instante = datetime.fromisoformat(str(valor))
    except ValueError as erro:
        raise ValueError(f"{valor!r} (esperados data e hora ISO 8601, como 2026-11-23T14:00:00+00:00)") from erro
    if instante.tzinfo is None:  # compared with the aware clock, a naive one would fail at the next message
        raise ValueError(f"{valor!r} sem fuso horário (esperado como 2026-11-23T14:00:00+00:00)")
    return instante


def _do_tipo(tipo: type, esperado: str) -> Callable[[object], object]:
    def ler(valor: object) -> object:
        if not isinstance(valor, tipo) or (tipo is int and isinstance(valor, bool)):  # JSON's true is no number
            raise TypeError(f"{valor!r} (esperado {esperado})")
        return valor

    return ler


_INTEIRO = _do_tipo(int, "um número inteiro")
_SIM_OU_NAO = _do_tipo(bool, "true ou false")

# One reader per stored key: each checks its value and turns it into the field's type.
_LEITORES: dict[str, Callable[[Any], object]] = {
    "identidade_ok": _SIM_OU_NAO,
    "fatores_ok": _fatores,
    "falhas_identidade": _INTEIRO,
    "incompreensoes": _INTEIRO,
    "motivo": _do_tipo(str, "um texto"),
    "opcao": _INTEIRO,
    "nivel": _INTEIRO,
    "concessao": _SIM_OU_NAO,
    "acordos": _INTEIRO,
    "plano": Plano.de_dict,
    "acordo": Plano.de_dict,
    "proposta": PropostaFeita.de_dict,
    "primeiro_vencimento": _dia,
    "ultima_atividade": _instante,
}


def _texto_ou_nada(valor: Decimal | None) -> str | None:
    return None if valor is None else str(valor)


def _decimal_ou_nada(valor: object) -> Decimal | None:
    return None if valor is None else decimal_de_texto(valor)


@dataclass(frozen=True)
class Resposta:
    """One message to the debtor; `documento` is the payment document it shows (its PDF goes with it)."""

    texto: str
    opcoes: tuple[Opcao, ...] = ()
    documento: int | None = None
    mensagem_id: int | None = None  # set by the adapter: the stored row, the key the channel sends it under


@dataclass(frozen=True)
class RegistrarEvento:
    tipo: str
    dados: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transferir:
    motivo: str
    dados: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PausarCobranca:
    motivo: str


@dataclass(frozen=True)
class OptOut:
    texto: str


@dataclass(frozen=True)
class NumeroErrado:
    texto: str


@dataclass(frozen=True)
class NovoAcordo:
    """Store the agreement (idempotent on `chave`); the adapter has `bot.pagamentos` issue its first document."""

    chave: str
    plano: Plano
    origem: tuple[int, ...]


Efeito = RegistrarEvento | Transferir | PausarCobranca | OptOut | NumeroErrado | NovoAcordo


@dataclass(frozen=True)
class Decisao:
    estado: str
    memoria: Memoria
    respostas: tuple[Resposta, ...]
    efeitos: tuple[Efeito, ...]
    intencao: str | None = None
    variante: str | None = None  # the experiments' variants it was decided under (`Variacao.rotulo`), recorded

    @property
    def transferida(self) -> bool:
        return any(isinstance(e, Transferir) for e in self.efeitos)
