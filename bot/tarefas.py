"""Loops the server runs beside its requests (retries, deliveries, retention): one way to run them and stop them.

`a_cada` runs a round every so often until told to stop, logging a failed round without dying; `no_servidor`
starts a loop with the aiohttp app and, at clean-up, tells it to stop and waits for its round to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from aiohttp import web

log = logging.getLogger(__name__)


class Vigia(Protocol):
    async def vigiar(self, parar: asyncio.Event) -> None: ...


async def a_cada(intervalo: float, parar: asyncio.Event, rodada: Callable[[], Awaitable[object]], falha: str) -> None:
    """`rodada` every `intervalo` seconds until `parar` is set; an error is logged with `falha`, never fatal."""
    while not parar.is_set():
        try:
            await rodada()
        except Exception:
            log.exception(falha)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(parar.wait(), intervalo)


def no_servidor(app: web.Application, tarefa: web.AppKey[asyncio.Task[None]], vigia: Vigia) -> None:
    """Run `vigia.vigiar` while the server runs; the task is kept under `tarefa` (for tests and health)."""

    async def ciclo(app: web.Application) -> AsyncIterator[None]:
        parar = asyncio.Event()
        app[tarefa] = asyncio.create_task(vigia.vigiar(parar))
        yield
        parar.set()
        await app[tarefa]

    app.cleanup_ctx.append(ciclo)
