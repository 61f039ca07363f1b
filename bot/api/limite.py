"""Requests per minute per token: a token bucket per key (pure; the clock is passed in)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Limitador:
    """`por_minuto` requests, refilled evenly; a burst of up to `por_minuto` at once. Kept per server process:
    with N servers a client gets at most N × the limit, which protects each server, the purpose here."""

    por_minuto: int
    baldes: dict[int, tuple[float, float]] = field(default_factory=dict)  # key → (tokens, instant)

    def tentar(self, chave: int, agora: float) -> float:
        """0 when the request may go; otherwise the seconds until it may (for `Retry-After`)."""
        fichas, antes = self.baldes.get(chave, (float(self.por_minuto), agora))
        fichas = min(float(self.por_minuto), fichas + (agora - antes) * self.por_minuto / 60)
        if fichas >= 1:
            self.baldes[chave] = (fichas - 1, agora)
            return 0.0
        self.baldes[chave] = (fichas, agora)
        return (1 - fichas) * 60 / self.por_minuto
