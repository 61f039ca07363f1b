"""`/healthz` and `/metrics` through a real client; the exposition read back by prometheus_client's parser."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.canais import caixa
from bot.dados.banco import criar_engine, sessao
from bot.dados.saida import Saida
from bot.observabilidade.endpoints import instalar_operacao
from bot.observabilidade.exposicao import Familia, Tipo, expor
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import AGORA


def _amostras(texto: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (a.name, frozenset(a.labels.items())): a.value
        for familia in text_string_to_metric_families(texto)
        for a in familia.samples
    }


def test_exposicao_escapa_rotulos_e_le_de_volta() -> None:
    texto = expor(
        [
            Familia("x_total", Tipo.CONTADOR, "linha 1\nlinha 2", [({"a": 'as "aspas"\\ e\nquebra'}, 3)]),
            Familia("y", Tipo.MEDIDOR, "meio", [({}, 0.5), ({"b": "ç"}, float("inf"))]),
        ]
    )
    assert _amostras(texto) == {
        ("x_total", frozenset({("a", 'as "aspas"\\ e\nquebra')})): 3.0,
        ("y", frozenset()): 0.5,
        ("y", frozenset({("b", "ç")})): float("inf"),
    }


async def test_healthz_pronto_com_o_banco(cliente_demo: Cliente) -> None:
    resposta = await cliente_demo.get("/healthz")
    assert resposta.status == 200
    assert await resposta.json() == {"ok": True, "banco": "ok"}


async def test_healthz_503_sem_o_banco() -> None:
    """The database is down (nobody listens on its port): not ready, and the metrics say why."""
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        porta = livre.getsockname()[1]
    engine = criar_engine(f"postgresql+asyncpg://ninguem@127.0.0.1:{porta}/nada")
    app = web.Application()
    instalar_operacao(app, engine, lambda: AGORA)
    async with TestClient(TestServer(app)) as client:
        resposta = await client.get("/healthz")
        assert resposta.status == 503
        assert (await resposta.json())["ok"] is False
        metricas = _amostras(await (await client.get("/metrics")).text())
    await engine.dispose()
    assert metricas[("cobranca_banco_disponivel", frozenset())] == 0
    assert (
        metricas[
            ("cobranca_erros_total", frozenset({("nivel", "warning"), ("modulo", "bot.observabilidade.endpoints")}))
        ]
        == 2
    )


async def test_metricas_de_mensagens_filas_e_atraso(cliente_demo: Cliente, url: str) -> None:
    rota = "/api/conversas/1/mensagens"
    assert (await cliente_demo.post(rota, json={"texto": "oi"})).status == 200
    assert (await cliente_demo.get("/api/conversas/x/mensagens")).status == 404
    assert (await cliente_demo.get("/nao-existe")).status == 404
    engine = criar_engine(url)
    async with sessao(engine) as s:
        for minutos, situacao in ((30, "pendente"), (5, "pendente"), (-10, "pendente"), (60, "enviada")):
            quando = AGORA - timedelta(minutes=minutos)
            s.add(
                Saida(alvo=f"parcela:{minutos}", passo="vespera", canal="whatsapp", devedor_id=1, destino="5511",
                      texto="t", situacao=situacao, proxima_tentativa=quando, prazo=AGORA + timedelta(days=1))
            )  # fmt: skip
        await s.commit()
    await caixa.guardar(engine, "whatsapp", [("mensagem", "wamid.A", {}, None)], AGORA - timedelta(seconds=42))
    await engine.dispose()
    logging.getLogger("bot.canais.recepcao").error("falha de teste")

    resposta = await cliente_demo.get("/metrics")
    assert resposta.status == 200
    assert resposta.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    m = _amostras(await resposta.text())

    def valor(nome: str, **rotulos: str) -> float:
        return m[(nome, frozenset(rotulos.items()))]

    assert valor("cobranca_mensagens", canal="web", direcao="entrada", status="recebida") == 1
    assert valor("cobranca_mensagens", canal="web", direcao="saida", status="enviada") >= 1
    assert valor("cobranca_saida", canal="whatsapp", situacao="pendente") == 3
    assert valor("cobranca_saida", canal="whatsapp", situacao="enviada") == 1
    assert valor("cobranca_saida_atraso_segundos") == 30 * 60  # the oldest due row; the future one is not late
    assert valor("cobranca_entrada", canal="whatsapp", situacao="pendente") == 1
    assert valor("cobranca_entrada_atraso_segundos") == 42
    assert valor("cobranca_http_respostas_total", rota="/api/conversas/{devedor_id}/mensagens", status="200") == 1
    assert valor("cobranca_http_respostas_total", rota="/api/conversas/{devedor_id}/mensagens", status="404") == 1
    assert valor("cobranca_http_respostas_total", rota="desconhecida", status="404") == 1
    assert valor("cobranca_erros_total", nivel="error", modulo="bot.canais.recepcao") == 1
    assert valor("cobranca_banco_disponivel") == 1


async def test_metricas_com_token_exigem_bearer(projeto: Projeto, url: str) -> None:
    ambiente = {"COBRANCA_METRICAS_TOKEN": "token-do-prometheus"}
    app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=False, ambiente=ambiente)
    async with TestClient(TestServer(app)) as client:
        sem = await client.get("/metrics")
        assert sem.status == 401 and sem.headers["WWW-Authenticate"].startswith("Bearer")
        errado = await client.get("/metrics", headers={"Authorization": "Bearer outro"})
        assert errado.status == 401
        certo = await client.get("/metrics", headers={"Authorization": "Bearer token-do-prometheus"})
        assert certo.status == 200 and "cobranca_banco_disponivel" in await certo.text()
        assert (await client.get("/healthz")).status == 200  # the health check stays open for the balancer
