"""The agents' console over HTTP: three users and a recording sender (fixture `amb`), log-in and form helpers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.atendimento.servico import Atendimento
from bot.console.autenticacao import gerar_hash
from bot.conversa.fatos import Entrada
from bot.dados.atendentes import Usuario
from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import Conversa, Devedor
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.remetente import RemetenteFalso
from tests.apoio.leituras import CPF_MARIA
from tests.apoio.relogio import AGORA, Relogio

SENHA = "senha-do-teste-123"


@dataclass
class Ambiente:
    app: web.Application
    engine: AsyncEngine
    relogio: Relogio
    remetente: RemetenteFalso
    atendimento: Atendimento
    clientes: list[Cliente] = field(default_factory=list)
    servidor: TestServer = field(init=False)

    def __post_init__(self) -> None:
        self.servidor = TestServer(self.app)  # one server; each agent's client keeps its own cookies

    async def cliente(self) -> Cliente:
        cliente = TestClient(self.servidor)
        if not self.clientes:
            await cliente.start_server()
        self.clientes.append(cliente)
        return cliente

    async def escalar(self, cpf: str = CPF_MARIA, canal: str = "web") -> int:
        """The debtor confirms identity and asks for a person; returns the conversation id."""
        async with sessao(self.engine) as s:
            devedor = (await s.exec(select(Devedor).where(Devedor.cpf == cpf))).one()
        assert devedor.id is not None
        for texto in ("oi", "sim", cpf[:3], "quero falar com um atendente"):
            await self.atendimento.receber(devedor.id, canal, Entrada(texto))
        async with sessao(self.engine) as s:
            conversa = (
                await s.exec(select(Conversa).where(Conversa.devedor_id == devedor.id, Conversa.canal == canal))
            ).one()
        assert conversa.dono == "fila" and conversa.id is not None
        return conversa.id


@cache
def hash_da_senha() -> str:
    """SENHA's argon2 hash, drawn once per run: hashing costs ~0.2 s of CPU by design, and every console test
    starts with three users (logging in still verifies against it, as in production)."""
    return gerar_hash(SENHA)


@pytest.fixture
async def amb(projeto: Projeto, url: str) -> AsyncIterator[Ambiente]:
    relogio, remetente = Relogio(), RemetenteFalso()
    engine = criar_engine(url)
    async with sessao(engine) as s:  # creating users is tested in console/test_usuarios.py; here, the same hash
        for login, nome, papel in (("ana", "Ana", "agente"), ("beto", "Beto", "agente"), ("gil", "Gil", "gestor")):
            s.add(Usuario(login=login, nome=nome, papel=papel, senha_hash=hash_da_senha(), criado_em=AGORA))
        await s.commit()
    app = criar_app(projeto, engine, relogio, demo=True, remetentes={"whatsapp": remetente})
    ambiente = Ambiente(app, engine, relogio, remetente, Atendimento(projeto.motor, engine, relogio))
    yield ambiente
    for cliente in reversed(ambiente.clientes):
        await cliente.close()


def csrf(html: str) -> str:
    achado = re.search(r'name="csrf" value="([^"]+)"', html)
    assert achado is not None
    return achado.group(1)


async def entrar(cliente: Cliente, login: str, senha: str = SENHA) -> int:
    formulario = await (await cliente.get("/console/entrar")).text()
    resposta = await cliente.post(
        "/console/entrar", data={"login": login, "senha": senha, "csrf": csrf(formulario)}, allow_redirects=False
    )
    return resposta.status


async def token(cliente: Cliente, conversa_id: int | None = None) -> str:
    caminho = f"/console/conversas/{conversa_id}" if conversa_id else "/console/"
    return csrf(await (await cliente.get(caminho)).text())


async def postar(cliente: Cliente, conversa_id: int, acao: str, **campos: str) -> int:
    campos.setdefault("csrf", await token(cliente, conversa_id))
    resposta = await cliente.post(f"/console/conversas/{conversa_id}/{acao}", data=campos, allow_redirects=False)
    return resposta.status


async def com_acordo(amb: Ambiente) -> int:
    """Ana takes a WhatsApp hand-off, offers option 1 of the book and the debtor accepts: an active agreement."""
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    assert await postar(ana, conversa, "devolver", ponto="oferta", opcao="1") == 303
    await amb.atendimento.receber(1, "whatsapp", Entrada("aceito"))
    await amb.atendimento.receber(1, "whatsapp", Entrada("sim"))
    assert await postar(ana, conversa, "assumir") == 303
    return conversa
