"""Experiment report, pure: rates and R$ per debtor with 95 % intervals, each variant against the reference.

Proportions get Wilson intervals; a difference of proportions or of means gets the normal (Wald/Welch)
interval of the difference. The verdict names the variant only when the interval of its difference to the
reference leaves zero out; guardrails (opt-out, contestação) stop a variant whose rate is higher with the same
confidence. Columnar (NumPy): 100 thousand debtors take milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054
PRAZOS = (7, 30, 90)  # days after each debtor's entry in the experiment for R$ per debtor
Vetor = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Intervalo:
    valor: float
    baixo: float
    alto: float

    def exclui_zero(self) -> bool:
        return self.baixo > 0 or self.alto < 0


def wilson(sucessos: int, n: int) -> Intervalo:
    if n == 0:
        return Intervalo(math.nan, math.nan, math.nan)
    p = sucessos / n
    centro = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    meia = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return Intervalo(p, max(0.0, centro - meia), min(1.0, centro + meia))


def media(valores: Vetor) -> Intervalo:
    n = len(valores)
    if n == 0:
        return Intervalo(math.nan, math.nan, math.nan)
    m = float(valores.mean())
    erro = float(valores.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
    return Intervalo(m, m - Z95 * erro, m + Z95 * erro)


def diferenca(b: Vetor, a: Vetor) -> Intervalo:
    """Mean of b minus mean of a (0/1 values make it a difference of proportions), Welch's normal interval."""
    if len(a) < 2 or len(b) < 2:
        return Intervalo(math.nan, -math.inf, math.inf)
    d = float(b.mean() - a.mean())
    erro = math.sqrt(float(b.var(ddof=1)) / len(b) + float(a.var(ddof=1)) / len(a))
    return Intervalo(d, d - Z95 * erro, d + Z95 * erro)


@dataclass(frozen=True)
class Observacoes:
    """One row per debtor in the experiment: variant index, 0/1 outcomes, and recovered reais by each deadline."""

    variantes: Sequence[str]  # the reference first
    variante: npt.NDArray[np.int64]
    respondeu: Vetor
    acordo: Vetor
    pagou: Vetor
    optout: Vetor
    contestacao: Vetor
    recuperado: dict[int, Vetor]  # prazo (days) → reais paid by that many days after the debtor's entry
    entrada: Vetor = field(default_factory=lambda: np.zeros(0))  # each debtor's entry, POSIX seconds


@dataclass(frozen=True)
class LinhaVariante:
    nome: str
    devedores: int
    resposta: Intervalo
    acordo: Intervalo
    pagamento: Intervalo
    optout: Intervalo
    contestacao: Intervalo
    por_devedor: dict[int, Intervalo]
    veredito: str


METRICAS_PROTECAO = (("optout", "opt-outs"), ("contestacao", "contestações"))


def _veredito(
    nome: str, ref: str, obs: Observacoes, b: npt.NDArray[np.bool_], a: npt.NDArray[np.bool_], minimo: int
) -> str:
    if int(b.sum()) < minimo or int(a.sum()) < minimo:
        return f"ainda sem diferença (amostra pequena: {int(b.sum())} e {int(a.sum())} de {minimo} devedores)"
    danos = [
        rotulo
        for campo, rotulo in METRICAS_PROTECAO
        if diferenca(getattr(obs, campo)[b], getattr(obs, campo)[a]).baixo > 0
    ]
    if danos:
        return f"{nome} prejudica: mais {' e '.join(danos)} que {ref}, com 95 % de confiança — pare esta variante"
    prazo = max(obs.recuperado)
    d = diferenca(obs.recuperado[prazo][b], obs.recuperado[prazo][a])
    if d.baixo > 0:
        return f"{nome} recupera mais que {ref}, com 95 % de confiança"
    if d.alto < 0:
        return f"{nome} recupera menos que {ref}, com 95 % de confiança"
    return "ainda sem diferença"


def comparar(obs: Observacoes, minimo: int) -> list[LinhaVariante]:
    """One line per variant, the reference first; each other variant with its verdict against the reference."""
    linhas = []
    referencia = obs.variante == 0
    for i, nome in enumerate(obs.variantes):
        desta = obs.variante == i
        n = int(desta.sum())

        def taxa(valores: Vetor, desta: npt.NDArray[np.bool_] = desta, n: int = n) -> Intervalo:
            return wilson(int(valores[desta].sum()), n)

        veredito = "referência" if i == 0 else _veredito(nome, obs.variantes[0], obs, desta, referencia, minimo)
        linhas.append(
            LinhaVariante(
                nome=nome,
                devedores=n,
                resposta=taxa(obs.respondeu),
                acordo=taxa(obs.acordo),
                pagamento=taxa(obs.pagou),
                optout=taxa(obs.optout),
                contestacao=taxa(obs.contestacao),
                por_devedor={p: media(v[desta]) for p, v in obs.recuperado.items()},
                veredito=veredito,
            )
        )
    return linhas
