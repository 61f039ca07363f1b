"""Bot replies leave through an outbox, by key: refused for a while, replayed after a crash, or cut mid-call, each
reply reaches the debtor once (or is marked `incerta` for a person), never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.canais.envio_respostas import ESPERAS
from bot.canais.webhooks import RECEPCAO
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.modelos import Devedor, Direcao, Mensagem
from bot.dados.registro import iniciar
from bot.dados.respostas import PRAZO_RESPOSTA, chave_da_resposta
from tests.apoio.ambiente_canais import Ambiente
from tests.apoio.whatsapp import postar, texto


async def _saidas(amb_canais: Ambiente) -> list[Mensagem]:
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        consulta = select(Mensagem).where(Mensagem.direcao == Direcao.SAIDA.value).order_by(col(Mensagem.id))
        return list((await s.exec(consulta)).all())


async def test_recusada_com_429_espera_e_sai_uma_vez_pela_varredura(amb_canais: Ambiente) -> None:
    recepcao = amb_canais.cliente.app[RECEPCAO]
    amb_canais.graph.erros = [(429, 130429)]
    assert await postar(amb_canais.cliente, texto("oi", "wamid.R1")) == 200
    [resposta] = await _saidas(amb_canais)
    assert (resposta.status, resposta.tentativas, resposta.id_externo) == ("pendente", 1, None)
    assert resposta.tentar_em == amb_canais.relogio() + ESPERAS[0] and not amb_canais.graph.enviadas
    assert await recepcao.saida.varrer() == 0  # not yet
    amb_canais.relogio.agora += ESPERAS[0]
    assert await recepcao.saida.varrer() == 1
    assert await recepcao.saida.varrer() == 0  # sent: nothing left
    [resposta] = await _saidas(amb_canais)
    assert (resposta.status, resposta.id_externo, resposta.tentar_em) == ("enviada", "wamid.SAIDA1", None)
    assert (
        len(amb_canais.graph.enviadas) == 1 and "Maria" in amb_canais.graph.enviadas[0]["interactive"]["body"]["text"]
    )


async def test_a_mesma_mensagem_depois_de_uma_queda_manda_so_o_que_faltou(amb_canais: Ambiente) -> None:
    """The worker stored the decision and died before sending: the provider delivers the message again (or the
    lease hands the row to another worker) and the stored reply goes out once, under its key."""
    recepcao = amb_canais.cliente.app[RECEPCAO]
    async with sessao(recepcao.engine) as s:
        maria = (await s.exec(select(Devedor.id).where(Devedor.cpf == "39053344705"))).one()
    assert maria is not None
    guardadas = await recepcao.atendimento.receber(maria, "whatsapp", Entrada("oi"), id_externo="wamid.Q1")
    assert guardadas and not amb_canais.graph.enviadas  # committed, never sent
    assert await postar(amb_canais.cliente, texto("oi", "wamid.Q1")) == 200
    assert await postar(amb_canais.cliente, texto("oi", "wamid.Q1")) == 200  # and once more: nothing
    assert len(amb_canais.graph.enviadas) == len(guardadas)
    assert [m.status for m in await _saidas(amb_canais)] == ["enviada"] * len(guardadas)
    amb_canais.relogio.agora += PRAZO_RESPOSTA
    assert await recepcao.saida.varrer() == 0 and len(amb_canais.graph.enviadas) == len(guardadas)


async def test_chave_entregue_sem_resposta_fica_incerta_e_nao_sai_de_novo(amb_canais: Ambiente) -> None:
    """An instance died during the provider call: the key is taken with no id. It may have gone out: a person
    decides (the row says `incerta`), the sweep never sends it blindly."""
    recepcao = amb_canais.cliente.app[RECEPCAO]
    async with sessao(recepcao.engine) as s:
        maria = (await s.exec(select(Devedor.id).where(Devedor.cpf == "39053344705"))).one()
    assert maria is not None
    [guardada] = await recepcao.atendimento.receber(maria, "whatsapp", Entrada("oi"), id_externo="wamid.K1")
    assert guardada.mensagem_id is not None
    await iniciar(recepcao.engine, "whatsapp", [chave_da_resposta(guardada.mensagem_id)], amb_canais.relogio())
    amb_canais.relogio.agora += PRAZO_RESPOSTA + timedelta(seconds=1)
    assert await recepcao.saida.varrer() == 1
    [resposta] = await _saidas(amb_canais)
    assert (resposta.status, resposta.tentar_em) == ("incerta", None) and not amb_canais.graph.enviadas
