"""The providers' HTTP client: one aiohttp session for WhatsApp and Telegram, and answers that are not the API's."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.canais.webhooks import HTTP, RECEPCAO
from bot.canais.whatsapp import RemetenteWhatsapp
from bot.dados.banco import criar_engine
from bot.porta import Envio, ErroCanal, SemConfirmacao, TentarDepois, TipoCanal
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.falsos.bot_api import FalsoBotApi
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.projetos import com_canais
from tests.apoio.relogio import AGORA


@pytest.mark.parametrize(
    ("status", "corpo", "erro"),
    [
        (502, "<html>Bad Gateway</html>", TentarDepois),  # a proxy's page: the request may be retried
        (429, "Too Many Requests", TentarDepois),
        (403, "<html>Forbidden</html>", ErroCanal),  # refused for good, without Graph's error object
        (200, "ok", SemConfirmacao),  # accepted, perhaps: sending again could deliver twice
        (200, '{"messaging_product": "whatsapp"}', SemConfirmacao),  # accepted without the message id
    ],
)
async def test_resposta_que_nao_e_do_graph_vira_erro_tipado(status: int, corpo: str, erro: type[ErroCanal]) -> None:
    pedidos: list[str] = []

    async def responder(request: web.Request) -> web.Response:
        pedidos.append(request.path)
        return web.Response(status=status, text=corpo)

    app = web.Application()
    app.router.add_post("/v23.0/{telefone}/messages", responder)
    async with TestServer(app) as servidor:
        remetente = RemetenteWhatsapp("106540352242922", "t", "s", str(servidor.make_url("")), "23.0")
        try:
            with pytest.raises(ErroCanal) as capturado:
                await remetente.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "oi"))
        finally:
            await remetente.fechar()
    assert type(capturado.value) is erro
    assert pedidos == ["/v23.0/106540352242922/messages"]


async def test_whatsapp_e_telegram_saem_pela_mesma_sessao(
    projeto: Projeto,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    graph: tuple[FalsoGraph, str],
    bot_api: tuple[FalsoBotApi, str],
) -> None:
    """The server builds one keep-alive pool; both senders use it, and it is closed with the server."""
    ambiente = {"WHATSAPP_TOKEN": "token-wa", "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v",
                "TELEGRAM_TOKEN": "123:tg", "TELEGRAM_SECRET": "s"}  # fmt: skip
    for nome, valor in ambiente.items():
        monkeypatch.setenv(nome, valor)
    projeto_canais = com_canais(projeto, graph_url=graph[1], bot_api_url=bot_api[1])
    app = criar_app(projeto_canais, criar_engine(url), lambda: AGORA, demo=False)
    async with TestClient(TestServer(app)):
        remetentes = app[RECEPCAO].remetentes
        zap, tg = remetentes[TipoCanal.WHATSAPP], remetentes[TipoCanal.TELEGRAM]
        assert getattr(zap, "http", None) is app[HTTP] and getattr(tg, "http", None) is app[HTTP]
        await zap.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "pelo zap"))
        await tg.enviar(Envio(TipoCanal.TELEGRAM, "777000111", "pelo telegram"))
        sessao = app[HTTP].sessao
        assert not sessao.closed
    assert sessao.closed  # the server's clean-up closed the shared pool
    assert [m["text"]["body"] for m in graph[0].enviadas] == ["pelo zap"]
    assert [m["text"] for m in bot_api[0].enviadas] == ["pelo telegram"]
