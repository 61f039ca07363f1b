"""A charge the PSP failed to issue is retried in the background with growing waits, against the Asaas fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.boleto_pix.tentativas import ESPERAS, RESERVA_FINAL
from bot.dados.banco import criar_engine, sessao
from bot.dados.cobrancas import CobrancaPsp, TokenPagamento
from bot.dados.modelos import DocumentoPagamento, Evento, Mensagem
from bot.dados.saida import Saida
from bot.disparo.despacho import Despachante
from bot.pagamentos.asaas import ProvedorAsaas
from bot.pagamentos.confirmacao import Confirmador
from bot.pagamentos.emissao import Emissor
from bot.pagamentos.reemissao import REEMISSOR, VIGIA, Reemissor
from bot.porta import TipoCanal
from bot.web.app import criar_app
from tests.apoio.acordos import DIA, NOVE_EM_SP, OITO_EM_SP, acordo_na_regua, confirmacao_do_asaas
from tests.apoio.ambiente_asaas import AMBIENTE, projeto_asaas
from tests.apoio.falsos.asaas import PIX, TOKEN, FakeAsaas, Falha
from tests.apoio.falsos.remetente import RemetenteFalso
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import Relogio

T0 = OITO_EM_SP


@dataclass
class Cena:
    engine: AsyncEngine
    asaas: FakeAsaas
    emissor: Emissor
    relogio: Relogio = field(default_factory=lambda: Relogio(T0))

    def reemissor(self) -> Reemissor:
        return Reemissor(self.emissor, self.relogio)

    def falhar(self, vezes: int) -> None:
        """The next `vezes` calls of the charge flow (its first request) answer 503."""
        self.asaas.falhas += [Falha("GET", "/v3/customers", 503) for _ in range(vezes)]


@pytest.fixture
async def cena(engine: AsyncEngine, copia: Path) -> AsyncIterator[Cena]:
    await acordo_na_regua(engine)
    async with sessao(engine) as s:  # the engine's documents have a payment page
        documento_id = (await _documento(engine)).id or 0
        s.add(TokenPagamento(token="t" * 32, documento_id=documento_id, valido_ate=DIA + timedelta(days=3)))
        await s.commit()
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        provedor = ProvedorAsaas(projeto.config.pagamentos.asaas_url, TOKEN)
        yield Cena(engine, asaas, Emissor(engine, provedor, projeto.textos, projeto.config))
        asaas.liberar.set()


async def _documento(engine: AsyncEngine) -> DocumentoPagamento:
    async with sessao(engine) as s:
        return (await s.exec(select(DocumentoPagamento).order_by(col(DocumentoPagamento.id)))).one()


async def _cobranca(engine: AsyncEngine) -> CobrancaPsp:
    async with sessao(engine) as s:
        return (await s.exec(select(CobrancaPsp))).one()


async def _eventos(engine: AsyncEngine) -> list[str]:
    async with sessao(engine) as s:
        return [e.tipo for e in (await s.exec(select(Evento).order_by(col(Evento.id)))).all()]


async def _avisos(engine: AsyncEngine) -> list[Saida]:
    async with sessao(engine) as s:
        consulta = select(Saida).where(col(Saida.passo).startswith("cobranca_emitida"))
        return list((await s.exec(consulta)).all())


async def _falha_na_conversa(cena: Cena) -> int:
    """The agreement's charge fails while the debtor is chatting: they get the kind message, a retry is due."""
    documento = await _documento(cena.engine)
    assert documento.id is not None
    cena.falhar(1)
    aviso = await cena.emissor.emitir(documento.id, T0)
    assert "não consegui gerar o boleto" in aviso.texto and not aviso.emitido
    cobranca = await _cobranca(cena.engine)
    assert (cobranca.situacao, cobranca.tentativas, cobranca.tentar_em) == ("falhou", 0, T0 + ESPERAS[0])
    return documento.id


async def test_falha_e_tentada_de_novo_mais_tarde_e_o_aviso_vai_pela_fila_uma_vez(cena: Cena) -> None:
    documento_id = await _falha_na_conversa(cena)
    cena.falhar(1)  # the first retry fails too
    reemissor = cena.reemissor()

    cena.relogio.agora = T0 + timedelta(seconds=59)
    assert (await reemissor.rodada()).tentadas == 0  # not due yet
    cena.relogio.agora = T0 + ESPERAS[0]
    assert (await reemissor.rodada()).tentadas == 1
    cobranca = await _cobranca(cena.engine)
    assert (cobranca.situacao, cobranca.tentativas) == ("falhou", 1)
    assert cobranca.tentar_em == T0 + ESPERAS[0] + ESPERAS[1]
    cena.relogio.agora = cobranca.tentar_em - timedelta(seconds=1)
    assert (await reemissor.rodada()).tentadas == 0
    cena.relogio.agora = cobranca.tentar_em
    resumo = await reemissor.rodada()
    assert (resumo.tentadas, resumo.emitidas) == (1, 1)
    for depois in (timedelta(hours=1), timedelta(days=1)):
        cena.relogio.agora += depois
        assert (await reemissor.rodada()).tentadas == 0

    assert len(cena.asaas.pagamentos) == 1
    cobranca, documento = await _cobranca(cena.engine), await _documento(cena.engine)
    assert (cobranca.situacao, cobranca.tentar_em, documento.pix) == ("emitida", None, PIX)
    assert await _eventos(cena.engine) == ["erro_provedor", "erro_provedor", "cobranca_emitida"]
    [aviso] = await _avisos(cena.engine)
    assert (aviso.canal, aviso.destino, aviso.modelo) == ("whatsapp", "+5511987654321", "documento_pronto")
    assert aviso.passo == f"cobranca_emitida:{documento_id}" and PIX in aviso.texto
    assert aviso.parametros[:3] == ["Maria", "R$\xa0100,00", "24/11/2026"]
    assert aviso.parametros[3].endswith(f"/p/{'t' * 32}")

    # The dispatcher sends it like any reminder: the contact policy applies (one contact a day: the day's régua
    # reminder and this go on different days), and outside the 24 h window it is the approved template.
    zap = RemetenteFalso()
    despachante = Despachante(cena.engine, cena.emissor.config.regua, {TipoCanal.WHATSAPP: zap})
    for dia in (0, 1):
        for minuto in (0, 1):
            await despachante.rodada(NOVE_EM_SP + timedelta(days=dia, minutes=minuto))
    async with sessao(cena.engine) as s:
        saidas = (await s.exec(select(Saida))).all()
    assert sorted((x.situacao, x.enviada_em.date() if x.enviada_em else None) for x in saidas) == [
        ("enviada", DIA),
        ("enviada", DIA + timedelta(days=1)),
    ]
    enviados = [e for e in zap.enviados if e.chave == aviso.chave]
    assert [(e.modelo, e.parametros) for e in enviados] == [("documento_pronto", tuple(aviso.parametros))]


async def test_desiste_depois_da_ultima_espera_e_avisa_os_atendentes(cena: Cena) -> None:
    await _falha_na_conversa(cena)
    cena.falhar(len(ESPERAS))
    reemissor = cena.reemissor()
    for numero, _espera in enumerate(ESPERAS, start=1):
        cena.relogio.agora = (await _cobranca(cena.engine)).tentar_em or T0
        resumo = await reemissor.rodada()
        cobranca = await _cobranca(cena.engine)
        assert (resumo.tentadas, cobranca.tentativas) == (1, numero)
        if numero < len(ESPERAS):
            assert cobranca.tentar_em == cena.relogio.agora + ESPERAS[numero]
    assert resumo.desistencias == 1 and cobranca.tentar_em is None
    cena.relogio.agora += timedelta(days=2)
    assert (await reemissor.rodada()).tentadas == 0

    eventos = await _eventos(cena.engine)
    assert eventos == ["erro_provedor"] * (1 + len(ESPERAS)) + ["erro_provedor_desistiu"]
    async with sessao(cena.engine) as s:
        desistencia = (await s.exec(select(Evento).where(Evento.tipo == "erro_provedor_desistiu"))).one()
    assert desistencia.dados["tentativas"] == len(ESPERAS) and desistencia.dados["erro"]
    assert not cena.asaas.pagamentos and not await _avisos(cena.engine)


async def test_dois_servidores_ao_mesmo_tempo_criam_uma_cobranca(cena: Cena) -> None:
    await _falha_na_conversa(cena)
    cena.relogio.agora = T0 + ESPERAS[0]
    um, outro = await asyncio.gather(cena.reemissor().rodada(), cena.reemissor().rodada())
    assert um.tentadas + outro.tentadas == 1 and um.emitidas + outro.emitidas == 1
    assert len(cena.asaas.pagamentos) == 1 and cena.asaas.criados("POST", "/v3/payments") == 1
    assert len(await _avisos(cena.engine)) == 1
    assert (await _eventos(cena.engine)).count("cobranca_emitida") == 1


async def test_documento_vencido_nunca_e_tentado_de_novo(cena: Cena) -> None:
    """Past its page's last day a failed charge is dropped: a new one is issued only if the debtor asks."""
    await _falha_na_conversa(cena)
    cena.relogio.agora = datetime(2026, 11, 27, 3, 1, tzinfo=UTC)  # 27/11 00:01 in São Paulo: valid until 26/11
    resumo = await cena.reemissor().rodada()
    assert (resumo.tentadas, resumo.emitidas, resumo.desistencias) == (0, 0, 0)
    cobranca = await _cobranca(cena.engine)
    assert (cobranca.situacao, cobranca.tentar_em) == ("falhou", None)
    assert not cena.asaas.pagamentos and "erro_provedor_desistiu" not in await _eventos(cena.engine)
    cena.relogio.agora = datetime(2026, 11, 27, 2, 59, tzinfo=UTC)  # still 26/11 there: it would have been due
    assert (await cena.reemissor().rodada()).tentadas == 0  # dropped for good, not merely postponed


async def test_ultima_tentativa_interrompida_desiste_depois_da_reserva(cena: Cena) -> None:
    await _falha_na_conversa(cena)
    cena.relogio.agora = T0 + timedelta(days=1)
    async with sessao(cena.engine) as s:  # a server claimed the last attempt and died during the call
        comando = update(CobrancaPsp).values(tentativas=len(ESPERAS), tentar_em=cena.relogio.agora + RESERVA_FINAL)
        await s.exec(comando)
        await s.commit()
    reemissor = cena.reemissor()
    assert (await reemissor.rodada()).desistencias == 0
    cena.relogio.agora += RESERVA_FINAL
    assert (await reemissor.rodada()).desistencias == 1
    assert (await _eventos(cena.engine))[-1] == "erro_provedor_desistiu" and not cena.asaas.pagamentos


async def test_documento_sem_cobranca_e_emitido_e_pago_antes_nao_e(cena: Cena) -> None:
    """A crash between the document and its charge row leaves no row at all: the retry issues it."""
    async with sessao(cena.engine) as s:
        await s.exec(update(DocumentoPagamento).values(criado_em=T0))
        await s.commit()
    reemissor = cena.reemissor()
    cena.relogio.agora = T0 + timedelta(seconds=30)
    assert (await reemissor.rodada()).tentadas == 0  # the call that made it may still be running
    cena.relogio.agora = T0 + timedelta(minutes=1)
    assert (await reemissor.rodada()).emitidas == 1
    assert len(cena.asaas.pagamentos) == 1 and len(await _avisos(cena.engine)) == 1


async def test_serve_instala_a_reemissao_so_com_um_psp(copia: Path, url: str) -> None:
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        app = criar_app(projeto, criar_engine(url), Relogio(T0), demo=False, ambiente=AMBIENTE)
        async with TestServer(app):  # started with the server (a first round finds nothing) and stopped with it
            assert not app[VIGIA].done()
        assert app[VIGIA].done() and app[VIGIA].exception() is None
    assert REEMISSOR not in criar_app(projeto_padrao(), criar_engine(url), Relogio(T0), demo=False)


async def test_parcela_paga_antes_da_nova_tentativa_sai_da_lista(cena: Cena) -> None:
    documento_id = await _falha_na_conversa(cena)
    confirmador = Confirmador(cena.engine, cena.emissor.textos, cena.emissor.config, cena.emissor)
    await confirmador.confirmar(confirmacao_do_asaas(), T0 + timedelta(seconds=30))  # paid (e.g. from the local code)
    cena.relogio.agora = T0 + ESPERAS[0]
    assert (await cena.reemissor().rodada()).tentadas == 0
    async with sessao(cena.engine) as s:
        antiga = (await s.exec(select(CobrancaPsp).where(CobrancaPsp.documento_id == documento_id))).one()
    assert (antiga.situacao, antiga.tentar_em) == ("falhou", None)
    [proxima] = cena.asaas.pagamentos.values()  # only the next installment's charge, issued by the confirmation
    assert proxima["externalReference"] != antiga.chave and not await _avisos(cena.engine)


async def test_conversa_web_ve_o_aviso_no_historico_e_na_fila(engine: AsyncEngine, copia: Path) -> None:
    await acordo_na_regua(engine, canal="web")
    asaas = FakeAsaas(falhas=[Falha("GET", "/v3/customers", 503)])
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        emissor = Emissor(engine, ProvedorAsaas(projeto.config.pagamentos.asaas_url, TOKEN), projeto.textos,
                          projeto.config)  # fmt: skip
        documento = await _documento(engine)
        assert documento.id is not None
        await emissor.emitir(documento.id, T0)
        assert (await Reemissor(emissor, Relogio(T0 + ESPERAS[0])).rodada()).emitidas == 1
        asaas.liberar.set()
    async with sessao(engine) as s:
        mensagens = (await s.exec(select(Mensagem).order_by(col(Mensagem.id)))).all()
    assert [m.id_externo for m in mensagens] == [None, f"cobranca_emitida-{documento.id}"]
    assert PIX in mensagens[-1].texto
    [aviso] = await _avisos(engine)
    assert aviso.canal == "whatsapp"  # the dispatcher cannot write to a web chat: the first régua channel
