"""A bounded pool of inbound workers: a key always goes to the same worker, so one sender never runs twice at once."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Chave = str | int  # a sender ("whatsapp:5511...") or the id of an update that needs no order (a status)


class Trabalhadores:
    """`quantidade` tasks, one queue each; a key already waiting in its queue is not queued twice."""

    def __init__(self, quantidade: int, executar: Callable[[Chave], Awaitable[None]]) -> None:
        self.quantidade = quantidade
        self.executar = executar
        self.filas: list[asyncio.Queue[Chave]] = []
        self.esperando: set[Chave] = set()
        self.tarefas: list[asyncio.Task[None]] = []

    def enfileirar(self, chave: Chave) -> None:
        if not self.tarefas:  # started on first use: the queues belong to the running loop
            self.filas = [asyncio.Queue() for _ in range(self.quantidade)]
            self.tarefas = [asyncio.create_task(self._trabalhar(fila)) for fila in self.filas]
        if chave in self.esperando:
            return  # the worker will look at this sender anyway, and takes all its rows in order
        self.esperando.add(chave)
        self.filas[zlib.crc32(str(chave).encode()) % self.quantidade].put_nowait(chave)

    async def _trabalhar(self, fila: asyncio.Queue[Chave]) -> None:
        while True:
            chave = await fila.get()
            self.esperando.discard(chave)  # from now on a new row of this key queues it again
            try:
                await self.executar(chave)
            except Exception:  # the rows stay claimable: the sweep or the lease brings them back
                log.exception("falha ao processar a entrada %s", chave)
            finally:
                fila.task_done()

    def pendentes(self) -> int:
        return sum(fila.qsize() for fila in self.filas)

    async def ocioso(self) -> None:
        """Wait until every queued key has been run (tests and shutdown)."""
        while True:
            for fila in self.filas:
                await fila.join()
            if not self.pendentes():
                return

    async def parar(self) -> None:
        for tarefa in self.tarefas:
            tarefa.cancel()
        await asyncio.gather(*self.tarefas, return_exceptions=True)
        self.tarefas, self.filas = [], []
        self.esperando.clear()
