"""Telegram webhooks end to end: real python-telegram-bot client against a local Bot API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot.canais.webhooks import RECEPCAO
from bot.dados.banco import criar_engine, sessao
from bot.dados.entrada import Anexo, Atualizacao, ConviteTelegram
from bot.dados.identificacao import IdentificacaoTelegram
from bot.dados.modelos import Acordo, Devedor, Evento
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.atualizacoes import carregar
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.bot_api import FalsoBotApi
from tests.apoio.projetos import com_canais
from tests.apoio.relogio import AGORA, Relogio
from tests.apoio.telegram import CHAT, SEGREDO, escrito


@pytest.fixture
async def cliente(
    projeto: Projeto, url: str, bot_api: tuple[FalsoBotApi, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Cliente]:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123:tg")
    monkeypatch.setenv("TELEGRAM_SECRET", SEGREDO)
    app = criar_app(com_canais(projeto, bot_api_url=bot_api[1]), criar_engine(url), lambda: AGORA, demo=False)
    async with TestClient(TestServer(app)) as c:
        yield c


async def postar(cliente: Cliente, payload: Any, segredo: str | None = SEGREDO) -> int:
    cabecalhos = {} if segredo is None else {"X-Telegram-Bot-Api-Secret-Token": segredo}
    resposta = await cliente.post("/webhooks/telegram", json=payload, headers=cabecalhos)
    await cliente.app[RECEPCAO].ocioso()
    return resposta.status


async def convidar(cliente: Cliente) -> None:
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        maria = (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()
        assert maria.id is not None
        s.add(ConviteTelegram(token="CONVITE123", devedor_id=maria.id, criado_em=AGORA))
        await s.commit()


@pytest.mark.parametrize(("segredo", "status"), [(None, 403), ("outro", 403), (SEGREDO, 200)])
async def test_secret_token(cliente: Cliente, segredo: str | None, status: int) -> None:
    assert await postar(cliente, carregar("telegram_texto.json"), segredo) == status


async def test_corpo_invalido(cliente: Cliente) -> None:
    cabecalhos = {"X-Telegram-Bot-Api-Secret-Token": SEGREDO}
    assert (await cliente.post("/webhooks/telegram", data=b"{x", headers=cabecalhos)).status == 400
    assert (await cliente.post("/webhooks/telegram", json={"sem": "update_id"}, headers=cabecalhos)).status == 400


async def test_chat_desconhecido_e_pedido_o_cpf_e_cpf_fora_da_carteira_nada_revela(
    cliente: Cliente, bot_api: tuple[FalsoBotApi, str]
) -> None:
    """A CPF in the portfolio and one outside it get word for word the same answers; after three, the generic one."""
    await postar(cliente, carregar("telegram_texto.json"))
    assert "me informe o seu CPF" in bot_api[0].enviadas[0]["text"]
    tentativas = ["390.533.447-05", "01/01/1990", "529.982.247-25", "14/03/1985", "123", "529.982.247-25"]
    for numero, tentativa in enumerate(tentativas, 1):
        await postar(cliente, escrito(tentativa, numero))
    textos = [e["text"] for e in bot_api[0].enviadas[1:]]
    assert textos[0] == textos[2] and "data de nascimento" in textos[0]  # Maria's CPF and a stranger's: the same
    assert textos[1] == textos[3] and "Confira o CPF" in textos[1]  # wrong birth date, unknown CPF: the same
    assert textos[4] == textos[5] and "não encontramos um cadastro" in textos[4]  # the third miss ends it
    assert not any("Maria" in t or "R$" in t for t in textos)
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        assert (await s.exec(select(Devedor).where(col(Devedor.telegram_id).is_not(None)))).all() == []


async def test_cpf_e_nascimento_da_carteira_ligam_o_chat_com_identidade_confirmada(
    cliente: Cliente, bot_api: tuple[FalsoBotApi, str]
) -> None:
    await postar(cliente, carregar("telegram_texto.json"))
    await postar(cliente, escrito("meu cpf é 390.533.447-05", 1))
    assert "data de nascimento" in bot_api[0].enviadas[-1]["text"]
    await postar(cliente, carregar("telegram_botao.json"))  # an old button meanwhile: the same question again
    assert "data de nascimento" in bot_api[0].enviadas[-1]["text"]
    assert await _telegram_de_maria(cliente) is None  # nothing tied, nothing disclosed yet
    assert not any("Maria" in e["text"] or "R$" in e["text"] for e in bot_api[0].enviadas)
    await postar(cliente, escrito("nasci em 14 de março de 1985", 2))
    assert await _telegram_de_maria(cliente) == str(CHAT)
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        assert (await s.exec(select(IdentificacaoTelegram))).all() == []
    menu = bot_api[0].enviadas[-1]
    assert "CPF" not in menu["text"] and menu["reply_markup"]["inline_keyboard"]  # no second identity check
    antes = len(bot_api[0].enviadas)
    await postar(cliente, escrito("quanto eu devo?", 3))  # now the chat is Maria's: the flow goes on as usual
    assert "R$" in "".join(e["text"] for e in bot_api[0].enviadas[antes:])


async def test_cpf_da_carteira_com_nascimento_errado_nao_liga(
    cliente: Cliente, bot_api: tuple[FalsoBotApi, str]
) -> None:
    await postar(cliente, carregar("telegram_texto.json"))
    for numero in range(1, 7, 2):
        await postar(cliente, escrito("39053344705", numero))
        await postar(cliente, escrito("15/03/1985", numero + 1))
    await postar(cliente, escrito("39053344705", 8))
    await postar(cliente, escrito("14/03/1985", 9))  # right at last, but the attempts are spent
    assert await _telegram_de_maria(cliente) is None
    assert "não encontramos um cadastro" in bot_api[0].enviadas[-1]["text"]
    assert not any("Maria" in e["text"] or "R$" in e["text"] for e in bot_api[0].enviadas)


async def test_outro_chat_nao_toma_o_cpf_de_quem_ja_tem_telegram(
    cliente: Cliente, bot_api: tuple[FalsoBotApi, str]
) -> None:
    await postar(cliente, carregar("telegram_texto.json"))
    await postar(cliente, escrito("39053344705", 1))
    await postar(cliente, escrito("14031985", 2))
    assert await _telegram_de_maria(cliente) == str(CHAT)
    outro_chat = 555000
    await postar(cliente, escrito("oi", 10, outro_chat))
    await postar(cliente, escrito("390.533.447-05", 11, outro_chat))
    assert "data de nascimento" in bot_api[0].enviadas[-1]["text"]  # the same as for anyone
    await postar(cliente, escrito("14/03/1985", 12, outro_chat))
    assert "Confira o CPF" in bot_api[0].enviadas[-1]["text"]
    assert await _telegram_de_maria(cliente) == str(CHAT)


async def _telegram_de_maria(cliente: Cliente) -> str | None:
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        return (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one().telegram_id


async def test_convite_liga_o_chat_e_a_conversa_segue_por_botoes(
    cliente: Cliente, bot_api: tuple[FalsoBotApi, str]
) -> None:
    await convidar(cliente)
    await postar(cliente, carregar("telegram_start.json"))
    saudacao = bot_api[0].enviadas[0]
    assert saudacao["chat_id"] == str(CHAT)
    assert saudacao["reply_markup"]["inline_keyboard"][0][0] == {"text": "Sim, sou eu", "callback_data": "sim"}
    await postar(cliente, carregar("telegram_botao.json"))
    assert bot_api[0].respondidos == ["4382bfdwdsb323b2d9"]
    assert "CPF" in bot_api[0].enviadas[1]["text"]
    await postar(cliente, carregar("telegram_start.json"))  # the same update again: nothing new
    assert len(bot_api[0].enviadas) == 2
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        maria = (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()
    assert maria.telegram_id == str(CHAT)


async def test_convite_usado_nao_vale_de_novo(cliente: Cliente, bot_api: tuple[FalsoBotApi, str]) -> None:
    await convidar(cliente)
    await postar(cliente, carregar("telegram_start.json"))
    outro = json.loads(json.dumps(carregar("telegram_start.json")).replace(str(CHAT), "555"))
    outro["update_id"] += 100
    await postar(cliente, outro)
    assert "não é mais válido" in bot_api[0].enviadas[-1]["text"]


@pytest.mark.parametrize(
    ("arquivo", "resposta", "anexos"),
    [
        ("telegram_foto.json", "guardei", [("image", "AgACAgEAAxkBAAMEZ_grande", "comprovante")]),
        ("telegram_voz.json", "apenas textos", [("voice", "AwACAgEAAxkBAAMFZ_voz", None)]),
        ("telegram_editada.json", None, []),
        ("telegram_grupo.json", None, []),
    ],
)
async def test_o_que_nao_e_texto(
    cliente: Cliente,
    bot_api: tuple[FalsoBotApi, str],
    arquivo: str,
    resposta: str | None,
    anexos: list[tuple[str, str, str]],
) -> None:
    await convidar(cliente)
    await postar(cliente, carregar("telegram_start.json"))
    antes = len(bot_api[0].enviadas)
    await postar(cliente, carregar(arquivo))
    novas = [e["text"] for e in bot_api[0].enviadas[antes:]]
    assert len(novas) == (0 if resposta is None else 1)
    assert resposta is None or resposta in novas[0]
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        assert [(a.tipo, a.id_midia, a.legenda) for a in (await s.exec(select(Anexo))).all()] == anexos
        assert (await s.exec(select(Atualizacao).where(Atualizacao.situacao != "processada"))).all() == []


@pytest.mark.parametrize(
    ("status", "descricao", "erro"),
    [
        (403, "Forbidden: bot was blocked by the user", "Indeliveravel"),
        (400, "Bad Request: chat not found", "Indeliveravel"),
        (400, "Bad Request: message is too long", "ErroCanal"),
        (502, "Bad Gateway", "TentarDepois"),
    ],
)
async def test_erros_da_bot_api_viram_erros_tipados(
    bot_api: tuple[FalsoBotApi, str], status: int, descricao: str, erro: str
) -> None:
    from bot.canais.telegram import RemetenteTelegram
    from bot.porta import Botao, Envio, ErroCanal, TipoCanal

    bot_api[0].erros.append((status, descricao))
    remetente = RemetenteTelegram("123:tg", f"{bot_api[1]}/bot")
    await remetente.abrir()
    try:
        with pytest.raises(ErroCanal) as capturado:
            await remetente.enviar(Envio(TipoCanal.TELEGRAM, str(CHAT), "oi"))
        with pytest.raises(ValueError, match="64 bytes"):
            await remetente.enviar(Envio(TipoCanal.TELEGRAM, str(CHAT), "oi", (Botao("x" * 65, "X"),)))
    finally:
        await remetente.fechar()
    assert type(capturado.value).__name__ == erro


async def test_negociacao_inteira_pelo_telegram(cliente: Cliente, bot_api: tuple[FalsoBotApi, str]) -> None:
    """Invitation, identity, reason, offer, confirmation: the agreement is stored and the codes go out."""
    await convidar(cliente)
    await postar(cliente, carregar("telegram_start.json"))
    for numero, texto in enumerate(["sim", "390", "esqueci", "sim", "sim"], 1):
        assert await postar(cliente, escrito(texto, numero)) == 200
    textos = [e["text"] for e in bot_api[0].enviadas]
    assert {e["parse_mode"] for e in bot_api[0].enviadas} == {"HTML"}  # WhatsApp's *bold* drawn, not shown raw
    assert "<b>Loja Exemplo Comércio Ltda.</b>" in textos[0] and "*" not in textos[0]
    assert "CNPJ 11.222.333/0001-81" in textos[0]
    assert not any("R$" in t for t in textos[:2])  # greeting and identity prompt: nothing about the debt
    assert any("Confira o acordo" in t for t in textos)
    assert "Acordo registrado" in textos[-2] and "000201" in textos[-1]  # the terms, then the document's codes
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        assert len((await s.exec(select(Acordo))).all()) == 1


# ------------------------------------------------------------------ identificação: ninguém segura nem adivinha


@pytest.fixture
async def com_relogio(
    projeto: Projeto, url: str, bot_api: tuple[FalsoBotApi, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Cliente, Relogio]]:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123:tg")
    monkeypatch.setenv("TELEGRAM_SECRET", SEGREDO)
    relogio = Relogio()
    app = criar_app(com_canais(projeto, bot_api_url=bot_api[1]), criar_engine(url), relogio, demo=False)
    async with TestClient(TestServer(app)) as c:
        yield c, relogio


async def _tentar(cliente: Cliente, chat: int, numero: int, cpf: str, nascimento: str | None) -> None:
    await postar(cliente, escrito("oi", numero, chat))
    await postar(cliente, escrito(cpf, numero + 1, chat))
    if nascimento is not None:
        await postar(cliente, escrito(nascimento, numero + 2, chat))


async def test_cpf_pendente_expira_e_a_devedora_entra(com_relogio: tuple[Cliente, Relogio]) -> None:
    """A chat that sends Maria's CPF and goes silent held her sign-in for good; now it lets go."""
    cliente, relogio = com_relogio
    await _tentar(cliente, 555001, 10, "390.533.447-05", None)  # never answers the birth date
    await _tentar(cliente, CHAT, 20, "390.533.447-05", "14/03/1985")
    assert await _telegram_de_maria(cliente) is None  # while it is pending, nobody else may take it
    relogio.agora += timedelta(minutes=16)
    await _tentar(cliente, CHAT, 30, "390.533.447-05", "14/03/1985")
    assert await _telegram_de_maria(cliente) == str(CHAT)


async def test_datas_erradas_em_muitos_chats_bloqueiam_o_cpf_por_um_dia(
    com_relogio: tuple[Cliente, Relogio], bot_api: tuple[FalsoBotApi, str]
) -> None:
    cliente, relogio = com_relogio
    for i in range(5):  # five accounts, one guess each: under every chat's own limit
        await _tentar(cliente, 600000 + i, 100 + 10 * i, "39053344705", f"0{i + 1}/01/1990")
    await _tentar(cliente, 600099, 200, "39053344705", "14/03/1985")  # the right date, now refused
    assert await _telegram_de_maria(cliente) is None
    assert "Confira o CPF" in bot_api[0].enviadas[-1]["text"]  # the same words as any miss: nothing disclosed
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        bloqueios = (await s.exec(select(Evento).where(Evento.tipo == "identificacao_telegram_bloqueada"))).all()
    assert len(bloqueios) == 1  # the team is told, once
    relogio.agora += timedelta(hours=25)
    await _tentar(cliente, CHAT, 300, "39053344705", "14/03/1985")  # the real debtor starts over next day
    assert await _telegram_de_maria(cliente) == str(CHAT)


async def test_chat_esgotado_pode_recomecar_no_dia_seguinte(
    com_relogio: tuple[Cliente, Relogio], bot_api: tuple[FalsoBotApi, str]
) -> None:
    cliente, relogio = com_relogio
    for i in range(3):
        await _tentar(cliente, CHAT, 10 * i + 1, "529.982.247-25", "01/01/1990")
    await postar(cliente, escrito("oi de novo", 50))
    assert "não encontramos um cadastro" in bot_api[0].enviadas[-1]["text"]
    relogio.agora += timedelta(hours=25)
    await postar(cliente, escrito("oi de novo", 51))
    assert "me informe o seu CPF" in bot_api[0].enviadas[-1]["text"]
