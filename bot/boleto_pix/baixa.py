"""Settling an agreement (pure): what every payment received so far pays, oldest installment first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Situacao:
    """How much of each installment is paid, given everything received for the agreement."""

    pago: tuple[Decimal, ...]  # per installment, in installment order
    excedente: Decimal  # received beyond the agreement's total

    def paga(self, indice: int, valores: Sequence[Decimal]) -> bool:
        return self.pago[indice] >= valores[indice]

    def restante(self, indice: int, valores: Sequence[Decimal]) -> Decimal:
        return valores[indice] - self.pago[indice]

    def quitado(self, valores: Sequence[Decimal]) -> bool:
        return all(p >= v for p, v in zip(self.pago, valores, strict=True))


def distribuir(valores: Sequence[Decimal], recebido: Decimal) -> Situacao:
    """Spread `recebido` over the installments in order.

    Recomputed from the sum of all payments, the result does not depend on the order confirmations arrive in,
    and a partial payment leaves the rest of its installment open.
    """
    if recebido < 0:
        raise ValueError(f"valor recebido negativo: {recebido}")
    sobra, pago = recebido, []
    for valor in valores:
        parte = min(valor, sobra)
        pago.append(parte)
        sobra -= parte
    return Situacao(tuple(pago), sobra)


def acordo_quebrado(abertas: Sequence[date], hoje: date, dias_para_quebra: int) -> bool:
    """An agreement breaks when an installment still open is `dias_para_quebra` days or more past due."""
    return any((hoje - vencimento).days >= dias_para_quebra for vencimento in abertas)
