"""A provider that accepts a message and never answers: the fakes' way to make a send uncertain."""

from __future__ import annotations

import asyncio

from aiohttp import web


async def sem_resposta(request: web.Request, modo: str, solto: asyncio.Event) -> None:
    """The provider got the message but the client never hears back: it waits forever, or the line drops."""
    if modo == "derrubar":
        assert request.transport is not None
        request.transport.close()
        raise asyncio.CancelledError  # aiohttp stops the handler without writing an answer
    assert modo == "prender", modo
    await solto.wait()  # set by the test's teardown, long after the client gave up
