"""With the Asaas provider the next installment's charge is issued at the (fake) PSP through the Provedor port."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.dados.banco import sessao
from bot.dados.modelos import DocumentoPagamento, Evento, Mensagem
from bot.dados.pagamentos import CobrancaPsp
from bot.pagamentos.asaas import ProvedorAsaas
from bot.pagamentos.boleto import formatar_linha
from bot.pagamentos.confirmacao import Confirmador
from bot.pagamentos.emissao import Emissor
from tests.fakes.asaas import LINHA, PIX, TOKEN, FakeAsaas
from tests.test_pagamentos_regua import OITO_EM_SP, _acordo, _confirmar
from tests.test_webhook_asaas import projeto_asaas


async def test_proxima_parcela_emitida_no_asaas_sem_mensagem_no_chat(engine: AsyncEngine, copia: Path) -> None:
    await _acordo(engine)
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        provedor = ProvedorAsaas(projeto.config.pagamentos.asaas_url, TOKEN)
        emissor = Emissor(engine, provedor, projeto.textos, projeto.config)
        confirmador = Confirmador(engine, projeto.textos, projeto.config, emissor)
        await confirmador.confirmar(_confirmar(), OITO_EM_SP)
        await confirmador.confirmar(_confirmar(), OITO_EM_SP)  # duplicate: no second charge
        asaas.liberar.set()
    async with sessao(engine) as s:
        _, proximo = (await s.exec(select(DocumentoPagamento).order_by(col(DocumentoPagamento.id)))).all()
        [cobranca] = (await s.exec(select(CobrancaPsp))).all()
        mensagens = (await s.exec(select(Mensagem))).all()
        eventos = [e.tipo for e in (await s.exec(select(Evento))).all()]
    [pagamento] = asaas.pagamentos.values()
    assert pagamento["externalReference"] == f"doc-{proximo.txid}" and pagamento["dueDate"] == "2026-12-24"
    assert (proximo.acordo_parcela_numero, proximo.pix, proximo.linha_digitavel) == (2, PIX, formatar_linha(LINHA))
    assert (cobranca.documento_id, cobranca.situacao) == (proximo.id, "emitida")
    assert "cobranca_emitida" in eventos and not mensagens  # issued quietly; shown when the debtor asks
