"""`serve` runs the régua: APScheduler only ticks; its jobs, called directly, send through the real clients."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.config.canais import EmailConfig, Seguranca
from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.dados.saida import Saida
from bot.disparo.servidor import AGENDADOR
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.atualizacoes import carregar
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.bot_api import FalsoBotApi
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.falsos.smtp import Caixa
from tests.apoio.projetos import com_canais
from tests.apoio.relogio import Relogio
from tests.apoio.whatsapp import SEGREDO, postar

CSV = """cpf;nome;telefone;uf;nascimento;email;telegram_id;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;;varejo;C-1;Carnê;1;100;24/11/2026
529.982.247-25;João Pereira;(21) 99876-5432;RJ;02/02/1970;;777001;varejo;C-2;Carnê;1;80;24/11/2026
111.444.777-35;Ana Souza;(31) 99123-4567;MG;05/05/1990;ana@example.com;;varejo;C-3;Carnê;1;50;24/11/2026
"""
SEGUNDA_10H_RJ = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # Monday; every installment is due Tuesday (D-1)


@pytest.fixture
def provedores(
    graph: tuple[FalsoGraph, str], bot_api: tuple[FalsoBotApi, str]
) -> tuple[FalsoGraph, str, FalsoBotApi, str]:
    return (*graph, *bot_api)


@pytest.fixture
def credenciais(monkeypatch: pytest.MonkeyPatch) -> None:
    for variavel, valor in {"WHATSAPP_TOKEN": "token-wa", "WHATSAPP_APP_SECRET": SEGREDO, "WHATSAPP_VERIFY_TOKEN": "v",
                            "TELEGRAM_TOKEN": "123:tg", "TELEGRAM_SECRET": "t"}.items():  # fmt: skip
        monkeypatch.setenv(variavel, valor)


def _projeto(projeto: Projeto, graph_url: str, bot_api_url: str, porta_smtp: int, automatica: bool = True) -> Projeto:
    base = com_canais(projeto, graph_url, bot_api_url)
    email = EmailConfig(
        host="127.0.0.1", porta=porta_smtp, seguranca=Seguranca.NENHUMA, remetente="cobranca@loja.example"
    )
    config = base.config.model_copy(
        update={
            "canais": base.config.canais.model_copy(update={"email": email}),
            "regua": base.config.regua.model_copy(update={"automatica": automatica}),
        }
    )
    return replace(base, config=config)


async def _semear(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))


async def test_serve_planeja_e_despacha_por_whatsapp_telegram_e_email(
    projeto: Projeto,
    engine: AsyncEngine,
    provedores: tuple[FalsoGraph, str, FalsoBotApi, str],
    smtp: tuple[Caixa, int],
    credenciais: None,
) -> None:
    graph, graph_url, bot_api, bot_api_url = provedores
    graph.fora_do_whatsapp = {"5521998765432", "5531991234567"}  # João and Ana are not on WhatsApp
    await _semear(engine)
    relogio = Relogio(SEGUNDA_10H_RJ)
    app = criar_app(_projeto(projeto, graph_url, bot_api_url, smtp[1]), engine, relogio, demo=False,
                    com_regua=True)  # fmt: skip
    cliente: Cliente = TestClient(TestServer(app))
    await cliente.start_server()
    try:
        agendador = app[AGENDADOR]
        assert agendador.running
        agendador.pause()  # the test runs the jobs itself: a tick of its own would hold the dispatcher's lock
        trabalhos = {t.id: t for t in agendador.get_jobs()}
        assert await trabalhos["regua-planejar"].func() == 3
        resumo = await trabalhos["regua-despachar"].func()
    finally:
        await cliente.close()
    assert not agendador.running
    assert (resumo.enviadas, resumo.falhas) == (3, 2)
    [modelo] = graph.enviadas
    assert (modelo["to"], modelo["type"], modelo["template"]["name"]) == (
        "5511987654321",
        "template",
        "lembrete_amanha",
    )
    assert [(m["chat_id"], "João" in m["text"]) for m in bot_api.enviadas] == [("777001", True)]
    [correio] = smtp[0].recebidas
    assert (correio["To"], str(make_header(decode_header(correio["Subject"])))) == ("ana@example.com", "Vence amanhã")
    async with sessao(engine) as s:
        situacoes = sorted((x.canal, x.situacao) for x in (await s.exec(select(Saida))).all())
    assert situacoes == [("email", "enviada"), ("telegram", "enviada"), ("whatsapp", "enviada"),
                         ("whatsapp", "falhou"), ("whatsapp", "falhou")]  # fmt: skip


async def test_regua_desligada_e_email_sem_configuracao_avisam_uma_linha(
    projeto: Projeto, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    desligada = replace(
        projeto,
        config=projeto.config.model_copy(
            update={"regua": projeto.config.regua.model_copy(update={"automatica": False})}
        ),
    )
    with caplog.at_level(logging.WARNING):
        app = criar_app(desligada, engine, lambda: SEGUNDA_10H_RJ, demo=False, com_regua=True)
    assert AGENDADOR not in app
    linhas = [r.getMessage() for r in caplog.records]
    assert sum("régua automática desligada" in linha for linha in linhas) == 1
    assert sum("canal e-mail desligado" in linha for linha in linhas) == 1


async def test_131047_tardio_pelo_webhook_reenvia_o_modelo(
    projeto: Projeto,
    engine: AsyncEngine,
    provedores: tuple[FalsoGraph, str, FalsoBotApi, str],
    smtp: tuple[Caixa, int],
    credenciais: None,
) -> None:
    graph, graph_url, _bot_api, bot_api_url = provedores
    await _semear(engine)
    relogio = Relogio(SEGUNDA_10H_RJ)
    app = criar_app(_projeto(projeto, graph_url, bot_api_url, smtp[1]), engine, relogio, demo=False,
                    com_regua=True)  # fmt: skip
    cliente: Cliente = TestClient(TestServer(app))
    await cliente.start_server()
    try:
        app[AGENDADOR].pause()  # no tick of its own: one holding the dispatcher's lock makes the test's calls no-ops
        trabalhos = {t.id: t for t in app[AGENDADOR].get_jobs()}
        assert await postar(cliente, carregar("whatsapp_texto.json")) == 200  # Maria wrote: the 24 h window is open
        assert await trabalhos["regua-planejar"].func() == 3
        relogio.agora = SEGUNDA_10H_RJ.replace(minute=1)
        await trabalhos["regua-despachar"].func()
        [(indice, livre)] = [(i, e) for i, e in enumerate(graph.enviadas) if e["to"] == "5511987654321"]
        assert livre["type"] == "text"
        wamid = f"wamid.SAIDA{indice + 1}"
        falha = json.loads(json.dumps(carregar("whatsapp_status_falha.json")).replace("wamid.SAIDA", wamid))
        assert await postar(cliente, falha) == 200
        assert await postar(cliente, falha) == 200  # redelivered: handled once
        async with sessao(engine) as s:
            linha = (await s.exec(select(Saida).where(Saida.id_provedor == wamid))).one()
        assert (linha.situacao, linha.usar_modelo) == ("pendente", True)
        relogio.agora = SEGUNDA_10H_RJ.replace(minute=2)
        await trabalhos["regua-despachar"].func()
        await trabalhos["regua-despachar"].func()
    finally:
        await cliente.close()
    modelos = [e for e in graph.enviadas if e["type"] == "template" and e["to"] == "5511987654321"]
    assert [m["template"]["name"] for m in modelos] == ["lembrete_amanha"]
    async with sessao(engine) as s:
        depois = await s.get(Saida, linha.id)
    assert depois is not None
    assert (depois.situacao, depois.id_provedor) == ("enviada", f"wamid.SAIDA{graph.enviadas.index(modelos[0]) + 1}")
