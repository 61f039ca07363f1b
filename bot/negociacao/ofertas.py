"""Offers from the offer book: pick the tier, build a payment plan, weigh a debtor's counter-proposal.

Pure functions of (balance, book, today). A plan never leaves its tier: discounts within the option's
percentages, 2..parcelas_max parcels, entry ≥ entrada_min %, every parcel ≥ parcela_min, first due date
within prazo_max_dias and every due date on a business day of the debtor's UF.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from bot.calendario import dia_util, proximo_dia_util
from bot.formatos import CENTAVO, brl, centavos, data_br
from bot.negociacao.plano import ParcelaPlano, Plano, PlanoImpossivel
from bot.negociacao.politica import Faixa, LivroOfertas, OpcaoAVista, OpcaoParcelado
from bot.negociacao.saldo import ZERO, Saldo

# The plan types live in `plano`; listed here too so `from bot.negociacao.ofertas import Plano` keeps working.
__all__ = [
    "ParcelaPlano",
    "Plano",
    "PlanoImpossivel",
    "Proposta",
    "ResultadoProposta",
    "avaliar_proposta",
    "desconto_maximo",
    "escolher_faixa",
    "montar_plano",
]


def escolher_faixa(livro: LivroOfertas, saldo: Saldo, segmento: str | None) -> Faixa | None:
    """The first tier covering the balance's worst delay, its total and the debtor's segment, or None.

    Nothing overdue means nothing to negotiate, so an empty balance gets no tier.
    """
    if not saldo.linhas:
        return None
    return next((faixa for faixa in livro.faixas if _cobre(faixa, saldo, segmento)), None)


def _cobre(faixa: Faixa, saldo: Saldo, segmento: str | None) -> bool:
    dias, valor = saldo.dias_atraso_max, saldo.total
    return (
        faixa.dias_atraso_min <= dias
        and (faixa.dias_atraso_max is None or dias <= faixa.dias_atraso_max)
        and faixa.valor_min <= valor
        and (faixa.valor_max is None or valor <= faixa.valor_max)
        and (faixa.segmento is None or faixa.segmento == segmento)
    )


def montar_plano(
    faixa: Faixa,
    opcao: int,
    saldo: Saldo,
    hoje: date,
    uf: str | None,
    livro: LivroOfertas,
    parcelas: int | None = None,
    primeiro_vencimento: date | None = None,
) -> Plano:
    """The plan of option `opcao` (0-based) of `faixa` for the balance.

    `parcelas=None` takes the most parcels the option allows with every parcel ≥ parcela_min.
    Raises PlanoImpossivel when the balance, the parcel count or the first due date leave the tier.
    """
    escolhida = _opcao(faixa, opcao)
    if not saldo.linhas:
        raise PlanoImpossivel("não há saldo em atraso para negociar")
    desconto = _desconto(escolhida, saldo)
    negociado = saldo.total - desconto
    inicio = _primeiro_vencimento(hoje, livro, primeiro_vencimento)
    if isinstance(escolhida, OpcaoAVista):
        if parcelas not in (None, 1):
            raise PlanoImpossivel("esta opção é à vista, em parcela única")
        valores, taxa = [negociado], ZERO
    else:
        valores, taxa = _valores_parcelado(escolhida, negociado, parcelas), escolhida.juros_mensal_percentual
    vencimentos = _vencimentos(inicio, len(valores), uf)
    vencimentos[0] = _primeiro_dentro_do_prazo(vencimentos[0], hoje, livro, uf)
    return Plano(
        faixa=faixa.nome,
        opcao=opcao,
        tipo=escolhida.tipo,
        valor_original=saldo.total,
        desconto=desconto,
        valor_negociado=negociado,
        juros_mensal_percentual=taxa,
        parcelas=tuple(
            ParcelaPlano(numero, valor, vencimento)
            for numero, (valor, vencimento) in enumerate(zip(valores, vencimentos, strict=True), 1)
        ),
    )


def _opcao(faixa: Faixa, opcao: int) -> OpcaoAVista | OpcaoParcelado:
    if not 0 <= opcao < len(faixa.opcoes):
        raise PlanoImpossivel(f"a faixa {faixa.nome!r} não tem a opção {opcao} (tem {len(faixa.opcoes)})")
    return faixa.opcoes[opcao]


def desconto_maximo(faixa: Faixa, saldo: Saldo) -> Decimal:
    """The largest discount any option of the tier grants on this balance (the book's limit for it)."""
    return max(_desconto(opcao, saldo) for opcao in faixa.opcoes)


def _desconto(opcao: OpcaoAVista | OpcaoParcelado, saldo: Saldo) -> Decimal:
    # Rounded down per part so the discount never exceeds the percentages the manager set.
    partes = (
        (saldo.juros, opcao.desconto_juros),
        (saldo.multa, opcao.desconto_multa),
        (saldo.principal, opcao.desconto_principal),
    )
    return sum((_arredondar(valor * percentual / 100, ROUND_FLOOR) for valor, percentual in partes), ZERO)


def _arredondar(valor: Decimal, modo: str) -> Decimal:
    return valor.quantize(CENTAVO, rounding=modo)


def _primeiro_vencimento(hoje: date, livro: LivroOfertas, pedido: date | None) -> date:
    if pedido is None:
        return hoje + timedelta(days=livro.dias_para_pagamento)
    if pedido < hoje:
        raise PlanoImpossivel(f"a data {data_br(pedido)} já passou")
    limite = hoje + timedelta(days=livro.prazo_max_dias)
    if pedido > limite:
        raise PlanoImpossivel(f"o primeiro vencimento pode ser até {data_br(limite)} (pedido: {data_br(pedido)})")
    return pedido


def _primeiro_dentro_do_prazo(primeiro: date, hoje: date, livro: LivroOfertas, uf: str | None) -> date:
    """A first due date moved to the next business day must still fall within `prazo_max_dias`: if it does not,
    the business day before the asked one is used instead (never before today)."""
    limite = hoje + timedelta(days=livro.prazo_max_dias)
    if primeiro <= limite:
        return primeiro
    anterior = limite
    while not dia_util(anterior, uf):
        anterior -= timedelta(days=1)
    if anterior < hoje:
        raise PlanoImpossivel(f"não há dia útil entre hoje e {data_br(limite)} para o primeiro vencimento")
    return anterior


def _vencimentos(inicio: date, quantidade: int, uf: str | None) -> list[date]:
    # Months count from the asked date, not from the business day it moved to, so the day of month holds.
    return [proximo_dia_util(_somar_meses(inicio, meses), uf) for meses in range(quantidade)]


def _somar_meses(dia: date, meses: int) -> date:
    ano, mes = divmod(dia.month - 1 + meses, 12)
    ano += dia.year
    return date(ano, mes + 1, min(dia.day, calendar.monthrange(ano, mes + 1)[1]))


def _valores_parcelado(opcao: OpcaoParcelado, negociado: Decimal, parcelas: int | None) -> list[Decimal]:
    if parcelas is None:
        tabelas = list(_tabelas(opcao, negociado))
        if not tabelas:
            raise PlanoImpossivel(
                f"o valor de {brl(negociado)} não cabe em parcelas de pelo menos {brl(opcao.parcela_min)}"
            )
        return tabelas[-1]
    if not 2 <= parcelas <= opcao.parcelas_max:
        raise PlanoImpossivel(f"esta opção permite de 2 a {opcao.parcelas_max} parcelas (pedido: {parcelas})")
    valores = _tabela(opcao, negociado, parcelas)
    if min(valores) < opcao.parcela_min:
        raise PlanoImpossivel(f"em {parcelas} parcelas, cada uma ficaria abaixo do mínimo de {brl(opcao.parcela_min)}")
    return valores


def _tabelas(opcao: OpcaoParcelado, negociado: Decimal) -> Iterator[list[Decimal]]:
    """The admissible parcel tables of the option, by number of parcels (every parcel ≥ parcela_min)."""
    for quantidade in range(2, opcao.parcelas_max + 1):
        valores = _tabela(opcao, negociado, quantidade)
        if min(valores) >= opcao.parcela_min:
            yield valores


def _tabela(opcao: OpcaoParcelado, negociado: Decimal, quantidade: int) -> list[Decimal]:
    """Entry, then equal monthly parcels (Price) amortizing the rest; the last one absorbs the rounding.

    The entry is the larger of entrada_min % (rounded up) and the level payment of all `quantidade` parcels.
    """
    taxa = opcao.juros_mensal_percentual / 100
    entrada = max(
        _arredondar(negociado * opcao.entrada_min_percentual / 100, ROUND_CEILING),
        centavos(_prestacao(negociado, quantidade, taxa) / (1 + taxa)),
    )
    financiado = negociado - entrada
    regular = centavos(_prestacao(financiado, quantidade - 1, taxa))
    restante = financiado
    for _ in range(quantidade - 2):
        restante = restante * (1 + taxa) - regular
    return [entrada, *[regular] * (quantidade - 2), centavos(restante * (1 + taxa))]


def _prestacao(valor: Decimal, quantidade: int, taxa: Decimal) -> Decimal:
    """Price (PMT): the level payment of `quantidade` monthly parcels, the first one month from now."""
    if taxa == 0:
        return valor / quantidade
    return valor * taxa / (1 - (1 + taxa) ** -quantidade)


@dataclass(frozen=True)
class Proposta:
    """What the debtor asked: "consigo 200 por mês", "em 10 vezes", "pago 500 à vista".

    `parcelas=1`, or only `valor_total`, asks to pay at once; `valor_total` with `parcelas` ≥ 2 reads as
    "pago 1.200 em 6 vezes" (a parcel of valor_total / parcelas).
    """

    valor_parcela: Decimal | None = None
    parcelas: int | None = None
    valor_total: Decimal | None = None

    def __post_init__(self) -> None:
        if self.valor_parcela is None and self.parcelas is None and self.valor_total is None:
            raise ValueError("proposta vazia: informe valor da parcela, número de parcelas ou valor total")
        if self.parcelas is not None and self.parcelas < 1:
            raise ValueError(f"número de parcelas inválido: {self.parcelas}")
        for valor in (self.valor_parcela, self.valor_total):
            if valor is not None and valor <= 0:
                raise ValueError(f"valor inválido na proposta: {valor}")

    @property
    def a_vista(self) -> bool:
        return self.parcelas == 1 or (self.parcelas is None and self.valor_parcela is None)

    @property
    def limite_parcela(self) -> Decimal | None:
        if self.valor_parcela is not None or self.valor_total is None or self.parcelas is None:
            return self.valor_parcela
        return self.valor_total / self.parcelas


@dataclass(frozen=True)
class ResultadoProposta:
    """The plan to offer back; `atende` says whether it meets everything the debtor asked."""

    plano: Plano
    atende: bool


def avaliar_proposta(
    faixa: Faixa,
    saldo: Saldo,
    proposta: Proposta,
    hoje: date,
    uf: str | None,
    livro: LivroOfertas,
    primeiro_vencimento: date | None = None,
) -> ResultadoProposta | None:
    """The tier's answer to a counter-proposal, or None when the tier has no feasible option of that kind.

    `primeiro_vencimento`: the first due date the debtor asked for, kept in the plan offered back.
    """
    if not saldo.linhas:
        return None
    if proposta.a_vista:
        planos = [
            montar_plano(faixa, indice, saldo, hoje, uf, livro, primeiro_vencimento=primeiro_vencimento)
            for indice, opcao in enumerate(faixa.opcoes)
            if isinstance(opcao, OpcaoAVista)
        ]
        return _avaliar_a_vista(planos, proposta.valor_total or proposta.valor_parcela)
    escolha = _escolher_parcelado(_candidatos(faixa, saldo), proposta.parcelas, proposta.limite_parcela)
    if escolha is None:
        return None
    candidato, atende = escolha
    plano = montar_plano(
        faixa,
        candidato.opcao,
        saldo,
        hoje,
        uf,
        livro,
        parcelas=candidato.quantidade,
        primeiro_vencimento=primeiro_vencimento,
    )
    return ResultadoProposta(plano, atende)


def _avaliar_a_vista(planos: list[Plano], limite: Decimal | None) -> ResultadoProposta | None:
    """The first option within the debtor's amount; else the cheapest one."""
    if not planos:
        return None
    if limite is None:
        return ResultadoProposta(planos[0], True)
    cabe = next((plano for plano in planos if plano.total <= limite), None)
    if cabe is not None:
        return ResultadoProposta(cabe, True)
    return ResultadoProposta(min(planos, key=lambda plano: plano.total), False)


@dataclass(frozen=True)
class _Candidato:
    opcao: int
    quantidade: int
    regular: Decimal


def _candidatos(faixa: Faixa, saldo: Saldo) -> list[_Candidato]:
    """Every admissible (parcelado option, parcel count) of the tier."""
    return [
        _Candidato(indice, len(valores), max(valores[1:]))
        for indice, opcao in enumerate(faixa.opcoes)
        if isinstance(opcao, OpcaoParcelado)
        for valores in _tabelas(opcao, saldo.total - _desconto(opcao, saldo))
    ]


def _escolher_parcelado(
    candidatos: list[_Candidato], parcelas: int | None, limite: Decimal | None
) -> tuple[_Candidato, bool] | None:
    """Fewest parcels (then list order) among the candidates meeting the ask; else the nearest miss."""
    if not candidatos:
        return None

    def cabe(candidato: _Candidato) -> bool:
        return limite is None or candidato.regular <= limite

    def distancia(candidato: _Candidato) -> tuple[int, int, int]:
        return (abs(candidato.quantidade - (parcelas or 0)), candidato.quantidade, candidato.opcao)

    atendem = [c for c in candidatos if cabe(c) and parcelas in (None, c.quantidade)]
    if atendem:
        return min(atendem, key=lambda c: (c.quantidade, c.opcao)), True
    # The monthly amount is what the debtor can afford; the parcel count is a preference.
    cabem = [c for c in candidatos if cabe(c)]
    if parcelas is not None and cabem:
        return min(cabem, key=distancia), False
    return min(candidatos, key=lambda c: (c.regular, c.quantidade, c.opcao)), False
