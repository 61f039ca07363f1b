"""The payment page in a real headless Chromium: codes visible, copy buttons work, SVGs drawn, nothing external."""

from __future__ import annotations

import re

import aiohttp
from playwright.async_api import Request, expect

from tests.apoio.navegador import chromium

FALAS = ("oi", "sim", "390", "esqueci", "sim", "sim")


async def _link(base: str) -> str:
    """Negotiate as Maria through the demo chat's API; the payment-page path the bot sent."""
    async with aiohttp.ClientSession() as sessao:
        for fala in FALAS:
            async with sessao.post(f"{base}api/conversas/1/mensagens", json={"texto": fala}) as resposta:
                textos = [r["texto"] for r in (await resposta.json())["respostas"]]
    achado = re.search(r"/p/[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])", textos[-1])
    assert achado is not None, textos[-1]
    return achado.group(0)


async def test_pagina_de_pagamento_no_navegador(endereco: str) -> None:
    caminho = await _link(endereco)
    pedidos: list[str] = []
    async with chromium() as navegador:
        pagina = await navegador.new_page(viewport={"width": 390, "height": 844})  # a phone
        pagina.on("request", lambda pedido: pedidos.append(_url(pedido)))
        await pagina.goto(endereco.rstrip("/") + caminho)

        await expect(pagina.get_by_text("Loja Exemplo Comércio Ltda.").first).to_be_visible()
        await expect(pagina.get_by_text("Acordo nº 1 · parcela 1/1")).to_be_visible()
        await expect(pagina.locator("#pix")).to_contain_text("000201")
        await expect(pagina.locator("#linha")).to_have_text(
            re.compile(r"^\d{5}\.\d{5} \d{5}\.\d{6} \d{5}\.\d{6} \d \d{14}$")
        )

        qr = pagina.locator(".qr svg")
        await expect(qr).to_be_visible()
        caixa_qr = await qr.bounding_box()
        assert caixa_qr is not None and caixa_qr["width"] > 100 and abs(caixa_qr["width"] - caixa_qr["height"]) < 2
        barras = pagina.locator(".boleto svg")
        await expect(barras).to_be_visible()
        caixa_barras = await barras.bounding_box()
        assert caixa_barras is not None and caixa_barras["width"] > caixa_barras["height"] > 0
        assert await barras.locator("rect").count() > 40  # ITF bars, not an empty frame

        for alvo, nome in (("pix", "Copiar código PIX"), ("linha", "Copiar linha digitável")):
            botao = pagina.locator(f'[data-copiar="{alvo}"]')
            await expect(botao).to_have_text(nome)
            await botao.click()
            await expect(botao).to_have_text("Copiado!")
        await expect(pagina.get_by_role("button", name="Imprimir ou salvar em PDF")).to_be_visible()

    base = endereco.rstrip("/")
    assert pedidos and all(p.startswith(base) or p.startswith("data:") for p in pedidos), pedidos


def _url(pedido: Request) -> str:
    return pedido.url
