"""A real browser (Debian's Chromium via Playwright) and the demo app on a loopback port (fixture `endereco`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright

from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.relogio import AGORA

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
