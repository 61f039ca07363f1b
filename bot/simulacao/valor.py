"""What an agreement is expected to bring, pure: each installment paid unless the debtor broke before it.

With a chance `q` of stopping at each installment, installment k (1-based) is paid with probability (1 − q)^k; an
agreement's loss to breaking is its total minus what is expected to be paid. The present value discounts each
expected payment at a monthly rate over its days from today (30 days a month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.negociacao.plano import Plano


@dataclass(frozen=True)
class Esperado:
    """One agreement's expected cash: per installment (days from today, expected reais)."""

    recebimentos: tuple[tuple[int, float], ...]
    total: float  # what was agreed

    @property
    def recuperado(self) -> float:
        return sum(valor for _, valor in self.recebimentos)

    @property
    def perda(self) -> float:
        return self.total - self.recuperado

    def presente(self, taxa_mensal: float) -> float:
        return float(sum(valor / (1 + taxa_mensal) ** (dias / 30) for dias, valor in self.recebimentos))


def esperado(plano: Plano, hoje: date, quebra_por_parcela: Decimal) -> Esperado:
    continua = 1 - float(quebra_por_parcela)
    recebimentos = tuple(
        (max(0, (p.vencimento - hoje).days), float(p.valor) * continua**k) for k, p in enumerate(plano.parcelas, 1)
    )
    return Esperado(recebimentos, float(plano.total))
