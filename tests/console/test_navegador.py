"""The agents' console in a real Chromium: log in, see a hand-off arrive live, take it, reply, give it back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from playwright.async_api import Page, expect

from bot.console.usuarios import criar_usuario
from bot.dados.banco import criar_engine, sessao
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.navegador import chromium, digitar
from tests.apoio.relogio import AGORA

SENHA = "senha-do-teste-123"


@pytest.fixture
async def servidor(projeto: Projeto, url: str) -> AsyncIterator[tuple[str, list[str]]]:
    """The demo app with an agent, on a free loopback port; also the paths every request asked for."""
    engine = criar_engine(url)
    async with sessao(engine) as s:
        await criar_usuario(s, "ana", "Ana Atendente", "agente", SENHA, AGORA)
        await criar_usuario(s, "gil", "Gil Gestor", "gestor", SENHA, AGORA)
    app = criar_app(projeto, engine, lambda: AGORA, demo=True)
    caminhos: list[str] = []

    @web.middleware
    async def anotar(request: web.Request, handler: Handler) -> web.StreamResponse:
        caminhos.append(str(request.rel_url))
        return await handler(request)

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


async def entrar(pagina: Page, endereco: str, login: str = "ana") -> None:
    await pagina.goto(f"{endereco}console/")
    await pagina.get_by_label("Login").fill(login)
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

        await pedir_pessoa(chat, endereco)

        linha = console.locator("#fila tbody tr", has_text="Maria")  # arrives by server-sent event, no reload
        await expect(linha).to_contain_text("Pediu uma pessoa")
        await expect(linha).to_contain_text("na fila")
        await linha.get_by_role("link").click()
        await console.get_by_role("button", name="Assumir conversa").click()
        await expect(console.locator("#dono")).to_have_text("Ana Atendente")
        await expect(console.get_by_text("***.533.447-**")).to_be_visible()

        await digitar(chat, "alô?")  # a person owns it now: the bot says nothing
        await console.get_by_label("Resposta", exact=True).fill("Oi Maria, aqui é a Ana. Vamos resolver juntas.")
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


def largura(caixa_de_vista: str | None) -> float:
    return float((caixa_de_vista or "0 0 0 0").split()[2])


def origem_x(caixa_de_vista: str | None) -> float:
    return float((caixa_de_vista or "0 0 0 0").split()[0])


async def test_gestor_ve_os_fluxos_desenhados_e_a_previa(servidor: tuple[str, list[str]], tmp_path: Path) -> None:
    endereco, _ = servidor
    async with chromium() as navegador:
        pagina = await (await navegador.new_context()).new_page()
        erros: list[str] = []
        pagina.on("console", lambda m: erros.append(m.text) if m.type == "error" else None)
        externos: list[str] = []
        pagina.on("request", lambda r: None if r.url.startswith(endereco) else externos.append(r.url))
        falhas: list[str] = []
        pagina.on("response", lambda r: falhas.append(r.url) if r.status >= 400 else None)
        await entrar(pagina, endereco, "gil")
        await pagina.get_by_role("link", name="Gestão").click()
        await pagina.get_by_label("Dia", exact=True).fill("07/12/2026")
        await pagina.get_by_role("button", name="Ver prévia").click()
        await expect(pagina.locator("#previa-regua tbody tr")).to_have_count(1)
        await expect(pagina.locator("#previa-regua tbody tr")).to_contain_text("Parcela: 5 dias antes do vencimento")
        await pagina.locator("select[name=situacao]").select_option(label="Adiado")
        await pagina.get_by_role("button", name="Ver prévia").click()
        await expect(pagina.locator("#resumo-previa")).to_contain_text("0 de 1 lembrete(s)")

        caixa = pagina.locator("pre.mermaid").first
        diagrama = caixa.locator("svg")  # drawn in the browser by the local Mermaid copy
        await expect(diagrama).to_be_visible()
        await expect(diagrama.locator("text=saudacao").first).to_be_attached()
        await expect(caixa).to_have_class(re.compile("visor"))
        await sem_estouro(pagina)
        assert await caixa.evaluate("c => c.scrollWidth <= c.clientWidth && c.scrollHeight <= c.clientHeight")
        desenho, visor = await diagrama.bounding_box(), await caixa.bounding_box()
        assert desenho and visor and desenho["width"] <= visor["width"] + 1  # the whole flow fits its box
        inteira = await diagrama.get_attribute("viewBox")

        await pagina.get_by_role("button", name="Aproximar").click()
        aproximada = await diagrama.get_attribute("viewBox")
        assert largura(aproximada) < largura(inteira) / 1.4  # zoomed in: a smaller piece of the flow fills the box
        await caixa.scroll_into_view_if_needed()
        visor = await caixa.bounding_box()  # where the box is now, in the window
        assert visor is not None
        await pagina.mouse.move(visor["x"] + visor["width"] / 2, visor["y"] + visor["height"] / 2)
        await pagina.mouse.down()
        await pagina.mouse.move(visor["x"] + visor["width"] / 2 - 200, visor["y"] + visor["height"] / 2, steps=5)
        await pagina.mouse.up()
        movida = await diagrama.get_attribute("viewBox")
        assert origem_x(movida) > origem_x(aproximada) and largura(movida) == largura(aproximada)  # panned
        await pagina.get_by_role("button", name="Ajustar à caixa").click()
        assert await diagrama.get_attribute("viewBox") == inteira
        await pagina.screenshot(path=str(tmp_path / "gestao.png"), full_page=True)
    assert externos == []
    assert [f for f in falhas if not f.endswith("/favicon.ico")] == []  # the browser's own guess, not ours
    assert [e for e in erros if "404" not in e] == []  # no CSP violation, no script error


async def pedir_pessoa(chat: Page, endereco: str, *falas: str) -> None:
    """Maria, on the demo chat, confirms who she is, says `falas` and asks for a person."""
    await chat.goto(endereco)
    await chat.locator("#devedores").get_by_role("button", name="Maria da Silva Santos").click()
    await digitar(chat, "oi")
    await chat.get_by_role("button", name="Sim, sou eu").click()
    await digitar(chat, "390")
    await expect(chat.locator(".msg.bot").last).to_contain_text("o que aconteceu?")
    for fala in falas:
        await digitar(chat, fala)
    await digitar(chat, "quero falar com um atendente")
    await expect(chat.locator(".msg.bot").last).to_contain_text("pessoa")


async def sem_estouro(pagina: Page) -> None:
    """Nothing wider than the window, no message wider than its bubble."""
    largura = await pagina.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert largura <= 0
    bolhas = await pagina.locator("#mensagens .msg").evaluate_all("l => l.filter(m => m.scrollWidth > m.clientWidth)")
    assert bolhas == []


async def no_fim(pagina: Page) -> bool:
    return bool(await pagina.locator("#mensagens").evaluate("l => l.scrollHeight - l.scrollTop - l.clientHeight < 2"))


async def test_conversa_abre_na_mais_recente_e_age_sem_recarregar(servidor: tuple[str, list[str]]) -> None:
    endereco, caminhos = servidor
    async with chromium() as navegador:
        chat = await (await navegador.new_context()).new_page()
        await pedir_pessoa(chat, endereco, "tô sem trampo", "isso é golpe?", "não consigo", "qual o valor?")
        console = await (await navegador.new_context(viewport={"width": 1024, "height": 700})).new_page()
        await entrar(console, endereco)
        await console.locator("#fila tbody tr", has_text="Maria").get_by_role("link").click()
        mensagens = console.locator("#mensagens")
        assert await mensagens.evaluate("l => l.scrollHeight > l.clientHeight")  # enough to scroll
        assert await no_fim(console)  # opens at the newest message, at the bottom
        await expect(mensagens.locator(".msg").last).to_contain_text("pessoa")
        await expect(mensagens.locator(".msg b", has_text="Loja Exemplo Comércio Ltda.").first).to_be_visible()
        assert "*Loja" not in await mensagens.inner_text()  # WhatsApp's bold drawn, not raw asterisks

        await console.evaluate("window.semRecarregar = true")
        paginas_antes = caminhos.count(console.url.removeprefix(endereco.rstrip("/")))
        await console.get_by_role("button", name="Assumir conversa").click()
        await expect(console.locator("#notificacao")).to_have_text(re.compile("Conversa assumida"))
        await expect(console.locator("#notificacao")).to_have_class(re.compile("sucesso"))
        await expect(console.locator("#dono")).to_have_text("Ana Atendente")

        caixa = console.get_by_label("Resposta", exact=True)
        await caixa.type("Combinado. ")
        await console.get_by_label("Resposta pronta").select_option(label="Próxima parcela")  # at the cursor
        await expect(caixa).to_have_value(
            re.compile(r"^Combinado\. Maria, a próxima parcela é de R\$\xa0[\d.,]+, com ")
        )
        await expect(caixa).to_be_focused()
        await caixa.fill("")
        await caixa.type("Oi Maria, aqui é a Ana.")
        await caixa.press("Shift+Enter")  # a new line, not a send
        await caixa.type("PIX: " + "00020126580014br.gov.bcb.pix" * 8)
        await expect(caixa).to_have_value(re.compile("Ana\\.\nPIX"))
        await caixa.press("Enter")
        ultima = mensagens.locator(".msg").last
        await expect(ultima).to_contain_text("aqui é a Ana.\nPIX: 0002")
        await expect(console.locator("#notificacao")).to_have_text("Resposta enviada.")
        await expect(caixa).to_have_value("")
        assert await no_fim(console)
        await sem_estouro(console)

        await console.get_by_role("button", name="Anotar").click()  # a required field left empty: no post
        await console.get_by_label("Nota").fill("pediu para ligar depois das 18h")
        await console.get_by_label("Nota").press("Enter")
        await expect(console.locator("#notificacao")).to_have_text("Nota registrada.")
        await expect(console.get_by_text("pediu para ligar depois das 18h")).to_be_visible()
        await console.get_by_label("Valor", exact=True).fill("150,00")
        await console.get_by_label("Data", exact=True).fill("30/11/2026")  # pt-BR, whatever the browser's locale
        await console.get_by_role("button", name="Registrar promessa").click()
        await expect(console.locator("#notificacao")).to_have_text("Promessa de pagamento registrada.")
        await expect(console.locator("#historico")).to_contain_text(
            "registrou a promessa de R$\xa0150,00 para 30/11/2026"
        )
        assert await console.evaluate("window.semRecarregar") is True  # the page was never reloaded
        # the page was fetched again in the background (owner, forms, notes), but never navigated to
        assert caminhos.count(console.url.removeprefix(endereco.rstrip("/"))) == paginas_antes + 4
