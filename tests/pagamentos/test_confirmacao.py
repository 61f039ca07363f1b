"""After a payment: reminders stopped, one thank-you queued, the next installment payable; expired pages renewed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.boleto_pix.boleto import codigo_barras_da_linha
from bot.boleto_pix.pix import pix_valido
from bot.config.regua import Regua
from bot.dados.banco import sessao
from bot.dados.cobrancas import TokenPagamento
from bot.dados.modelos import (
    Devedor,
    Evento,
    Mensagem,
)
from bot.disparo.despacho import Despachante
from bot.pagamentos.agradecimento import escolher_canal, ordem_dos_canais
from bot.pagamentos.confirmacao import Confirmador, Desfecho
from bot.pagamentos.documentos import Documentos, vencimento_novo
from bot.porta import TipoCanal
from tests.apoio.acordos import NOVE_EM_SP, OITO_EM_SP, acordo_na_regua, confirmacao_do_asaas
from tests.apoio.falsos.remetente import RemetenteFalso
from tests.apoio.leituras import documentos_gravados, saidas_gravadas
from tests.apoio.projetos import projeto_padrao

PROJETO = projeto_padrao()


async def test_pagamento_cancela_o_lembrete_e_o_agradecimento_sai_uma_vez(engine: AsyncEngine) -> None:
    await acordo_na_regua(engine)
    [lembrete] = await saidas_gravadas(engine)
    assert (lembrete.passo, lembrete.canal, lembrete.proxima_tentativa) == ("acordo_vespera", "whatsapp", NOVE_EM_SP)

    confirmador = Confirmador(engine, PROJETO.textos, PROJETO.config)
    resultado = await confirmador.confirmar(confirmacao_do_asaas(), OITO_EM_SP)
    assert resultado.desfecho is Desfecho.REGISTRADO and not resultado.quitado
    duplicado = await confirmador.confirmar(confirmacao_do_asaas(), OITO_EM_SP + timedelta(minutes=5))
    assert duplicado.desfecho is Desfecho.DUPLICADO

    lembrete, agradecimento = await saidas_gravadas(engine)
    assert (lembrete.situacao, lembrete.motivo) == ("descartada", "pago: pagamento confirmado")
    assert (agradecimento.passo, agradecimento.canal, agradecimento.destino) == (
        "agradecimento", "whatsapp", "+5511987654321"
    )  # fmt: skip
    assert agradecimento.texto.startswith("Recebemos seu pagamento de *R$")

    zap = RemetenteFalso()
    despachante = Despachante(engine, PROJETO.config.regua, {TipoCanal.WHATSAPP: zap})
    cedo = await despachante.rodada(OITO_EM_SP)  # 8h in São Paulo: before the contact hours
    assert (cedo.enviadas, cedo.adiadas, zap.enviados) == (0, 1, [])
    for minutos in (0, 1, 60, 24 * 60):
        await despachante.rodada(NOVE_EM_SP + timedelta(minutes=minutos))
    [envio] = zap.enviados  # the thank-you, once; never the reminder of the paid installment
    assert envio.chave == agradecimento.chave
    assert (envio.modelo, envio.parametros) == ("pagamento_recebido", ("Maria", "R$\xa0100,00"))  # window closed
    lembrete, agradecimento = await saidas_gravadas(engine)
    assert (lembrete.situacao, agradecimento.situacao) == ("descartada", "enviada")


async def test_conversa_na_web_mostra_no_chat_e_envia_pelo_primeiro_canal_da_regua(engine: AsyncEngine) -> None:
    await acordo_na_regua(engine, canal="web")
    await Confirmador(engine, PROJETO.textos, PROJETO.config).confirmar(confirmacao_do_asaas(), OITO_EM_SP)
    async with sessao(engine) as s:
        [no_chat] = (await s.exec(select(Mensagem))).all()
    assert (no_chat.canal, no_chat.status) == ("web", "enviada")
    assert no_chat.texto.startswith("Recebemos seu pagamento")
    agradecimento = (await saidas_gravadas(engine))[-1]
    assert (agradecimento.passo, agradecimento.canal) == ("agradecimento", "whatsapp")


async def test_sem_endereco_nenhum_vira_evento_para_os_atendentes(engine: AsyncEngine) -> None:
    await acordo_na_regua(engine)
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor))).one()
        devedor.telefone, devedor.email = None, None
        s.add(devedor)
        await s.commit()
    await Confirmador(engine, PROJETO.textos, PROJETO.config).confirmar(confirmacao_do_asaas(), OITO_EM_SP)
    assert [s.passo for s in await saidas_gravadas(engine)] == ["acordo_vespera"]
    async with sessao(engine) as s:
        tipos = [e.tipo for e in (await s.exec(select(Evento))).all()]
    assert "agradecimento_sem_canal" in tipos


@pytest.mark.parametrize(
    ("canal_conversa", "telefone", "telegram", "email", "esperado"),
    [
        ("whatsapp", "+5511987654321", None, "m@x.com", ("whatsapp", "+5511987654321")),
        ("telegram", "+5511987654321", "777", None, ("telegram", "777")),
        ("telegram", "+5511987654321", None, None, ("whatsapp", "+5511987654321")),  # no address there
        ("web", None, None, "m@x.com", ("email", "m@x.com")),
        ("cli", None, "777", "m@x.com", ("email", "m@x.com")),  # régua order: whatsapp, email, telegram
        ("web", None, None, None, None),
    ],
)
def test_escolher_canal(
    canal_conversa: str, telefone: str | None, telegram: str | None, email: str | None, esperado: object
) -> None:
    devedor = Devedor(id=1, cpf="39053344705", nome="Maria", uf="SP", telefone=telefone, telegram_id=telegram,
                      email=email)  # fmt: skip
    escolha = escolher_canal(PROJETO.config.regua, devedor, canal_conversa)
    assert (None if escolha is None else (escolha[0].value, escolha[1])) == esperado


def test_ordem_dos_canais() -> None:
    assert ordem_dos_canais(PROJETO.config.regua)[:3] == [TipoCanal.WHATSAPP, TipoCanal.EMAIL, TipoCanal.TELEGRAM]
    assert ordem_dos_canais(Regua()) == [TipoCanal.WHATSAPP, TipoCanal.TELEGRAM, TipoCanal.SMS, TipoCanal.EMAIL]


async def _token(engine: AsyncEngine, documento_id: int | None) -> TokenPagamento:
    async with sessao(engine) as s:
        return (await s.exec(select(TokenPagamento).where(TokenPagamento.documento_id == documento_id))).one()


async def test_parcela_paga_emite_o_documento_da_proxima(engine: AsyncEngine) -> None:
    await acordo_na_regua(engine)
    confirmador = Confirmador(engine, PROJETO.textos, PROJETO.config)
    await confirmador.confirmar(confirmacao_do_asaas(), OITO_EM_SP)
    await confirmador.confirmar(confirmacao_do_asaas(), OITO_EM_SP)  # a duplicate issues nothing more
    primeiro, proximo = await documentos_gravados(engine)
    assert (proximo.acordo_parcela_numero, proximo.valor, proximo.vencimento) == (2, Decimal(100), date(2026, 12, 24))
    assert int(proximo.nosso_numero) == int(primeiro.nosso_numero) + 1  # the one counter, whoever issues
    assert (primeiro.emissao, proximo.emissao) == (1, 1)
    assert pix_valido(proximo.pix) and codigo_barras_da_linha(proximo.linha_digitavel) == proximo.codigo_barras
    assert (await _token(engine, proximo.id)).valido_ate == date(2026, 12, 27)
    documentos = Documentos(engine, PROJETO.config)
    assert await documentos.garantir(primeiro.acordo_id, OITO_EM_SP) == proximo.id  # still valid: the same one
    async with sessao(engine) as s:
        [pagamento] = (await s.exec(select(Evento).where(Evento.tipo == "pagamento"))).all()
    assert pagamento.criado_em == OITO_EM_SP  # the service's clock, as every other record (evidence, curves)


async def test_documento_expirado_e_renovado_com_vencimento_em_dia_util(engine: AsyncEngine) -> None:
    await acordo_na_regua(engine)
    [antigo] = await documentos_gravados(engine)
    async with sessao(engine) as s:
        s.add(TokenPagamento(token="A" * 32, documento_id=antigo.id or 0, valido_ate=date(2026, 11, 27)))
        await s.commit()
    documentos = Documentos(engine, PROJETO.config)
    assert await documentos.garantir(antigo.acordo_id, NOVE_EM_SP + timedelta(days=4)) == antigo.id  # 27/11: valid
    sexta_a_noite = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Friday 27/11, 23h in São Paulo: still valid
    assert await documentos.garantir(antigo.acordo_id, sexta_a_noite) == antigo.id
    sabado = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    novo_id = await documentos.garantir(antigo.acordo_id, sabado)
    _, novo = await documentos_gravados(engine)
    assert novo.id == novo_id and novo.acordo_parcela_numero == 1
    assert novo.vencimento == date(2026, 11, 30)  # Sunday is no bank day: Monday
    assert novo.txid != antigo.txid and pix_valido(novo.pix)
    token = await _token(engine, novo.id)
    assert token.token != "A" * 32 and token.valido_ate == date(2026, 12, 3)
    assert await documentos.garantir(antigo.acordo_id, sabado + timedelta(hours=1)) == novo_id


def test_vencimento_novo() -> None:
    assert vencimento_novo(date(2026, 12, 24), date(2026, 11, 23), "SP") == date(2026, 12, 24)
    assert vencimento_novo(date(2026, 11, 24), date(2026, 12, 30), "SP") == date(2027, 1, 4)  # 31/12, 1/1, weekend
    assert vencimento_novo(date(2026, 11, 1), date(2026, 11, 19), "SP") == date(2026, 11, 23)  # 20/11 Consciência Negra
