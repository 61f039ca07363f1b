"""WhatsApp's 24 h window: a late reply goes as the approved template, the agent is told, the text is not sent."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.config.console import ConsoleConfig
from bot.console.janela import como_modelo, janela_aberta
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.modelos import Mensagem
from bot.porta import Envio, TipoCanal
from tests.apoio.console import Ambiente, entrar, postar, token
from tests.apoio.relogio import AGORA


def test_janela_de_24_horas() -> None:
    assert janela_aberta("whatsapp", AGORA - timedelta(hours=23, minutes=59), AGORA)
    assert not janela_aberta("whatsapp", AGORA - timedelta(hours=24), AGORA)
    assert not janela_aberta("whatsapp", None, AGORA)
    assert janela_aberta("telegram", None, AGORA) and janela_aberta("web", AGORA - timedelta(days=9), AGORA)


def test_modelo_com_parametros_na_ordem_configurada() -> None:
    config = ConsoleConfig(modelo_whatsapp="retomar_v2", parametros_whatsapp=("credor", "primeiro_nome"))
    envio = como_modelo(
        Envio(TipoCanal.WHATSAPP, "+5511987654321", "Oi", chave="console-7"),
        config,
        {"primeiro_nome": "Maria", "credor": "Academia", "atendente": "Ana"},
    )
    assert (envio.modelo, envio.parametros, envio.chave) == ("retomar_v2", ("Academia", "Maria"), "console-7-modelo")


async def test_resposta_tardia_no_whatsapp_vai_como_modelo(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    amb.relogio.agora += timedelta(hours=25)  # the debtor's last message is now more than a day old
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    resposta = await ana.post(
        f"/console/conversas/{conversa}/responder",
        data={"texto": "Oi Maria, conseguiu ver?", "csrf": await token(ana, conversa)},
        allow_redirects=False,
    )
    assert resposta.headers["Location"] == f"/console/conversas/{conversa}?aviso=janela"
    (envio,) = amb.remetente.enviados
    assert (envio.modelo, envio.parametros, envio.destino) == ("retomar_conversa", ("Maria", "Ana"), "+5511987654321")
    pagina = await (await ana.get(resposta.headers["Location"])).text()
    assert "janela de 24 h do WhatsApp está fechada" in pagina and "retomar_conversa" in pagina

    await amb.atendimento.receber(1, "whatsapp", Entrada("oi, vi sim"))  # the debtor answers: window open again
    assert await postar(ana, conversa, "responder", texto="Ótimo! Vamos lá.") == 303
    assert (amb.remetente.enviados[-1].modelo, amb.remetente.enviados[-1].texto) == (None, "Ótimo! Vamos lá.")
    async with sessao(amb.engine) as s:
        saidas = (await s.exec(select(Mensagem).where(Mensagem.direcao == "saida").order_by(col(Mensagem.id)))).all()
    assert saidas[-2].status == "no lugar: modelo retomar_conversa" and saidas[-1].status == "enviada"
