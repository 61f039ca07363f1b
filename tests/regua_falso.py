"""A recording fake `Remetente` that can be told to fail, or to 'die' before or after the provider accepts; a shared
clock for several dispatchers."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.canais.porta import Envio, ErroCanal


class Queda(BaseException):
    """The dispatcher's process dies here: nothing after this line of the dispatcher runs."""


@dataclass
class RemetenteFalso:
    enviados: list[Envio] = field(default_factory=list)
    falhas: list[ErroCanal] = field(default_factory=list)  # raised one per call, before accepting
    morrer_antes: bool = False
    morrer_depois: bool = False
    relogio: Callable[[], float] | None = None  # when given, `instantes` records the clock at every send
    instantes: list[float] = field(default_factory=list)
    _por_chave: dict[str, str] = field(default_factory=dict)

    async def enviar(self, envio: Envio) -> str:
        if self.relogio is not None:
            self.instantes.append(self.relogio())
        if self.morrer_antes:
            self.morrer_antes = False
            raise Queda
        if self.falhas:
            raise self.falhas.pop(0)
        self.enviados.append(envio)
        id_provedor = f"wamid.{len(self.enviados)}"
        if envio.chave:
            self._por_chave[envio.chave] = id_provedor
        if self.morrer_depois:
            self.morrer_depois = False
            raise Queda
        return id_provedor

    async def localizar(self, chave: str) -> str | None:
        return self._por_chave.get(chave)


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


@dataclass
class RemetenteSemConsulta:
    """A provider that cannot be asked whether a key went out."""

    enviados: list[Envio] = field(default_factory=list)

    async def enviar(self, envio: Envio) -> str:
        self.enviados.append(envio)
        return f"id.{len(self.enviados)}"
