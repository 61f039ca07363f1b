"""The senders' ledger: a crash anywhere in a keyed send is resolved at the next round, with the real pywa client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.canais.telegram import RemetenteTelegram
from bot.canais.whatsapp import RemetenteWhatsapp
from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.envios import EnvioChave
from bot.dados.fila import enfileirar
from bot.dados.importacao import importar_carteira
from bot.dados.registro import RemetenteRegistrado
from bot.dados.saida import Saida
from bot.disparo.comando import plano_do_dia
from bot.disparo.despacho import RESERVA, Despachante
from bot.porta import Envio, EnvioIncerto, Remetente, SemConfirmacao, TentarDepois, TipoCanal
from tests.apoio.falsos.bot_api import FalsoBotApi
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.falsos.remetente import Queda
from tests.apoio.processos import porta_livre
from tests.apoio.projetos import projeto_padrao

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;varejo;C-1;Carnê;1;100;24/11/2026
"""
NOVE_EM_SP = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday; the installment is due Tuesday (D-1)
DEPOIS = NOVE_EM_SP + RESERVA + timedelta(seconds=1)


@dataclass
class Morre:
    """A process that dies around the real send: before it, or after the provider answered."""

    remetente: Remetente
    antes: bool = False

    async def enviar(self, envio: Envio) -> str:
        if self.antes:
            raise Queda
        await self.remetente.enviar(envio)
        raise Queda


@pytest.fixture
async def graph_e_zap(graph: tuple[FalsoGraph, str]) -> AsyncIterator[tuple[FalsoGraph, RemetenteWhatsapp]]:
    """The fake Graph API, and the real WhatsApp sender pointed at it with a short read timeout."""
    zap = RemetenteWhatsapp("106540352242922", "token-wa", "s", graph[1], "23.0", espera=0.2)
    yield graph[0], zap
    await zap.fechar()


async def _semear(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
    regua = projeto_padrao().config.regua
    linhas = await plano_do_dia(engine, regua, "Loja", date(2026, 11, 23), datetime(2026, 11, 23, 3, tzinfo=UTC))
    async with sessao(engine) as s:
        assert await enfileirar(s, regua, linhas) == 1


def _despachante(engine: AsyncEngine, remetente: Remetente) -> Despachante:
    return Despachante(engine, projeto_padrao().config.regua, {TipoCanal.WHATSAPP: remetente})


async def _saida(engine: AsyncEngine) -> Saida:
    async with sessao(engine) as s:
        return (await s.exec(select(Saida))).one()


@pytest.mark.parametrize(
    ("onde", "situacao", "no_provedor"),
    [
        ("antes do registro", "enviada", 1),  # never handed over: sent at the next round
        ("depois do registro", "enviada", 1),  # accepted and recorded: reconciled with its wamid, not repeated
        ("sem resposta registrada", "incerta", 1),  # handed over, answer lost: a person decides, never a repeat
    ],
)
async def test_queda_em_cada_ponto_do_envio_e_resolvida(
    engine: AsyncEngine, graph_e_zap: tuple[FalsoGraph, RemetenteWhatsapp], onde: str, situacao: str, no_provedor: int
) -> None:
    await _semear(engine)
    falso, zap = graph_e_zap
    registrado = RemetenteRegistrado(engine, zap, lambda: NOVE_EM_SP)
    if onde == "antes do registro":
        moribundo: Remetente = Morre(registrado, antes=True)
    elif onde == "depois do registro":
        moribundo = Morre(registrado)
    else:
        moribundo = RemetenteRegistrado(engine, Morre(zap), lambda: NOVE_EM_SP)
    with pytest.raises(Queda):
        await _despachante(engine, moribundo).rodada(NOVE_EM_SP)
    resumo = await _despachante(engine, registrado).rodada(DEPOIS)  # a new process, after the claim expired
    await _despachante(engine, registrado).rodada(DEPOIS + timedelta(hours=1))
    saida = await _saida(engine)
    assert resumo.reconciliadas == 1
    assert saida.situacao == situacao
    assert len(falso.enviadas) == no_provedor
    if situacao == "enviada":
        assert saida.id_provedor == "wamid.SAIDA1"
    else:
        assert "confira" in (saida.motivo or "")


async def test_mesma_chave_nao_sai_duas_vezes_e_recusa_libera_a_chave(
    engine: AsyncEngine, graph_e_zap: tuple[FalsoGraph, RemetenteWhatsapp]
) -> None:
    falso, zap = graph_e_zap
    registrado = RemetenteRegistrado(engine, zap, lambda: NOVE_EM_SP)
    envio = Envio(TipoCanal.WHATSAPP, "+5511987654321", "oi", modelo="pendencia", parametros=("Maria",), chave="k1")
    falso.erros.append((429, 130429))
    with pytest.raises(Exception, match="130429"):
        await registrado.enviar(envio)
    assert await registrado.localizar("k1") is None  # refused: nothing went out under the key
    assert [await registrado.enviar(envio), await registrado.enviar(envio)] == ["wamid.SAIDA1", "wamid.SAIDA1"]
    assert await registrado.localizar("k1") == "wamid.SAIDA1"
    assert len(falso.enviadas) == 1
    assert await registrado.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "sem chave")) == "wamid.SAIDA2"
    async with sessao(engine) as s:
        assert [c.chave for c in (await s.exec(select(EnvioChave))).all()] == ["k1"]


@pytest.mark.parametrize("modo", ["prender", "derrubar"])
async def test_graph_aceita_e_nao_responde_fica_incerta_e_sai_uma_vez(
    engine: AsyncEngine, graph_e_zap: tuple[FalsoGraph, RemetenteWhatsapp], modo: str
) -> None:
    """The Graph API took the message and the answer never came (read timeout, dropped line): never a repeat."""
    await _semear(engine)
    falso, zap = graph_e_zap
    falso.depois_de_aceitar.append(modo)
    registrado = RemetenteRegistrado(engine, zap, lambda: NOVE_EM_SP)
    primeira = await _despachante(engine, registrado).rodada(NOVE_EM_SP)
    for depois in (DEPOIS, DEPOIS + timedelta(hours=1), DEPOIS + timedelta(days=1)):
        await _despachante(engine, registrado).rodada(depois)
    saida = await _saida(engine)
    assert (primeira.enviadas, primeira.falhas, primeira.adiadas) == (0, 0, 0)
    assert saida.situacao == "incerta" and "confira antes de reenviar" in (saida.motivo or "")
    assert len(falso.enviadas) == 1
    with pytest.raises(EnvioIncerto):  # the key stays taken: a direct retry does not reach the provider either
        await registrado.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "oi", chave=saida.chave))
    assert len(falso.enviadas) == 1


async def test_provedor_inacessivel_tenta_de_novo_e_libera_a_chave(engine: AsyncEngine) -> None:
    """Nothing listens: the request never left, so a retry is safe and the key is free again."""
    zap = RemetenteWhatsapp("106540352242922", "token-wa", "s", f"http://127.0.0.1:{porta_livre()}", "23.0")
    registrado = RemetenteRegistrado(engine, zap, lambda: NOVE_EM_SP)
    try:
        with pytest.raises(TentarDepois, match="inacessível"):
            await registrado.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "oi", chave="k2"))
    finally:
        await zap.fechar()
    assert await registrado.localizar("k2") is None


@pytest.mark.parametrize("modo", ["prender", "derrubar"])
async def test_bot_api_aceita_e_nao_responde_nao_repete(engine: AsyncEngine, modo: str) -> None:
    falso = FalsoBotApi(depois_de_aceitar=[modo])
    async with TestServer(falso.app()) as servidor:
        tg = RemetenteTelegram("123:tg", f"{str(servidor.make_url('')).rstrip('/')}/bot", espera=0.2)
        await tg.abrir()
        registrado = RemetenteRegistrado(engine, tg, lambda: NOVE_EM_SP)
        envio = Envio(TipoCanal.TELEGRAM, "777000111", "oi", chave="k3")
        try:
            with pytest.raises(EnvioIncerto, match="sem resposta"):
                await registrado.enviar(envio)
            with pytest.raises(EnvioIncerto):
                await registrado.enviar(envio)
            with pytest.raises(SemConfirmacao):  # without the ledger the caller is told, e.g. the console
                falso.depois_de_aceitar.append(modo)
                await tg.enviar(Envio(TipoCanal.TELEGRAM, "777000111", "sem chave"))
        finally:
            falso.solto.set()
            await tg.fechar()
    assert [e["text"] for e in falso.enviadas] == ["oi", "sem chave"]
    with pytest.raises(EnvioIncerto):
        await registrado.localizar("k3")
