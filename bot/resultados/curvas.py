"""Liquidation curves, pure: recovered % of the placed amount by days since placement, per group of debtors.

At day d a group's figure counts only debtors placed at least d days ago (their whole amount, and what they paid
up to day d): a batch placed last week says nothing about day 30, instead of dragging day 30 down. Columnar
(NumPy) so a million installments of 100 thousand debtors take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

Inteiros = npt.NDArray[np.int64]
MARCOS = (7, 30, 60, 90, 180)  # the days the table shows


@dataclass(frozen=True)
class Carteira:
    """Per debtor: group index, amount placed (cents), age in days; per payment: debtor index, day, cents."""

    grupos: Sequence[str]
    grupo: Inteiros
    colocado: Inteiros
    idade: Inteiros
    pagamento_devedor: Inteiros
    pagamento_dia: Inteiros
    pagamento_valor: Inteiros


@dataclass(frozen=True)
class Curva:
    grupo: str
    devedores: int
    colocado: Decimal
    recuperado: Decimal  # everything paid so far, whatever the day
    percentual: tuple[float | None, ...]  # day 0..horizonte; None where no debtor of the group is that old yet

    @property
    def total_percentual(self) -> float | None:
        """Everything recovered so far over everything placed: the figure for the whole group, whatever its age."""
        return None if not self.colocado else round(float(100 * self.recuperado / self.colocado), 4)

    def em(self, dia: int) -> float | None:
        return self.percentual[dia] if dia < len(self.percentual) else None


def curvas(carteira: Carteira, horizonte: int) -> list[Curva]:
    """One curve per group, in the order of `carteira.grupos`, days 0..horizonte."""
    n_grupos, largura = len(carteira.grupos), horizonte + 2  # one extra column takes the "ends after" marks
    idade = np.clip(carteira.idade, 0, horizonte)
    # Denominator at day d: the placed amount of debtors at least d days old (a reverse cumulative sum by age).
    por_idade = np.zeros((n_grupos, largura), dtype=np.int64)
    np.add.at(por_idade, (carteira.grupo, idade), carteira.colocado)
    colocado_em = np.flip(np.cumsum(np.flip(por_idade[:, : horizonte + 1], axis=1), axis=1), axis=1)
    # Numerator: a payment on day p of a debtor aged a counts on days p..a (it enters at p, leaves after a).
    dono = carteira.pagamento_devedor
    dia = np.clip(carteira.pagamento_dia, 0, None)
    conta = dia <= idade[dono]
    grupo_pag, valor, inicio, fim = (
        carteira.grupo[dono][conta],
        carteira.pagamento_valor[conta],
        dia[conta],
        idade[dono][conta] + 1,
    )
    variacao = np.zeros((n_grupos, largura), dtype=np.int64)
    np.add.at(variacao, (grupo_pag, inicio), valor)
    np.add.at(variacao, (grupo_pag, fim), -valor)
    pago_em = np.cumsum(variacao, axis=1)[:, : horizonte + 1]
    devedores = np.bincount(carteira.grupo, minlength=n_grupos)
    total_colocado = np.bincount(carteira.grupo, weights=carteira.colocado, minlength=n_grupos)
    total_pago = np.bincount(carteira.grupo[dono], weights=carteira.pagamento_valor, minlength=n_grupos)
    resultado = []
    for g, nome in enumerate(carteira.grupos):
        com_base = colocado_em[g] > 0
        percentuais = np.where(com_base, 100.0 * pago_em[g] / np.where(com_base, colocado_em[g], 1), np.nan)
        resultado.append(
            Curva(
                grupo=nome,
                devedores=int(devedores[g]),
                colocado=Decimal(int(total_colocado[g])) / 100,
                recuperado=Decimal(int(total_pago[g])) / 100,
                percentual=tuple(None if np.isnan(p) else round(float(p), 4) for p in percentuais),
            )
        )
    return resultado
