"""With the Asaas provider the next installment's charge is issued at the (fake) PSP through the Provedor port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.atendimento.servico import Atendimento
from bot.boleto_pix.boleto import formatar_linha
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.cobrancas import CobrancaPsp, TokenPagamento
from bot.dados.modelos import Devedor, DocumentoPagamento, Evento, Mensagem
from bot.pagamentos.asaas import ProvedorAsaas
from bot.pagamentos.confirmacao import Confirmador
from bot.pagamentos.emissao import Emissor
from bot.projeto import Projeto
from tests.apoio.acordos import OITO_EM_SP, acordo_na_regua, confirmacao_do_asaas
from tests.apoio.ambiente_asaas import projeto_asaas
from tests.apoio.falsos.asaas import LINHA, PIX, TOKEN, FakeAsaas


@asynccontextmanager
async def _asaas(engine: AsyncEngine, copia: Path) -> AsyncIterator[tuple[FakeAsaas, Projeto, Emissor]]:
    """A fake Asaas, the project configured for it and the emissor that calls it."""
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        provedor = ProvedorAsaas(projeto.config.pagamentos.asaas_url, TOKEN)
        yield asaas, projeto, Emissor(engine, provedor, projeto.textos, projeto.config)


async def test_proxima_parcela_emitida_no_asaas_sem_mensagem_no_chat(engine: AsyncEngine, copia: Path) -> None:
    await acordo_na_regua(engine)
    async with _asaas(engine, copia) as (asaas, projeto, emissor):
        confirmador = Confirmador(engine, projeto.textos, projeto.config, emissor)
        await confirmador.confirmar(confirmacao_do_asaas(), OITO_EM_SP)
        await confirmador.confirmar(confirmacao_do_asaas(), OITO_EM_SP)  # duplicate: no second charge
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


async def test_documento_vencido_so_vira_nova_cobranca_quando_o_devedor_pede(engine: AsyncEngine, copia: Path) -> None:
    """With a PSP a renewal is a new charge: a message after the page expired shows no dead codes and issues
    nothing; "segunda via" issues the new document, charged once, and its reply carries it."""
    await acordo_na_regua(engine)
    async with _asaas(engine, copia) as (asaas, projeto, emissor):
        async with sessao(engine) as s:
            primeiro = (await s.exec(select(DocumentoPagamento))).one()
            assert primeiro.id is not None
            s.add(TokenPagamento(token="v" * 32, documento_id=primeiro.id, valido_ate=date(2026, 11, 27)))
            await s.commit()
        assert (await emissor.emitir(primeiro.id, OITO_EM_SP, avisar=False)).emitido
        depois = datetime(2026, 11, 30, 13, tzinfo=UTC)  # Monday 10:00 in São Paulo: the page closed on 27/11
        atendimento = Atendimento(projeto.motor, engine, lambda: depois, emissor)
        async with sessao(engine) as s:
            devedor_id = (await s.exec(select(Devedor.id))).one()
        assert devedor_id is not None
        for frase in ("oi", "sim", "390"):
            respostas = await atendimento.receber(devedor_id, "telegram", Entrada(frase))
        assert "acordo ativo" in respostas[-1].texto and "prazo do último boleto acabou" in respostas[-1].texto
        assert PIX not in respostas[-1].texto and all(r.documento is None for r in respostas)
        assert len(asaas.pagamentos) == 1  # no charge for a message that did not ask for one
        respostas = await atendimento.receber(devedor_id, "telegram", Entrada("me manda a segunda via"))
        asaas.liberar.set()
    async with sessao(engine) as s:
        documentos = (await s.exec(select(DocumentoPagamento).order_by(col(DocumentoPagamento.id)))).all()
        cobrancas = (await s.exec(select(CobrancaPsp))).all()
    assert [(d.acordo_parcela_numero, d.emissao) for d in documentos] == [(1, 1), (1, 2)]
    novo = documentos[-1]
    assert novo.vencimento == date(2026, 12, 1) and novo.pix == PIX  # tomorrow, a business day
    assert len(asaas.pagamentos) == 2 and len(cobrancas) == 2
    assert respostas[-1].documento == novo.id and PIX in respostas[-1].texto
