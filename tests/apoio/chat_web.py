"""Chatting as a debtor through the real web app (the demo chat), up to an agreement and its payment page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import Relogio

NAVEGADOR = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36"
FALAS_ATE_O_ACORDO = ("oi", "sim", "390", "esqueci", "sim", "sim")  # Maria (id 1) closes option 1 on the web chat
LINK = re.compile(r"http://127\.0\.0\.1:8080(/p/[A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])")


async def conversar(cliente: Cliente, conversa: int, *textos: str) -> list[str]:
    """Send each text as the debtor of web conversation `conversa`; the bot's answers, in order."""
    respostas: list[str] = []
    for texto in textos:
        corpo = await (await cliente.post(f"/api/conversas/{conversa}/mensagens", json={"texto": texto})).json()
        respostas += [r["texto"] for r in corpo["respostas"]]
    return respostas


async def fechar_acordo(cliente: Cliente, conversa: int = 1) -> str:
    """Maria (conversation 1 of the example portfolio) up to a cash agreement; the payment page's path."""
    respostas = await conversar(cliente, conversa, *FALAS_ATE_O_ACORDO)
    achado = LINK.search(respostas[-1])
    assert achado is not None, respostas[-1]
    return achado.group(1)


@asynccontextmanager
async def demo(projeto: Projeto, url: str, relogio: Relogio) -> AsyncIterator[Cliente]:
    """The demo web app (chat, payment page with its simulate button) on `url`, through a real HTTP client."""
    async with TestClient(TestServer(criar_app(projeto, criar_engine(url), relogio, demo=True))) as cliente:
        yield cliente


@pytest.fixture
async def cliente_demo(projeto: Projeto, url: str, relogio: Relogio) -> AsyncIterator[Cliente]:
    """The demo web app over the example portfolio, reading the test's clock."""
    async with demo(projeto, url, relogio) as cliente:
        yield cliente
