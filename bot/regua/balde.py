"""A channel's sending rate as a token bucket, pure: how many sends may leave now, and how long until more may.

The bucket holds at most `capacidade` tokens (one wave's worth) and refills at `por_segundo`, chosen so that in any
window of `janela` seconds fewer than `capacidade + por_segundo * janela = taxa` tokens can be taken: the level
at the window's start is at most `capacidade` and the window refills less than `por_segundo * janela`. The window
is a little longer than a second (`FOLGA`) because the provider counts arrivals, not departures: requests leaving
at the edge of one of our seconds may land in the provider's next one. The level lives in the database
(`regua.cota`), so every instance sending from the same number shares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

FOLGA = 0.02  # seconds of network jitter the window allows for: ~2 % below the configured rate
ONDAS_POR_SEGUNDO = 50  # the bucket holds one wave: 1/50 of a second's rate
# Tokens a taker may be short by: instants are seconds since the epoch in doubles (steps of ~0.2 µs), so waking
# exactly when a token is due may count a hair less than one; a thousandth of a token is far inside `FOLGA`.
ARREDONDAMENTO = 1e-3


@dataclass(frozen=True, slots=True)
class Nivel:
    """The bucket's tokens as of instant `em` (seconds, the clock every instance shares)."""

    fichas: float
    em: float


@dataclass(frozen=True, slots=True)
class Balde:
    taxa: int
    janela: float = 1.0 + FOLGA

    def __post_init__(self) -> None:
        if self.taxa < 1:
            raise ValueError(f"taxa deve ser ao menos 1 por segundo, não {self.taxa}")

    @property
    def capacidade(self) -> int:
        return max(1, ceil(self.taxa / ONDAS_POR_SEGUNDO))

    @property
    def por_segundo(self) -> float:
        # With taxa 1 the capacity is the whole rate: refilling one token a window still takes fewer than two.
        return max(self.taxa - self.capacidade, 1) / self.janela

    def cheio(self, agora: float) -> Nivel:
        return Nivel(float(self.capacidade), agora)

    def disponivel(self, nivel: Nivel, agora: float) -> float:
        """Tokens at `agora`: a clock behind the last taker's adds nothing (instances' clocks differ a little)."""
        return min(float(self.capacidade), nivel.fichas + max(0.0, agora - nivel.em) * self.por_segundo)

    def tomar(self, nivel: Nivel, agora: float, quantos: int) -> Nivel | None:
        """The level after taking `quantos` (at most `capacidade`) at `agora`, or None when there are not enough."""
        fichas = self.disponivel(nivel, agora)
        return Nivel(fichas - quantos, max(nivel.em, agora)) if fichas >= quantos - ARREDONDAMENTO else None

    def espera(self, nivel: Nivel, agora: float, quantos: int) -> float:
        """Seconds until `quantos` tokens are there (zero or less: now)."""
        return (quantos - self.disponivel(nivel, agora)) / self.por_segundo
