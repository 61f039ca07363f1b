"""A channel's sending rate, per process: at most `taxa` sends in any window of one second, evenly spaced.

The window is a little longer than a second (`FOLGA`) because the provider counts arrivals, not departures:
requests leaving at the edge of one of our seconds may land in the provider's next one.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

FOLGA = 0.02  # seconds of network jitter the window allows for: ~2 % below the configured rate
ADIANTAMENTO = 0.1  # a group may leave this far ahead of the even schedule (small batches never wait)


@dataclass
class Balde:
    taxa: int
    relogio: Callable[[], float] = time.monotonic
    dormir: Callable[[float], Awaitable[None]] = asyncio.sleep
    janela: float = 1.0 + FOLGA
    _saidas: deque[float] = field(default_factory=deque)  # when each of the last `taxa` sends left
    _proximo: float = float("-inf")  # the earliest instant the next group may leave (even spacing)

    def __post_init__(self) -> None:
        if self.taxa < 1:
            raise ValueError(f"taxa deve ser ao menos 1 por segundo, não {self.taxa}")
        self._saidas = deque(maxlen=self.taxa)

    async def tomar(self, quantos: int) -> None:
        """Wait until `quantos` more sends fit within the rate, and count them as leaving now."""
        quantos = max(1, min(quantos, self.taxa))
        while (espera := self.espera(quantos)) > 0:
            await self.dormir(espera)
        agora = self.relogio()
        self._saidas.extend([agora] * quantos)
        self._proximo = max(self._proximo, agora) + quantos * self.janela / self.taxa

    def espera(self, quantos: int) -> float:
        """Seconds until `quantos` sends may leave (zero or less: now)."""
        livre_em = self._proximo - ADIANTAMENTO
        excesso = len(self._saidas) + quantos - self.taxa
        if excesso > 0:  # the oldest `excesso` sends must have left the window first
            livre_em = max(livre_em, self._saidas[excesso - 1] + self.janela)
        return livre_em - self.relogio()
