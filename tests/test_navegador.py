"""The demo web chat in a real Chromium: from "oi" to a registered agreement, clicking like a person would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.conftest import AGORA

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright's own browser downloads are not used
OPCOES_CHROMIUM = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
async def endereco(projeto: Projeto, url: str) -> AsyncIterator[str]:
    """The demo app over the example portfolio, served on a free loopback port."""
    app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=True)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, porta = runner.addresses[0][:2]
        yield f"http://{host}:{porta}/"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():  # a missing browser must fail CI, never skip the test
        pytest.fail(f"{CHROMIUM} não existe: instale o Chromium do Debian (apt-get install chromium)")
    async with async_playwright() as playwright:
        navegador = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=OPCOES_CHROMIUM)
        try:
            yield navegador
        finally:
            await navegador.close()


async def digitar(pagina: Page, texto: str) -> None:
    await pagina.get_by_role("textbox", name="Mensagem").fill(texto)
    await pagina.get_by_role("button", name="Enviar").click()


async def assert_sem_valores(pagina: Page) -> None:
    assert "R$" not in await pagina.locator("body").inner_text()


async def test_acordo_pelo_chat_no_navegador(endereco: str) -> None:
    async with chromium() as navegador:
        pagina = await navegador.new_page()
        await pagina.goto(endereco)
        bot = pagina.locator(".msg.bot")

        await pagina.locator("#devedores").get_by_role("button", name="Maria da Silva Santos").click()
        await expect(pagina.locator("#mensagens .aviso")).to_have_text(
            'Você é Maria: diga "oi" para começar a conversa.'
        )
        await digitar(pagina, "oi")
        await expect(bot.last).to_contain_text("CNPJ 11.222.333/0001-81")
        await assert_sem_valores(pagina)

        await pagina.get_by_role("button", name="Sim, sou eu").click()
        await expect(bot.last).to_contain_text("3 primeiros dígitos do seu CPF")
        await assert_sem_valores(pagina)

        await digitar(pagina, "390")
        await expect(bot.last).to_contain_text("o que aconteceu?")
        await digitar(pagina, "esqueci")
        await expect(bot.last).to_contain_text("Tenho uma proposta")
        await pagina.get_by_role("button", name="Aceito").click()
        await expect(bot.last).to_contain_text("Confirma o acordo?")
        await expect(pagina.get_by_role("button", name="Aceito")).to_be_disabled()  # a stale click would confirm
        await pagina.get_by_role("button", name="Confirmo").click()

        await expect(bot.nth(-2)).to_contain_text("Acordo registrado")  # the terms, then the document's codes
        await expect(bot.last).to_contain_text(re.compile(r"PIX copia e cola:\s+000201"))
        link = bot.last.locator("a[href*='/p/']")  # the payment page, clickable
        await expect(link).to_have_text(re.compile(r"^http://127\.0\.0\.1:\d+/p/[\w-]+$"))
        assert await link.get_attribute("target") == "_blank" and await link.get_attribute("rel") == "noopener"
