"""WhatsApp webhooks: signed posts, payload builders; fixtures `graph` (the fake Graph API), `cliente_whatsapp`."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.canais.webhooks import RECEPCAO
from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.atualizacoes import carregar
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.projetos import com_canais
from tests.apoio.relogio import AGORA

SEGREDO = "segredo-do-app"


def assinar(corpo: bytes, segredo: str = SEGREDO) -> str:
    return "sha256=" + hmac.new(segredo.encode(), corpo, hashlib.sha256).hexdigest()


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FalsoGraph, str]]:
    """The fake Graph API on a loopback port, and its base URL; requests it holds are let go at the end."""
    falso = FalsoGraph()
    async with TestServer(falso.app()) as servidor:
        yield falso, str(servidor.make_url("")).rstrip("/")
        falso.solto.set()


@pytest.fixture
def ambiente_whatsapp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_TOKEN", "token-wa")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", SEGREDO)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "verifica")


async def cliente_para(projeto: Projeto, url: str, graph_url: str) -> Cliente:
    app = criar_app(com_canais(projeto, graph_url=graph_url), criar_engine(url), lambda: AGORA, demo=False)
    cliente: Cliente = TestClient(TestServer(app))
    await cliente.start_server()
    return cliente


@pytest.fixture
async def cliente_whatsapp(
    projeto: Projeto, url: str, graph: tuple[FalsoGraph, str], ambiente_whatsapp: None
) -> AsyncIterator[Cliente]:
    c = await cliente_para(projeto, url, graph[1])
    yield c
    await c.close()


async def postar(cliente: Cliente, payload: Any, segredo: str = SEGREDO) -> int:
    corpo = json.dumps(payload).encode()
    cabecalhos = {"Content-Type": "application/json", "X-Hub-Signature-256": assinar(corpo, segredo)}
    resposta = await cliente.post("/webhooks/whatsapp", data=corpo, headers=cabecalhos)
    await cliente.app[RECEPCAO].ocioso()
    return resposta.status


def engine_de(cliente: Cliente) -> AsyncEngine:
    return cliente.app[RECEPCAO].engine


def com_id(payload: dict[str, Any], wamid: str) -> dict[str, Any]:
    copia: dict[str, Any] = json.loads(json.dumps(payload))
    copia["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = wamid
    return copia


def texto(mensagem: str, wamid: str) -> dict[str, Any]:
    payload = com_id(carregar("whatsapp_texto.json"), wamid)
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = mensagem
    return payload
