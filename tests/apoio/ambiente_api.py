"""Support for the API and integration tests: the real app behind a real HTTP client, and tokens by scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.api.tokens import criar_token
from bot.atendimento.servico import Atendimento
from bot.conversa.fatos import Entrada
from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.chat_web import FALAS_ATE_O_ACORDO
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import Relogio

TODOS = ["devedores:ler", "carteira:escrever", "pagamentos:escrever", "cobranca:escrever"]


@dataclass
class AmbienteApi:
    engine: AsyncEngine
    cliente: Cliente
    relogio: Relogio
    atendimento: Atendimento
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, nome: str, escopos: list[str] = TODOS) -> dict[str, str]:
        """Authorization headers of a new token with `escopos`."""
        self.tokens[nome] = await criar_token(self.engine, nome, escopos, self.relogio())
        return {"Authorization": f"Bearer {self.tokens[nome]}"}

    async def fechar_acordo(self) -> None:
        for texto in FALAS_ATE_O_ACORDO:
            await self.atendimento.receber(1, "web", Entrada(texto))


@asynccontextmanager
async def ambiente_api(projeto: Projeto, url: str) -> AsyncIterator[AmbienteApi]:
    """`serve`'s app (as `criar_app` builds it) on a local port, with a client speaking HTTP to it."""
    relogio = Relogio()
    engine = criar_engine(url)
    app = criar_app(projeto, engine, relogio, demo=False)
    cliente: Cliente = TestClient(TestServer(app))
    await cliente.start_server()
    try:
        yield AmbienteApi(engine, cliente, relogio, Atendimento(projeto.motor, engine, relogio))
    finally:
        await cliente.close()
