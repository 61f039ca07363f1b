"""Inbound benchmark: signed WhatsApp webhooks → stored → engine → reply at a fake Graph API; and two ceilings.

The bot, the *echo bot* or the bare endpoint runs in its own process (`python scripts/bench_entrada.py servir
...`); this process generates the load and hosts the fake Graph API, so a reply's arrival time is measured on the
same clock as the request that caused it. The bare endpoint only checks the signature and answers 200; the echo
bot also parses the body and posts one reply to the fake Graph API through a shared client session — the physical
limit of any bot on this machine. Load is closed (`concorrencia` requests in flight, for the rate) or open
(`carga_aberta`: requests started on a fixed schedule whatever the answers, for honest latencies).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import ClientSession, TCPConnector, web

RAIZ = Path(__file__).resolve().parent.parent
SEGREDO = "segredo-bench"


@dataclass
class GraphMedidor:
    """A fake Graph API that notes when the first reply to each number arrives."""

    chegadas: dict[str, float] = field(default_factory=dict)
    pronto: asyncio.Event = field(default_factory=asyncio.Event)
    esperados: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v{versao}/{telefone}/messages", self._mensagens)
        return app

    async def _mensagens(self, request: web.Request) -> web.Response:
        corpo = await request.json()
        destino = str(corpo["to"]).lstrip("+")
        self.chegadas.setdefault(destino, time.perf_counter())
        if len(self.chegadas) >= self.esperados:
            self.pronto.set()
        resposta = {"messaging_product": "whatsapp", "contacts": [{"input": corpo["to"], "wa_id": destino}]}
        return web.json_response(resposta | {"messages": [{"id": f"wamid.{destino}.{len(self.chegadas)}"}]})


def corpo_webhook(wa_id: str, numero: int) -> bytes:
    mensagem = {"from": wa_id, "id": f"wamid.in.{wa_id}.{numero}", "timestamp": "1795442400", "type": "text",
                "text": {"body": "oi"}}  # fmt: skip
    valor = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
             "contacts": [{"profile": {"name": "Teste"}, "wa_id": wa_id}], "messages": [mensagem]}  # fmt: skip
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": valor,
               "field": "messages"}]}]}  # fmt: skip
    return json.dumps(payload).encode()


def assinar(corpo: bytes) -> str:
    return "sha256=" + hmac.new(SEGREDO.encode(), corpo, hashlib.sha256).hexdigest()


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Medida:
    taxa: float  # messages per second, first request to last reply
    p50_ms: float
    p99_ms: float
    perdidas: int


async def _postar(sessao: ClientSession, porta: int, numero: int, wa_id: str, partidas: dict[str, float]) -> int:
    """One signed webhook from `wa_id`, its start noted in `partidas`; the HTTP status."""
    corpo = corpo_webhook(wa_id, numero)
    cabecalhos = {"Content-Type": "application/json", "X-Hub-Signature-256": assinar(corpo)}
    partidas[wa_id] = time.perf_counter()
    async with sessao.post(f"http://127.0.0.1:{porta}/webhooks/whatsapp", data=corpo, headers=cabecalhos) as r:
        await r.read()
        return r.status


async def _chegadas(graph: GraphMedidor, telefones: list[str], espera: float) -> dict[str, float]:
    """When the first reply to each number reached the fake Graph API (waiting up to `espera` s for all)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(graph.pronto.wait(), timeout=espera)
    return {t: graph.chegadas[t] for t in telefones if t in graph.chegadas}


def _medida(telefones: list[str], partidas: dict[str, float], chegadas: dict[str, float], inicio: float) -> Medida:
    from scripts.bench_comum import percentil

    latencias = [(chegadas[t] - partidas[t]) * 1000 for t in chegadas]
    duracao = max(chegadas.values(), default=inicio) - inicio
    perdidas = len(telefones) - len(chegadas)
    return Medida(len(chegadas) / duracao if duracao else 0.0, percentil(latencias, 50), percentil(latencias, 99),
                  perdidas)  # fmt: skip


async def carga(porta: int, telefones: list[str], concorrencia: int, graph: GraphMedidor | None) -> Medida:
    """Post one signed webhook per number, `concorrencia` at a time; latency to the reply (or to the 200)."""
    partidas: dict[str, float] = {}
    respostas: dict[str, float] = {}
    fila: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(telefones):
        fila.put_nowait(item)

    async def trabalhador(sessao: ClientSession) -> None:
        while not fila.empty():
            numero, wa_id = fila.get_nowait()
            if await _postar(sessao, porta, numero, wa_id, partidas) == 200:
                respostas[wa_id] = time.perf_counter()

    inicio = time.perf_counter()
    async with ClientSession(connector=TCPConnector(limit=concorrencia)) as sessao:
        await asyncio.gather(*(trabalhador(sessao) for _ in range(concorrencia)))
    chegadas = respostas if graph is None else await _chegadas(graph, telefones, 60)
    return _medida(telefones, partidas, chegadas, inicio)


async def carga_aberta(porta: int, telefones: list[str], taxa: float, graph: GraphMedidor) -> Medida:
    """Open loop: one signed webhook every 1/`taxa` s whatever the server does; latency to the reply."""
    partidas: dict[str, float] = {}
    graph.pronto.clear()
    graph.esperados = len(graph.chegadas) + len(telefones)
    inicio = time.perf_counter()
    async with ClientSession(connector=TCPConnector(limit=0)) as sessao:
        tarefas = []
        for numero, wa_id in enumerate(telefones):
            atraso = inicio + numero / taxa - time.perf_counter()
            if atraso > 0:
                await asyncio.sleep(atraso)
            tarefas.append(asyncio.create_task(_postar(sessao, porta, numero, wa_id, partidas)))
        await asyncio.gather(*tarefas)
    return _medida(telefones, partidas, await _chegadas(graph, telefones, 120), inicio)


async def _esperar_porta(porta: int, processo: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if processo.poll() is not None:
            raise RuntimeError(f"o servidor de benchmark saiu com código {processo.returncode}")
        try:
            _, escritor = await asyncio.open_connection("127.0.0.1", porta)
            escritor.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError("o servidor de benchmark não abriu a porta")


NU, ECO = "nu", "eco"  # the two ceilings, in place of a database URL


async def medir(
    alvo: str, telefones: list[str], concorrencia: int, aquecimento: list[str], aberta: list[str] | None = None,
    taxa_aberta: float = 0.0,
) -> tuple[Medida, Medida | None]:
    """Start the bot (`alvo` = a database URL), the echo bot (ECO) or the bare endpoint (NU) in a child process;
    load it closed-loop with `telefones`, then, when `aberta` is given, open-loop at `taxa_aberta` msg/s."""
    graph = GraphMedidor(esperados=len(aquecimento))
    executor = web.AppRunner(graph.app())
    await executor.setup()
    porta_graph, porta = porta_livre(), porta_livre()
    await web.TCPSite(executor, "127.0.0.1", porta_graph).start()
    comando = [sys.executable, __file__, "servir", "--porta", str(porta), "--graph", f"http://127.0.0.1:{porta_graph}"]
    modo = {NU: ["--nu"], ECO: ["--eco"]}.get(alvo, ["--db", alvo])
    processo = subprocess.Popen([*comando, *modo], cwd=RAIZ)
    com_graph = graph if alvo != NU else None
    try:
        await _esperar_porta(porta, processo)
        await carga(porta, aquecimento, concorrencia, com_graph)
        graph.pronto.clear()
        graph.esperados = len(aquecimento) + len(telefones)
        fechada = await carga(porta, telefones, concorrencia, com_graph)
        if not aberta or com_graph is None:
            return fechada, None
        return fechada, await carga_aberta(porta, aberta, taxa_aberta, graph)
    finally:
        processo.terminate()  # the server finishes what it has queued before it exits: a backlog takes a while
        try:
            processo.wait(timeout=120)
        except subprocess.TimeoutExpired:
            processo.kill()
            processo.wait()
        await executor.cleanup()


async def _webhook_nu(request: web.Request) -> web.Response:
    corpo = await request.read()
    if not hmac.compare_digest(assinar(corpo), request.headers.get("X-Hub-Signature-256", "")):
        return web.json_response({"erro": "assinatura inválida"}, status=403)
    json.loads(corpo)
    return web.json_response({"ok": True})


ECO_SESSAO = web.AppKey("eco_sessao", ClientSession)
ECO_GRAPH = web.AppKey("eco_graph", str)


async def _webhook_eco(request: web.Request) -> web.Response:
    """The echo bot: signature, body parsed, one reply posted to the Graph API on a shared session, then 200."""
    corpo = await request.read()
    if not hmac.compare_digest(assinar(corpo), request.headers.get("X-Hub-Signature-256", "")):
        return web.json_response({"erro": "assinatura inválida"}, status=403)
    payload = json.loads(corpo)
    for entrada in payload["entry"]:
        for mudanca in entrada["changes"]:
            for mensagem in mudanca["value"].get("messages", ()):
                texto = {"body": "Olá! Recebemos sua mensagem.", "preview_url": False}
                resposta = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": mensagem["from"],
                            "type": "text", "text": texto}  # fmt: skip
                url = f"{request.app[ECO_GRAPH]}/v23.0/106540352242922/messages"
                async with request.app[ECO_SESSAO].post(url, json=resposta) as r:
                    await r.read()
    return web.json_response({"ok": True})


async def _sessao_eco(app: web.Application) -> AsyncIterator[None]:
    async with ClientSession(connector=TCPConnector(limit=64)) as sessao:
        app[ECO_SESSAO] = sessao
        yield


def servir(argumentos: argparse.Namespace) -> None:
    if argumentos.nu:
        app = web.Application()
        app.router.add_post("/webhooks/whatsapp", _webhook_nu)
    elif argumentos.eco:
        app = web.Application()
        app[ECO_GRAPH] = argumentos.graph.rstrip("/")
        app.cleanup_ctx.append(_sessao_eco)
        app.router.add_post("/webhooks/whatsapp", _webhook_eco)
    else:
        os.environ.update(WHATSAPP_TOKEN="token-wa", WHATSAPP_APP_SECRET=SEGREDO, WHATSAPP_VERIFY_TOKEN="v")
        from bot.dados.banco import criar_engine
        from bot.projeto import carregar_projeto
        from bot.web.app import criar_app
        from tests.apoio.projetos import com_canais

        projeto = com_canais(carregar_projeto(RAIZ / "config.toml"), graph_url=argumentos.graph)
        app = criar_app(projeto, criar_engine(argumentos.db), lambda: datetime.now(UTC), demo=False)
    web.run_app(app, host="127.0.0.1", port=argumentos.porta, print=None, access_log=None)


if __name__ == "__main__":
    sys.path.insert(0, str(RAIZ))
    leitor = argparse.ArgumentParser()
    sub = leitor.add_subparsers(dest="comando", required=True)
    s = sub.add_parser("servir")
    s.add_argument("--porta", type=int, required=True)
    s.add_argument("--graph", required=True)
    s.add_argument("--db")
    s.add_argument("--nu", action="store_true")
    s.add_argument("--eco", action="store_true")
    servir(leitor.parse_args())
