"""The web chat through a real aiohttp client against the app on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dados.banco import criar_engine
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.conftest import AGORA


@pytest.fixture
async def cliente(projeto: Projeto, url: str) -> AsyncIterator[TestClient[object, object]]:
    app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=True)
    async with TestClient(TestServer(app)) as client:
        yield client


async def primeiro_devedor(cliente: TestClient[object, object]) -> str:
    pagina = await (await cliente.get("/")).text()
    assert "Maria da Silva Santos" in pagina
    inicio = pagina.index('data-id="') + len('data-id="')
    return pagina[inicio : pagina.index('"', inicio)]


async def test_conversa_pelo_chat_web(cliente: TestClient[object, object]) -> None:
    devedor = await primeiro_devedor(cliente)
    rota = f"/api/conversas/{devedor}/mensagens"
    resposta = await cliente.post(rota, json={"texto": "oi"})
    assert resposta.status == 200
    corpo = await resposta.json()
    assert corpo["respostas"][0]["opcoes"][0] == {"id": "sim", "titulo": "Sim, sou eu"}
    botao = await (await cliente.post(rota, json={"texto": "Sim, sou eu", "opcao": "sim"})).json()
    assert "CPF" in botao["respostas"][0]["texto"]
    historico = await (await cliente.get(rota)).json()
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
async def test_entrada_ruim_recebe_erro_claro(
    cliente: TestClient[object, object], corpo: bytes, status: int, erro: str
) -> None:
    devedor = await primeiro_devedor(cliente)
    resposta = await cliente.post(
        f"/api/conversas/{devedor}/mensagens", data=corpo, headers={"Content-Type": "application/json"}
    )
    assert resposta.status == status
    assert (await resposta.json()) == {"erro": erro}


async def test_mensagem_longa_e_devedor_inexistente(cliente: TestClient[object, object]) -> None:
    longa = await cliente.post("/api/conversas/1/mensagens", json={"texto": "a" * 2001})
    assert longa.status == 413
    inexistente = await cliente.post("/api/conversas/99999/mensagens", json={"texto": "oi"})
    assert inexistente.status == 404
    letras = await cliente.post("/api/conversas/abc/mensagens", json={"texto": "oi"})
    assert letras.status == 404
    enorme = await cliente.post("/api/conversas/1/mensagens", data=b"x" * 100_000)
    assert enorme.status == 413


async def test_sem_modo_demo_nao_ha_lista_de_devedores(projeto: Projeto, url: str) -> None:
    app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=False)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/")).status == 404
        assert (await client.post("/api/conversas/1/mensagens", json={"texto": "oi"})).status == 404
        assert (await client.get("/api/conversas/1/mensagens")).status == 404
        assert (await client.get("/healthz")).status == 200
