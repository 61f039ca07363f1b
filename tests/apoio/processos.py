"""Real processes for fault tests: `python -m bot serve` instances, a fake Graph API that misbehaves on cue, and
a TCP proxy in front of PostgreSQL that can drop every connection and refuse new ones (a database restart).

Everything listens on loopback. The instances are started and killed as a deployment would (SIGKILL, no goodbye).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from aiohttp import web
from sqlalchemy.engine import make_url

from tests.apoio.projetos import RAIZ

ESPERA_DO_CLIENTE = 15.0  # RemetenteWhatsapp's read timeout: a hang longer than this is a timeout


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def esperar(condicao: Callable[[], object], limite: float, passo: float = 0.2, motivo: str = "") -> None:
    """Poll something another process changes until it holds; fail (never hang) after `limite` seconds.

    Real processes run on the real clock: there is no clock of theirs to move, so this waits, bounded.
    """
    fim = time.monotonic() + limite
    while not condicao():
        if time.monotonic() > fim:
            raise AssertionError(f"não aconteceu em {limite:.0f} s: {motivo}")
        await asyncio.sleep(passo)


async def esperar_async(
    condicao: Callable[[], Awaitable[object]], limite: float, passo: float = 0.5, motivo: str = ""
) -> None:
    fim = time.monotonic() + limite
    while not await condicao():
        if time.monotonic() > fim:
            raise AssertionError(f"não aconteceu em {limite:.0f} s: {motivo}")
        await asyncio.sleep(passo)


@dataclass
class Falhas:
    """What the fake answers to requests number `inicio` to `inicio + quantas`: a repeating pattern of faults."""

    inicio: int
    quantas: int
    padrao: tuple[str, ...] = ("429", "ok", "500", "ok", "derruba", "ok")  # one per request, in turn
    travar: int = 1  # of those, the first N "derruba" hang past the client's timeout instead

    def modo(self, numero: int) -> str:
        if not self.inicio <= numero < self.inicio + self.quantas:
            return "ok"
        return self.padrao[(numero - self.inicio) % len(self.padrao)]


@dataclass
class GraphComFalhas:
    """The Graph API `/messages` of the fault tests: fails on the `Falhas` pattern, counts accepted messages by key and
    by recipient (FalsoGraph, in falsos/graph.py, is the one the in-process tests share).

    "derruba" and the hangs accept the message (counted: it reached the provider) and never answer: to the sender
    that is a timeout after the request left, which must end `incerta`, never resent.
    """

    falhas: Falhas | None = None
    recebidas: int = 0
    por_chave: Counter[str] = field(default_factory=Counter)
    por_destino: Counter[str] = field(default_factory=Counter)
    ids: dict[str, str] = field(default_factory=dict)  # provider id -> key
    respostas: Counter[str] = field(default_factory=Counter)
    destinos: dict[str, str] = field(default_factory=dict)  # provider id -> recipient
    recusas: Counter[str] = field(default_factory=Counter)  # refused (429/500) by recipient
    _travadas: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v{versao}/{telefone}/messages", self._mensagens)
        return app

    @property
    def aceitas(self) -> int:
        return sum(self.por_chave.values())

    async def _mensagens(self, request: web.Request) -> web.StreamResponse:
        try:
            corpo = await request.json()
        except ConnectionResetError:  # a sender killed mid-request
            return web.Response(status=400)
        numero, self.recebidas = self.recebidas, self.recebidas + 1
        modo = self.falhas.modo(numero) if self.falhas else "ok"
        self.respostas[modo] += 1
        if modo in ("429", "500"):
            self.recusas[str(corpo.get("to"))] += 1
            codigo = 130429 if modo == "429" else 131000
            erro = {"message": "falha simulada", "type": "OAuthException", "code": codigo, "fbtrace_id": "x"}
            return web.json_response({"error": erro}, status=int(modo))
        chave = str(corpo.get("biz_opaque_callback_data", ""))
        self.por_chave[chave] += 1
        self.por_destino[str(corpo["to"])] += 1
        id_provedor = f"wamid.{numero}"
        self.ids[id_provedor] = chave
        self.destinos[id_provedor] = str(corpo["to"])
        if modo == "derruba":
            assert self.falhas is not None
            if self._travadas < self.falhas.travar:
                self._travadas += 1
                await asyncio.sleep(ESPERA_DO_CLIENTE + 1)
            if request.transport is not None:  # still there: cut it without an answer
                request.transport.abort()
            return web.Response(status=503)
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": corpo["to"],
                                  "wa_id": corpo["to"]}], "messages": [{"id": id_provedor}]})  # fmt: skip


@dataclass
class ProxyTcp:
    """Forwards loopback connections to `destino`; `cortar` drops them all and refuses new ones for a while."""

    destino: tuple[str, int]
    porta: int = 0
    cortes: int = 0
    _cortado_ate: float = 0.0
    _servidor: asyncio.Server | None = None
    _pares: set[asyncio.StreamWriter] = field(default_factory=set)

    async def iniciar(self) -> None:
        self._servidor = await asyncio.start_server(self._conexao, "127.0.0.1", 0)
        self.porta = self._servidor.sockets[0].getsockname()[1]

    async def parar(self) -> None:
        self._derrubar()
        if self._servidor is not None:
            self._servidor.close()
            await self._servidor.wait_closed()

    def cortar(self, segundos: float) -> None:
        """A database restart as clients see it: every connection reset, new ones refused, then back."""
        self.cortes += 1
        self._cortado_ate = time.monotonic() + segundos
        self._derrubar()

    def _derrubar(self) -> None:
        for escritor in list(self._pares):
            escritor.transport.abort()
        self._pares.clear()

    async def _conexao(self, leitor: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> None:
        if time.monotonic() < self._cortado_ate:
            escritor.transport.abort()
            return
        try:
            leitor_d, escritor_d = await asyncio.open_connection(*self.destino)
        except OSError:
            escritor.transport.abort()
            return
        self._pares |= {escritor, escritor_d}
        await asyncio.gather(self._bombear(leitor, escritor_d), self._bombear(leitor_d, escritor))

    async def _bombear(self, leitor: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> None:
        try:
            while dados := await leitor.read(65536):
                escritor.write(dados)
                await escritor.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._pares.discard(escritor)
            escritor.transport.abort()


@dataclass
class Instancias:
    """N `python -m bot serve` processes over one database, each on its own loopback port."""

    config: Path
    db: str
    desde: str  # the clock's start (ISO-8601): the contact policy sees a weekday morning whenever the test runs
    ambiente: dict[str, str]
    pasta: Path
    processos: list[subprocess.Popen[bytes] | None] = field(default_factory=list)
    _logs: list[BinaryIO] = field(default_factory=list)
    portas: list[int] = field(default_factory=list)

    def iniciar(self, quantas: int) -> None:
        for _ in range(quantas):
            self.processos.append(None)
            self.portas.append(porta_livre())
            self.reiniciar(len(self.processos) - 1)

    def reiniciar(self, indice: int) -> None:
        comando = [sys.executable, "-m", "bot", "--config", str(self.config), "--db", self.db, "--desde", self.desde,
                   "serve", "--host", "127.0.0.1", "--porta", str(self.portas[indice])]  # fmt: skip
        log = (self.pasta / f"serve-{indice}.log").open("ab")
        self._logs.append(log)
        self.processos[indice] = subprocess.Popen(comando, cwd=RAIZ, env={**os.environ, **self.ambiente},
                                                  stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def matar(self, indice: int) -> None:
        """SIGKILL: no cleanup, no goodbye, claimed rows left as they are."""
        processo = self.processos[indice]
        assert processo is not None and processo.poll() is None, f"instância {indice} já tinha parado"
        processo.send_signal(signal.SIGKILL)
        processo.wait(10)

    def vivas(self) -> list[int]:
        return [i for i, p in enumerate(self.processos) if p is not None and p.poll() is None]

    def parar(self) -> None:
        for processo in self.processos:
            if processo is not None and processo.poll() is None:
                processo.terminate()
        for processo in self.processos:
            if processo is not None:
                try:
                    processo.wait(10)
                except subprocess.TimeoutExpired:
                    processo.kill()
                    processo.wait(10)
        for log in self._logs:
            log.close()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.pasta.glob("serve-*.log")))


@dataclass
class Implantacao:
    """What a fault test drives: the instances, and the proxy in front of PostgreSQL (None on SQLite)."""

    instancias: Instancias
    proxy: ProxyTcp | None


@asynccontextmanager
async def implantacao(
    graph: GraphComFalhas, url: str, config: Callable[[int], Path], desde: str, ambiente: dict[str, str], pasta: Path
) -> AsyncIterator[Implantacao]:
    """The fake Graph API served, a proxy in front of PostgreSQL, and the `serve` instances (not yet started:
    `instancias.iniciar(n)`), given `config(porta_do_graph)`; everything stopped at the end, whatever happened."""
    executor = web.AppRunner(graph.app())
    await executor.setup()
    await web.TCPSite(executor, "127.0.0.1", 0).start()
    proxy, url_instancias = None, url
    if make_url(url).get_backend_name() == "postgresql":
        partes = make_url(url)
        proxy = ProxyTcp((partes.host or "127.0.0.1", partes.port or 5432))
        await proxy.iniciar()
        url_instancias = partes.set(host="127.0.0.1", port=proxy.porta).render_as_string(hide_password=False)
    instancias = Instancias(config(executor.addresses[0][1]), url_instancias, desde, ambiente, pasta)
    try:
        yield Implantacao(instancias, proxy)
    finally:
        instancias.parar()
        if proxy is not None:
            await proxy.parar()
        await executor.cleanup()
