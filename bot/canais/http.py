"""One aiohttp client session for the providers' APIs (Graph API, Bot API): keep-alive and a bounded pool.

Every send used to go through its library's own httpx client (~0.8 ms of CPU per message); a plain aiohttp
request on a kept-alive connection costs a fraction of that, and one pool shared by the channels bounds the
sockets a server opens. The session is created at the first use, inside the running loop (aiohttp requires it).
"""

from __future__ import annotations

import aiohttp

CONEXOES = 64  # connections open at once, all providers together (the senders' concurrency is lower)
MANTER_VIVA = 15.0  # seconds an idle connection is kept: below the usual server-side keep-alive of providers


class SessaoHttp:
    """A lazily opened `aiohttp.ClientSession`; `fechar` is idempotent, and a closed one opens again on use."""

    def __init__(self, conexoes: int = CONEXOES, espera: float = 15.0) -> None:
        self.conexoes = conexoes
        self.espera = espera
        self._sessao: aiohttp.ClientSession | None = None

    def tempo(self, espera: float | None = None) -> aiohttp.ClientTimeout:
        """Connecting (including the wait for a free connection) and each read wait at most `espera` seconds."""
        segundos = self.espera if espera is None else espera
        return aiohttp.ClientTimeout(total=None, connect=segundos, sock_read=segundos)

    @property
    def sessao(self) -> aiohttp.ClientSession:
        if self._sessao is None or self._sessao.closed:
            conector = aiohttp.TCPConnector(limit=self.conexoes, keepalive_timeout=MANTER_VIVA)
            self._sessao = aiohttp.ClientSession(connector=conector, timeout=self.tempo())
        return self._sessao

    async def fechar(self) -> None:
        if self._sessao is not None and not self._sessao.closed:
            await self._sessao.close()
        self._sessao = None
