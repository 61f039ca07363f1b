"""A régua step by SMS: queued, sent once through the Zenvia fake under its key, and counted by the contact caps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.canais.sms import RemetenteSms
from bot.config.regua import Modelo, Passo, Regua
from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.fila import enfileirar
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import Devedor
from bot.dados.registro import RemetenteRegistrado
from bot.dados.saida import Saida
from bot.disparo.comando import plano_do_dia
from bot.disparo.contato import pode_contatar
from bot.disparo.despacho import Despachante
from bot.porta import TipoCanal
from tests.apoio.falsos.zenvia import TOKEN, FalsaZenvia
from tests.apoio.projetos import projeto_padrao

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;varejo;C-1;Carnê;1;100;24/11/2026
"""
DIA = date(2026, 11, 23)  # Monday; the installment is due Tuesday: the D-1 step
NOVE_EM_SP = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TEXTO = "Oi, {primeiro_nome}! Amanhã vence um pagamento com {credor}. Para não receber mais, responda SAIR."


def _regua() -> Regua:
    passo = Passo(nome="vespera_sms", dia=-1, canais=(TipoCanal.SMS,), modelos={TipoCanal.SMS: Modelo(texto=TEXTO)})
    return projeto_padrao().config.regua.model_copy(update={"passos": (passo,)})


async def test_lembrete_por_sms_sai_uma_vez_e_conta_no_limite(
    engine: AsyncEngine, zenvia: tuple[FalsaZenvia, str]
) -> None:
    falsa, url = zenvia
    regua = _regua()
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
    linhas = await plano_do_dia(engine, regua, "Loja", DIA, datetime(2026, 11, 23, 3, tzinfo=UTC))
    async with sessao(engine) as s:
        assert await enfileirar(s, regua, linhas) == 1
    sms = RemetenteSms("cobranca-loja", TOKEN, url, True, 3)
    remetentes = {TipoCanal.SMS: RemetenteRegistrado(engine, sms, lambda: NOVE_EM_SP)}
    try:
        assert (await Despachante(engine, regua, remetentes).rodada(NOVE_EM_SP)).enviadas == 1
        assert (await Despachante(engine, regua, remetentes).rodada(NOVE_EM_SP + timedelta(hours=1))).enviadas == 0
    finally:
        await sms.fechar()
    async with sessao(engine) as s:
        [saida] = (await s.exec(select(Saida))).all()
        maria = (await s.exec(select(Devedor))).one()
        # max_por_dia = 1 across channels: after the SMS, no WhatsApp (or anything) to Maria that day
        pode, motivo, proximo = await pode_contatar(s, maria, TipoCanal.WHATSAPP, NOVE_EM_SP + timedelta(hours=5),
                                                    regua.politica)  # fmt: skip
    assert (saida.canal, saida.situacao, saida.id_provedor) == ("sms", "enviada", "zenvia-1")
    [enviado] = falsa.enviadas
    assert enviado["externalId"] == saida.chave and enviado["to"] == "5511987654321"
    assert enviado["contents"][0]["text"] == (
        "Oi, Maria! Amanha vence um pagamento com Loja. Para nao receber mais, responda SAIR."
    )
    assert not pode and motivo is not None and proximo is not None and proximo.date() > DIA
