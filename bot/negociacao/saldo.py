"""A debtor's overdue balance on a given day: principal, multa, juros and correção, line by line.

Pure: `hoje` is passed in. Each charge is rounded to the cent per line, so lines add up to the totals shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bot.calendario import proximo_dia_util
from bot.formatos import centavos
from bot.negociacao.politica import Encargos

ZERO = Decimal("0.00")
_PERCENTUAL_DIA = Decimal(100 * 30)  # percent → fraction, monthly rate → daily (commercial month of 30 days)


@dataclass(frozen=True)
class ParcelaAberta:
    """An unpaid installment as the creditor's system reports it."""

    id: int
    contrato: str
    numero: int
    valor: Decimal
    vencimento: date
    descricao: str = ""

    def __post_init__(self) -> None:
        if self.valor <= 0 or self.valor != centavos(self.valor):
            raise ValueError(
                f"valor inválido na parcela {self.numero} do contrato {self.contrato}: {self.valor} "
                "(esperado um valor positivo em centavos)"
            )


@dataclass(frozen=True)
class LinhaSaldo:
    """One overdue installment with its charges; `total` = valor + multa + juros + correção."""

    parcela: ParcelaAberta
    dias_atraso: int
    multa: Decimal
    juros: Decimal
    correcao: Decimal
    total: Decimal


@dataclass(frozen=True)
class Saldo:
    """The overdue balance; each amount is the sum of the lines' amounts."""

    linhas: tuple[LinhaSaldo, ...]
    principal: Decimal
    multa: Decimal
    juros: Decimal
    correcao: Decimal
    total: Decimal
    dias_atraso_max: int


def em_atraso(parcela: ParcelaAberta, hoje: date, uf: str | None) -> bool:
    """Late once the due date has passed; a due date on a weekend/holiday runs to the next business day.

    Lei 7.089/1983: no charges on a title due on a non-business day and paid on the next business day.
    """
    return hoje > proximo_dia_util(parcela.vencimento, uf)


def calcular_saldo(parcelas: Sequence[ParcelaAberta], encargos: Encargos, hoje: date, uf: str | None) -> Saldo:
    """The overdue balance on `hoje`: only late installments, ordered by due date."""
    linhas = tuple(_linha(p, encargos, hoje) for p in _por_vencimento(parcelas) if em_atraso(p, hoje, uf))
    return Saldo(
        linhas=linhas,
        principal=_soma(linha.parcela.valor for linha in linhas),
        multa=_soma(linha.multa for linha in linhas),
        juros=_soma(linha.juros for linha in linhas),
        correcao=_soma(linha.correcao for linha in linhas),
        total=_soma(linha.total for linha in linhas),
        dias_atraso_max=max((linha.dias_atraso for linha in linhas), default=0),
    )


def proximas_parcelas(parcelas: Sequence[ParcelaAberta], hoje: date, uf: str | None) -> tuple[ParcelaAberta, ...]:
    """The installments not late yet (due later, today, or in the weekend/holiday grace), by due date, each with
    the day it can still be paid without charges: a due date on a weekend or holiday moves to the next business
    day (Lei 7.089), so a debtor in that grace is never told a date already past."""
    return tuple(
        replace(p, vencimento=proximo_dia_util(p.vencimento, uf))
        for p in _por_vencimento(parcelas)
        if not em_atraso(p, hoje, uf)
    )


def _linha(parcela: ParcelaAberta, encargos: Encargos, hoje: date) -> LinhaSaldo:
    # Days count from the contract's due date even when the grace of Lei 7.089 ran past a weekend.
    dias = (hoje - parcela.vencimento).days
    multa = centavos(parcela.valor * encargos.multa_percentual / 100)
    juros = centavos(parcela.valor * encargos.juros_mensal_percentual * dias / _PERCENTUAL_DIA)
    correcao = centavos(parcela.valor * encargos.correcao_mensal_percentual * dias / _PERCENTUAL_DIA)
    return LinhaSaldo(
        parcela=parcela,
        dias_atraso=dias,
        multa=multa,
        juros=juros,
        correcao=correcao,
        total=parcela.valor + multa + juros + correcao,
    )


def _por_vencimento(parcelas: Sequence[ParcelaAberta]) -> list[ParcelaAberta]:
    return sorted(parcelas, key=lambda p: (p.vencimento, p.contrato, p.numero, p.id))


def _soma(valores: Iterable[Decimal]) -> Decimal:
    return sum(valores, ZERO)
