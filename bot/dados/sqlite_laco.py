"""SQLite on the event loop's own thread: the aiosqlite API without its worker thread.

aiosqlite runs every call (cursor, execute, fetch, close, commit) in a thread and wakes the loop with the result;
the inbound path makes ~90 such calls per message, and under load each round trip costs far more (thread wake-up,
GIL hand-over) than the microseconds SQLite needs for these small statements. Here each call runs inline. SQLite
answers "busy" at once (busy_timeout 0) and the call is retried after an `asyncio.sleep`, so a writer waiting
for the lock never blocks the loop the other writer needs to finish — the same 5 s budget as before.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite

ESPERA_MAXIMA = 5.0  # seconds a call waits for SQLite's write lock, as busy_timeout=5000 did
_PRIMEIRA_ESPERA, _MAIOR_ESPERA = 0.0005, 0.02


def _ocupado(erro: sqlite3.OperationalError) -> bool:
    return "locked" in str(erro) or "busy" in str(erro)


async def sem_bloquear(chamada: Callable[[], Any]) -> Any:
    """Run a SQLite call inline; while SQLite is busy, yield the loop (so the holder can commit) and try again."""
    relogio = asyncio.get_running_loop().time
    limite, espera = relogio() + ESPERA_MAXIMA, _PRIMEIRA_ESPERA
    while True:
        try:
            return chamada()
        except sqlite3.OperationalError as erro:
            if not _ocupado(erro) or relogio() > limite:
                raise
        await asyncio.sleep(espera)  # let the coroutine holding the lock run and commit
        espera = min(espera * 2, _MAIOR_ESPERA)


class ConexaoNoLaco(aiosqlite.Connection):
    """An `aiosqlite.Connection` whose calls run inline on the loop, retried (yielding) while SQLite is busy."""

    def __await__(self) -> Generator[Any, None, ConexaoNoLaco]:
        return self._connect().__await__()

    async def _connect(self) -> ConexaoNoLaco:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return await sem_bloquear(partial(fn, *args, **kwargs))

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def conectar(caminho: str) -> Callable[[], Any]:
    """The `async_creator` of an SQLAlchemy engine for the SQLite file at `caminho`."""

    async def criar() -> ConexaoNoLaco:
        conexao = ConexaoNoLaco(lambda: sqlite3.connect(caminho, timeout=0, check_same_thread=False), 64)
        return await conexao

    return criar
