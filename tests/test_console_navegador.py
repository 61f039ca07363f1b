"""The agents' console in a real Chromium: log in, see a hand-off arrive live, take it, reply, give it back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from bot.console.usuarios import criar_usuario
from bot.dados.banco import criar_engine, sessao
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.conftest import AGORA
from tests.test_navegador import chromium, digitar

SENHA = "senha-do-teste-123"


@pytest.fixture
async def servidor(projeto: Projeto, url: str) -> AsyncIterator[tuple[str, list[str]]]:
    """The demo app with an agent, on a free loopback port; also the paths every request asked for."""
    engine = criar_engine(url)
    async with sessao(engine) as s:
        await criar_usuario(s, "ana", "Ana Atendente", "agente", SENHA, AGORA)
    app = criar_app(projeto, engine, lambda: AGORA, demo=True)
    caminhos: list[str] = []

    @web.middleware
    async def anotar(request: web.Request, handler: object) -> web.StreamResponse:
        caminhos.append(str(request.rel_url))
        return await handler(request)  # type: ignore[operator,no-any-return]

    app.middlewares.insert(0, anotar)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, porta = runner.addresses[0][:2]
        yield f"http://{host}:{porta}/", caminhos
    finally:
        await runner.cleanup()


async def entrar(pagina: Page, endereco: str) -> None:
    await pagina.goto(f"{endereco}console/")
    await pagina.get_by_label("Login").fill("ana")
    await pagina.get_by_label("Senha").fill(SENHA)
    await pagina.get_by_role("button", name="Entrar").click()
    await expect(pagina.get_by_role("heading", name="Fila de atendimento")).to_be_visible()


async def test_transferencia_ao_vivo_atendida_e_devolvida(servidor: tuple[str, list[str]]) -> None:
    endereco, caminhos = servidor
    async with chromium() as navegador:
        console = await (await navegador.new_context()).new_page()
        chat = await (await navegador.new_context()).new_page()
        await entrar(console, endereco)
        await expect(console.locator("#fila tbody")).to_contain_text("Nenhuma conversa na fila")

        await chat.goto(endereco)
        await chat.locator("#devedores").get_by_role("button", name="Maria da Silva Santos").click()
        await digitar(chat, "oi")
        await chat.get_by_role("button", name="Sim, sou eu").click()
        await digitar(chat, "390")
        await expect(chat.locator(".msg.bot").last).to_contain_text("o que aconteceu?")
        await digitar(chat, "quero falar com um atendente")

        linha = console.locator("#fila tbody tr", has_text="Maria")  # arrives by server-sent event, no reload
        await expect(linha).to_contain_text("Pediu uma pessoa")
        await expect(linha).to_contain_text("na fila")
        await linha.get_by_role("link").click()
        await console.get_by_role("button", name="Assumir conversa").click()
        await expect(console.locator("#dono")).to_have_text("Ana Atendente")
        await expect(console.get_by_text("***.533.447-**")).to_be_visible()

        await digitar(chat, "alô?")  # a person owns it now: the bot says nothing
        await console.get_by_label("Resposta").fill("Oi Maria, aqui é a Ana. Vamos resolver juntas.")
        await console.get_by_role("button", name="Enviar resposta").click()
        await expect(console.locator("#mensagens")).to_contain_text("Vamos resolver juntas")
        await expect(chat.locator(".msg.bot").last).to_contain_text("aqui é a Ana")  # the web chat polls
        await expect(chat.locator(".msg.bot", has_text="uma pessoa da equipe vai responder")).to_have_count(1)

        await console.get_by_role("button", name="Oferecer e devolver ao bot").first.click()
        await expect(console.locator("#dono")).to_have_text("bot")
        await expect(chat.locator(".msg.bot").last).to_contain_text("Tenho uma proposta")
        await chat.get_by_role("button", name="Aceito").last.click()
        await expect(chat.locator(".msg.bot").last).to_contain_text("Confirma o acordo?")

    cpf, nome = "39053344705", "Maria"
    assert [c for c in caminhos if cpf in c or "390.533" in c or nome in c] == []
