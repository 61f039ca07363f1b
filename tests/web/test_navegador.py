"""The demo web chat in a real Chromium: from "oi" to a registered agreement, clicking like a person would."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.apoio.navegador import chromium, digitar


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
