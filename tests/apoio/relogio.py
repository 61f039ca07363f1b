"""Clocks the tests control: one wall clock set by hand, one discrete-event clock shared by several workers."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

AGORA = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 11h in São Paulo


@dataclass
class Relogio:
    """The wall clock a test sets by hand (`relogio.agora = ...`); called like `datetime.now(UTC)`."""

    agora: datetime = AGORA

    def __call__(self) -> datetime:
        return self.agora


class RelogioComum:
    """The clock several instances share, moved only when every one of them sleeps (a discrete-event clock).

    Each of the `atores` tasks either works (its clock reads stand still) or sleeps in `dormir`; once all that
    are still running sleep, the clock jumps to the earliest deadline and wakes that sleeper. A task that ends
    calls `saiu`. So a send's recorded instant is the instant its tokens were taken, whatever the scheduling.
    """

    def __init__(self, atores: int, agora: float = 1_800_000_000.0) -> None:
        self.agora, self.atores = agora, atores
        self._dormindo: list[tuple[float, int, asyncio.Future[None]]] = []
        self._ordem = itertools.count()

    def __call__(self) -> float:
        return self.agora

    async def dormir(self, segundos: float) -> None:
        acordar = asyncio.get_running_loop().create_future()
        heapq.heappush(self._dormindo, (self.agora + segundos, next(self._ordem), acordar))
        self._andar()
        await acordar

    def saiu(self) -> None:
        self.atores -= 1
        self._andar()

    def _andar(self) -> None:
        if self._dormindo and len(self._dormindo) >= self.atores:
            prazo, _, acordar = heapq.heappop(self._dormindo)
            self.agora = max(self.agora, prazo)
            acordar.set_result(None)
