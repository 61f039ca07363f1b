"""The web chat through a real aiohttp client against the app on loopback."""

from __future__ import annotations

import logging
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config.arquivo import Web
from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import AGORA


async def primeiro_devedor(cliente_demo: Cliente) -> str:
    pagina = await (await cliente_demo.get("/")).text()
    assert "Maria da Silva Santos" in pagina
    inicio = pagina.index('data-id="') + len('data-id="')
    return pagina[inicio : pagina.index('"', inicio)]


async def test_conversa_pelo_chat_web(cliente_demo: Cliente) -> None:
    devedor = await primeiro_devedor(cliente_demo)
    rota = f"/api/conversas/{devedor}/mensagens"
    resposta = await cliente_demo.post(rota, json={"texto": "oi"})
    assert resposta.status == 200
    corpo = await resposta.json()
    assert corpo["respostas"][0]["opcoes"][0] == {"id": "sim", "titulo": "Sim, sou eu"}
    botao = await (await cliente_demo.post(rota, json={"texto": "Sim, sou eu", "opcao": "sim"})).json()
    assert "CPF" in botao["respostas"][0]["texto"]
    historico = await (await cliente_demo.get(rota)).json()
    assert historico["estado"] == "identificacao"
    assert [m["direcao"] for m in historico["mensagens"]] == ["entrada", "saida", "entrada", "saida"]


@pytest.mark.parametrize(
    ("corpo", "status", "erro"),
    [
        (b"{nao e json", 400, "corpo inválido: esperado JSON"),
        (b"[1, 2]", 400, "corpo inválido: esperado um objeto JSON"),
        (b'{"texto": 5}', 400, "'texto' e 'opcao' devem ser textos"),
        (b'{"texto": "   "}', 400, "mensagem vazia"),
        (b"\xff\xfe", 400, "corpo inválido: esperado JSON"),
    ],
)
async def test_entrada_ruim_recebe_erro_claro(cliente_demo: Cliente, corpo: bytes, status: int, erro: str) -> None:
    devedor = await primeiro_devedor(cliente_demo)
    resposta = await cliente_demo.post(
        f"/api/conversas/{devedor}/mensagens", data=corpo, headers={"Content-Type": "application/json"}
    )
    assert resposta.status == status
    assert (await resposta.json()) == {"erro": erro}


async def test_mensagem_longa_e_devedor_inexistente(cliente_demo: Cliente) -> None:
    longa = await cliente_demo.post("/api/conversas/1/mensagens", json={"texto": "a" * 2001})
    assert longa.status == 413
    inexistente = await cliente_demo.post("/api/conversas/99999/mensagens", json={"texto": "oi"})
    assert inexistente.status == 404
    letras = await cliente_demo.post("/api/conversas/abc/mensagens", json={"texto": "oi"})
    assert letras.status == 404
    enorme = await cliente_demo.post("/api/conversas/1/mensagens", data=b"x" * 100_000)
    assert enorme.status == 413


async def test_sem_modo_demo_nao_ha_lista_de_devedores(projeto: Projeto, url: str) -> None:
    app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=False)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/")).status == 404
        assert (await client.post("/api/conversas/1/mensagens", json={"texto": "oi"})).status == 404
        assert (await client.get("/api/conversas/1/mensagens")).status == 404
        assert (await client.get("/healthz")).status == 200


async def test_links_de_pagamento_seguem_a_porta_do_servidor(projeto: Projeto, url: str) -> None:
    no_servidor = projeto.no_endereco("127.0.0.1", 8123)
    app = criar_app(no_servidor, criar_engine(url), lambda: AGORA, demo=True)
    async with TestClient(TestServer(app)) as client:
        pagina = await (await client.get("/")).text()
        devedor = re.findall(r'data-id="(\d+)" data-nome="Maria"', pagina)[0]
        rota = f"/api/conversas/{devedor}/mensagens"
        for texto in ["oi", "sim", "390", "esqueci", "nao consigo", "1", "sim"]:
            corpo = await (await client.post(rota, json={"texto": texto})).json()
    registrado, codigos = (r["texto"] for r in corpo["respostas"][-2:])  # the terms, then the document
    assert registrado.startswith("Acordo registrado!")
    assert "http://127.0.0.1:8123/p/" in codigos and ":8080" not in codigos


@pytest.mark.parametrize(
    ("secao", "host", "porta", "esperada"),
    [
        ({}, "127.0.0.1", 9001, "http://127.0.0.1:9001"),
        ({}, "0.0.0.0", 9002, "http://127.0.0.1:9002"),  # listening everywhere: this machine on the loopback
        ({}, "::1", 9003, "http://[::1]:9003"),
        ({"url_publica": "https://pagar.exemplo.com.br/"}, "0.0.0.0", 9004, "https://pagar.exemplo.com.br"),
    ],
)
def test_url_publica_segue_host_e_porta_salvo_se_definida(
    secao: dict[str, str], host: str, porta: int, esperada: str
) -> None:
    web_config = Web.model_validate(secao)
    assert web_config.url_publica == (secao.get("url_publica", "").rstrip("/") or "http://127.0.0.1:8080")
    no_servidor = web_config.no_endereco(host, porta)
    assert no_servidor.url_publica == esperada
    assert no_servidor.url_automatica == ("url_publica" not in secao)


@pytest.mark.parametrize(("demo", "nivel"), [(True, logging.INFO), (False, logging.WARNING)])
def test_canais_desligados_sao_informacao_na_demo(
    projeto: Projeto, url: str, caplog: pytest.LogCaptureFixture, demo: bool, nivel: int
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.canais.webhooks"):
        criar_app(projeto, criar_engine(url), lambda: AGORA, demo=demo)
    desligados = [r for r in caplog.records if "desligado" in r.getMessage()]
    assert len(desligados) == 4 and {r.levelno for r in desligados} == {nivel}  # WhatsApp, Telegram, SMS, e-mail
