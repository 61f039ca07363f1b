"""Outbox dispatch on a real SQLite file: exactly once across crashes, retries, window fallback, channel fallback."""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.dados.banco import criar_engine, sessao
from bot.dados.carteira import ler_carteira
from bot.dados.entrada import StatusEntrega
from bot.dados.fila import cancelar_pendentes, enfileirar, janela_fechada_tardia
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import Conversa, Devedor, Mensagem, Parcela
from bot.dados.saida import Saida
from bot.disparo.comando import plano_do_dia
from bot.disparo.despacho import RESERVA, Despachante, Resumo
from bot.disparo.email import Carta
from bot.porta import Envio, Indeliveravel, JanelaFechada, Remetente, TentarDepois, TipoCanal
from tests.apoio.falsos.remetente import Queda, RemetenteFalso, RemetenteSemConsulta
from tests.apoio.leituras import saidas_gravadas
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import RelogioComum

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;maria@example.com;varejo;C-1;Carnê;1;100;24/11/2026
"""
DIA = date(2026, 11, 23)  # Monday; the installment is due Tuesday: step "vespera" (D-1)
NOVE_EM_SP = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def _semear(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
    regua = projeto_padrao().config.regua
    linhas = await plano_do_dia(engine, regua, "Loja", DIA, datetime(2026, 11, 23, 3, tzinfo=UTC))
    async with sessao(engine) as s:
        assert await enfileirar(s, regua, linhas) == 1
        assert await enfileirar(s, regua, linhas) == 0  # planning twice enqueues nothing new


def _despachante(engine: AsyncEngine, zap: Remetente, email: Remetente | None = None) -> Despachante:
    remetentes: dict[TipoCanal, Remetente] = {TipoCanal.WHATSAPP: zap} | ({TipoCanal.EMAIL: email} if email else {})
    projeto = projeto_padrao()
    carta = Carta(projeto.textos, projeto.config.credor)
    return Despachante(engine, projeto.config.regua, remetentes, carta=carta)


async def test_enfileira_na_hora_permitida_e_envia_uma_vez(engine: AsyncEngine) -> None:
    await _semear(engine)
    [saida] = await saidas_gravadas(engine)
    assert (saida.chave, saida.proxima_tentativa) == (f"{saida.alvo}|vespera|whatsapp", NOVE_EM_SP)
    zap = RemetenteFalso()
    assert (await _despachante(engine, zap).rodada(NOVE_EM_SP - timedelta(minutes=1))).enviadas == 0
    assert (await _despachante(engine, zap).rodada(NOVE_EM_SP)).enviadas == 1
    assert (await _despachante(engine, zap).rodada(NOVE_EM_SP + timedelta(hours=1))).enviadas == 0
    [envio] = zap.enviados
    assert envio.modelo == "lembrete_amanha" and envio.parametros == ("Maria",)  # no inbound: template
    assert (await saidas_gravadas(engine))[0].id_provedor == "wamid.1"


@pytest.mark.parametrize("onde", ["antes", "depois"])
async def test_queda_entre_reserva_e_confirmacao_nao_repete_nem_perde(engine: AsyncEngine, onde: str) -> None:
    await _semear(engine)
    zap = RemetenteFalso(morrer_antes=onde == "antes", morrer_depois=onde == "depois")
    with pytest.raises(Queda):
        await _despachante(engine, zap).rodada(NOVE_EM_SP)
    assert (await saidas_gravadas(engine))[0].situacao == "enviando"
    await _despachante(engine, zap).rodada(NOVE_EM_SP + RESERVA / 2)  # the claim may still be alive
    assert (await saidas_gravadas(engine))[0].situacao == "enviando"
    resumo = await _despachante(engine, zap).rodada(NOVE_EM_SP + RESERVA + timedelta(seconds=1))
    await _despachante(engine, zap).rodada(NOVE_EM_SP + timedelta(hours=2))
    assert resumo.reconciliadas == 1
    assert len(zap.enviados) == 1
    [saida] = await saidas_gravadas(engine)
    assert (saida.situacao, saida.id_provedor) == ("enviada", "wamid.1")


async def test_queda_sem_como_consultar_o_provedor_fica_incerta(engine: AsyncEngine) -> None:
    await _semear(engine)
    with pytest.raises(Queda):
        await _despachante(engine, RemetenteFalso(morrer_depois=True)).rodada(NOVE_EM_SP)
    cego = RemetenteSemConsulta()
    await _despachante(engine, cego).rodada(NOVE_EM_SP + RESERVA * 2)
    [saida] = await saidas_gravadas(engine)
    assert saida.situacao == "incerta" and "confira" in (saida.motivo or "")
    assert cego.enviados == []


async def test_dois_despachantes_ao_mesmo_tempo_enviam_uma_vez(engine: AsyncEngine) -> None:
    await _semear(engine)
    zap = RemetenteFalso()
    await asyncio.gather(*(_despachante(engine, zap).rodada(NOVE_EM_SP) for _ in range(4)))
    assert len(zap.enviados) == 1


async def test_erro_transitorio_tenta_de_novo_com_espera_dobrada(engine: AsyncEngine) -> None:
    await _semear(engine)
    zap = RemetenteFalso(falhas=[TentarDepois("limite", "130429"), TentarDepois("limite", "130429")])
    despachante = _despachante(engine, zap)
    await despachante.rodada(NOVE_EM_SP)
    assert (await saidas_gravadas(engine))[0].proxima_tentativa == NOVE_EM_SP + timedelta(seconds=60)
    await despachante.rodada(NOVE_EM_SP + timedelta(seconds=60))
    assert (await saidas_gravadas(engine))[0].proxima_tentativa == NOVE_EM_SP + timedelta(seconds=180)
    await despachante.rodada(NOVE_EM_SP + timedelta(seconds=180))
    [saida] = await saidas_gravadas(engine)
    assert (saida.situacao, saida.tentativas, len(zap.enviados)) == ("enviada", 3, 1)


async def _escreveu_no_whatsapp(engine: AsyncEngine, quando: datetime) -> None:
    """The debtor's last WhatsApp message was at `quando` (it opens the 24 h window)."""
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor))).one()
        assert devedor.id is not None
        conversa = Conversa(devedor_id=devedor.id, canal="whatsapp", estado="inicio")
        s.add(conversa)
        await s.flush()
        assert conversa.id is not None
        s.add(Mensagem(conversa_id=conversa.id, direcao="entrada", canal="whatsapp", texto="oi", status="recebida",
                       criada_em=quando))  # fmt: skip
        await s.commit()


async def test_janela_aberta_texto_livre_e_131047_vira_modelo(engine: AsyncEngine) -> None:
    await _semear(engine)
    await _escreveu_no_whatsapp(engine, NOVE_EM_SP - timedelta(hours=23))
    zap = RemetenteFalso(falhas=[JanelaFechada("janela", "131047")])
    await _despachante(engine, zap).rodada(NOVE_EM_SP)
    [envio] = zap.enviados
    assert envio.modelo == "lembrete_amanha"
    async with sessao(engine) as s:  # a late `failed` 131047 for a free-text send: resent as the template
        saida = (await s.exec(select(Saida))).one()
        saida.usar_modelo = False
        s.add(saida)
        await s.commit()
        assert await janela_fechada_tardia(s, "wamid.1", NOVE_EM_SP + timedelta(minutes=1))
    await _despachante(engine, zap).rodada(NOVE_EM_SP + timedelta(hours=5))
    assert [e.modelo for e in zap.enviados] == ["lembrete_amanha", "lembrete_amanha"]


async def test_131047_que_chega_antes_de_a_linha_ser_confirmada_nao_se_perde(engine: AsyncEngine) -> None:
    await _semear(engine)
    await _escreveu_no_whatsapp(engine, NOVE_EM_SP - timedelta(hours=1))
    async with sessao(engine) as s:
        # The webhook's `failed` for wamid.1 is processed while the dispatcher is still between send and commit.
        s.add(StatusEntrega(canal="whatsapp", id_externo="wamid.1", status="failed", codigo="131047",
                            instante=NOVE_EM_SP))  # fmt: skip
        await s.commit()
    zap = RemetenteFalso()
    await _despachante(engine, zap).rodada(NOVE_EM_SP)
    assert (await saidas_gravadas(engine))[0].usar_modelo
    await _despachante(engine, zap).rodada(NOVE_EM_SP + timedelta(seconds=10))
    assert [e.modelo for e in zap.enviados] == [None, "lembrete_amanha"]
    assert (await saidas_gravadas(engine))[0].situacao == "enviada"


async def test_erro_permanente_registrado_e_proximo_canal(engine: AsyncEngine) -> None:
    await _semear(engine)
    zap, email = RemetenteFalso(falhas=[Indeliveravel("não entregável", "131026")]), RemetenteFalso()
    await _despachante(engine, zap, email).rodada(NOVE_EM_SP)
    await _despachante(engine, zap, email).rodada(NOVE_EM_SP + timedelta(seconds=1))
    primeira, segunda = await saidas_gravadas(engine)
    assert (primeira.canal, primeira.situacao, primeira.motivo) == ("whatsapp", "falhou", "não entregável (131026)")
    assert (segunda.canal, segunda.situacao, segunda.destino) == ("email", "enviada", "maria@example.com")
    assert email.enviados[0].modelo == "Vence amanhã"


async def test_canal_desligado_nao_fica_pendente_passa_ao_proximo(engine: AsyncEngine) -> None:
    """WhatsApp without credentials: the row fails with the reason, Telegram is skipped (no chat), e-mail sends."""
    await _semear(engine)
    email = RemetenteFalso()
    regua = projeto_padrao().config.regua
    carta = Carta(projeto_padrao().textos, projeto_padrao().config.credor)
    despachante = Despachante(engine, regua, {TipoCanal.EMAIL: email}, frozenset({TipoCanal.WHATSAPP}), carta)
    primeira_rodada = await despachante.rodada(NOVE_EM_SP)
    await despachante.rodada(NOVE_EM_SP + timedelta(seconds=1))
    zap, correio = await saidas_gravadas(engine)
    assert primeira_rodada.falhas == 1
    assert (zap.situacao, zap.motivo) == ("falhou", "canal whatsapp desligado (sem credenciais em [canais.whatsapp])")
    assert (correio.canal, correio.situacao) == ("email", "enviada")
    assert len(email.enviados) == 1


async def test_canal_desligado_sem_proximo_canal_falha_com_motivo(engine: AsyncEngine) -> None:
    await _semear(engine)
    desligados = frozenset({TipoCanal.WHATSAPP, TipoCanal.EMAIL})
    despachante = Despachante(engine, projeto_padrao().config.regua, {}, desligados)
    for segundos in range(3):
        await despachante.rodada(NOVE_EM_SP + timedelta(seconds=segundos))
    saidas = await saidas_gravadas(engine)
    assert [(s.canal, s.situacao) for s in saidas] == [("whatsapp", "falhou"), ("email", "falhou")]
    assert all("desligado" in (s.motivo or "") for s in saidas)


async def test_pagamento_descarta_pendentes(engine: AsyncEngine) -> None:
    await _semear(engine)
    async with sessao(engine) as s:
        parcela = (await s.exec(select(Parcela))).one()
        parcela.situacao = "paga"
        s.add(parcela)
        await s.commit()
    zap = RemetenteFalso()
    resumo = await _despachante(engine, zap).rodada(NOVE_EM_SP)
    assert (resumo.descartadas, zap.enviados) == (1, [])
    assert "paga" in ((await saidas_gravadas(engine))[0].motivo or "")


async def test_optout_cancela_na_hora(engine: AsyncEngine) -> None:
    await _semear(engine)
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor))).one()
        assert await cancelar_pendentes(s, "opt-out", devedor_id=devedor.id) == 1
        with pytest.raises(ValueError, match="devedor_id ou alvo"):
            await cancelar_pendentes(s, "x")
    assert (await saidas_gravadas(engine))[0].situacao == "descartada"


async def test_duas_linhas_do_mesmo_devedor_no_mesmo_lote_contam_uma_para_a_outra(engine: AsyncEngine) -> None:
    await _semear(engine)
    [primeira] = await saidas_gravadas(engine)
    async with sessao(engine) as s:  # a second reminder for Maria, another step, another address
        s.add(Saida(**{**primeira.model_dump(exclude={"id"}), "passo": "outro", "destino": "+5511900000000"}))
        await s.commit()
    zap = RemetenteFalso()
    resumo = await _despachante(engine, zap).rodada(NOVE_EM_SP)
    assert (resumo.enviadas, resumo.adiadas, len(zap.enviados)) == (1, 1, 1)
    adiada = next(s for s in await saidas_gravadas(engine) if s.situacao == "pendente")
    assert "limite diário" in (adiada.motivo or "") and adiada.tentativas == 0


@dataclass
class _Retido(RemetenteFalso):
    """Holds every send until the test lets them go."""

    solta: asyncio.Event = field(default_factory=asyncio.Event)

    async def enviar(self, envio: Envio) -> str:
        await self.solta.wait()
        return await super().enviar(envio)


async def test_o_lote_seguinte_e_decidido_durante_os_envios_e_conta_os_que_estao_em_voo(engine: AsyncEngine) -> None:
    """While a batch's sends are in flight the next batch is already claimed and decided, so sends never wait on
    a claim; a debtor's second reminder there is held by the daily cap, as the first is in flight (`enviando`)."""
    terca_10h = datetime(2026, 11, 24, 13, tzinfo=UTC)
    await _muitos_devedores(engine, 4, terca_10h)
    primeira = min(await saidas_gravadas(engine), key=lambda saida: saida.id or 0)
    async with sessao(engine) as s:  # a fifth row, for the first debtor at another address: the next batch
        s.add(Saida(**{**primeira.model_dump(exclude={"id"}), "passo": "outro", "destino": "+5511900000000"}))
        await s.commit()
    regua = projeto_padrao().config.regua
    limites = regua.limites.model_copy(update={"simultaneos": 1})  # batches of 4 rows
    zap = _Retido()
    rodada = asyncio.create_task(
        Despachante(engine, regua.model_copy(update={"limites": limites}), {TipoCanal.WHATSAPP: zap}).rodada(terca_10h)
    )

    async def quinta_decidida() -> Saida:
        while True:
            quinta = next(saida for saida in await saidas_gravadas(engine) if saida.passo == "outro")
            if quinta.situacao == "pendente" and quinta.motivo:
                return quinta
            await asyncio.sleep(0)  # let the round go on

    quinta = await asyncio.wait_for(quinta_decidida(), 10)
    assert not zap.enviados  # the first batch's sends are still held
    assert "limite diário" in (quinta.motivo or "")
    zap.solta.set()
    resumo = await rodada
    assert (resumo.enviadas, resumo.adiadas, len(zap.enviados)) == (4, 1, 4)
    assert primeira.destino in {envio.destino for envio in zap.enviados}


async def test_se_a_reserva_do_lote_seguinte_falha_o_lote_no_ar_termina_e_fica_gravado(engine: AsyncEngine) -> None:
    """The database fails on the next batch's claim while the current batch's sends are out: those sends finish
    and are settled (nothing in doubt), the round backs off, and the unclaimed row waits for the next round."""
    terca_10h = datetime(2026, 11, 24, 13, tzinfo=UTC)
    await _muitos_devedores(engine, 5, terca_10h)
    regua = projeto_padrao().config.regua
    limites = regua.limites.model_copy(update={"simultaneos": 1})  # batches of 4 rows
    zap, reservas, falhou, monotonico = _Retido(), [], asyncio.Event(), [0.0]

    def reserva(_conexao: object, _cursor: object, sql: str, *_resto: object) -> None:
        if "devidas" in sql:
            reservas.append(sql)
            if len(reservas) == 2:
                falhou.set()
                raise OperationalError(sql, {}, Exception("banco caiu"))

    event.listen(engine.sync_engine, "before_cursor_execute", reserva)
    try:
        despachante = Despachante(engine, regua.model_copy(update={"limites": limites}), {TipoCanal.WHATSAPP: zap},
                                  monotonico=lambda: monotonico[0])  # fmt: skip
        rodada = asyncio.create_task(despachante.rodada(terca_10h))
        await asyncio.wait_for(falhou.wait(), 10)
        assert not rodada.done()  # the first batch's sends are still out: the round waits for them
        zap.solta.set()
        resumo = await rodada
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", reserva)
    assert (resumo.enviadas, len(zap.enviados)) == (4, 4)
    situacoes = sorted(saida.situacao for saida in await saidas_gravadas(engine))
    assert situacoes == ["enviada"] * 4 + ["pendente"]
    assert (await despachante.rodada(terca_10h)).enviadas == 0  # backing off
    monotonico[0] += 60  # the back-off over: the next round sends the last one
    assert (await despachante.rodada(terca_10h)).enviadas == 1


async def test_banco_fora_do_ar_a_rodada_sobrevive_e_recua(engine: AsyncEngine) -> None:
    await _semear(engine)
    instantes = iter([0.0, 0.0, 0.5, 2.0, 2.0, 2.0])
    morto = criar_engine("sqlite+aiosqlite:////nao/existe/banco.db")
    fora = Despachante(morto, projeto_padrao().config.regua, {TipoCanal.WHATSAPP: RemetenteFalso()},
                       monotonico=lambda: next(instantes))  # fmt: skip
    assert await fora.rodada(NOVE_EM_SP) == Resumo()  # logged, no exception; retried after 1 s
    assert await fora.rodada(NOVE_EM_SP) == Resumo()  # 0.5 s later: still backing off, nothing tried
    await morto.dispose()
    fora.engine = engine  # the database is back
    assert (await fora.rodada(NOVE_EM_SP)).enviadas == 1


async def _muitos_devedores(engine: AsyncEngine, quantos: int, quando: datetime) -> None:
    """`quantos` debtors with one due thank-you each (a row that never becomes obsolete), in bulk."""
    async with engine.begin() as conexao:
        await conexao.execute(insert(Devedor), [
            {"id": i, "cpf": f"{i:011d}", "nome": f"Pessoa {i}", "telefone": f"+55119{i:08d}", "uf": "SP",
             "telefone_invalido": False, "criado_em": quando, "atualizado_em": quando} for i in range(1, quantos + 1)
        ])  # fmt: skip
        await conexao.execute(insert(Saida), [
            {"alvo": f"pagamento:{i}", "passo": "obrigado", "canal": "whatsapp", "devedor_id": i,
             "destino": f"+55119{i:08d}", "texto": "Obrigado!", "modelo": "obrigado", "parametros": [],
             "usar_modelo": True, "canais_restantes": [], "situacao": "pendente", "tentativas": 0,
             "proxima_tentativa": quando, "prazo": quando + timedelta(days=3), "dados": {}, "criada_em": quando}
            for i in range(1, quantos + 1)
        ])  # fmt: skip


async def test_tres_despachantes_num_banco_somados_nunca_passam_da_taxa(engine: AsyncEngine) -> None:
    """Three instances sending from one number: every send once, never `taxa` in a second, and close to it."""
    taxa, quantos, terca_10h = 100, 450, datetime(2026, 11, 24, 13, tzinfo=UTC)
    await _muitos_devedores(engine, quantos, terca_10h)
    regua = projeto_padrao().config.regua
    limites = regua.limites.model_copy(update={"por_segundo": {TipoCanal.WHATSAPP: taxa}, "simultaneos": 1})
    regua = regua.model_copy(update={"limites": limites})
    relogio = RelogioComum(atores=3)  # with `simultaneos = 1` each instance sends from one task at a time
    url = engine.url.render_as_string(hide_password=False)
    engines = [engine, criar_engine(url), criar_engine(url)]
    zaps = [RemetenteFalso(relogio=relogio) for _ in engines]

    async def instancia(motor: AsyncEngine, zap: RemetenteFalso) -> int:
        """`serve`'s clock: a round each second (a round also ends early on a short claim) until all went out."""
        despachante = Despachante(motor, regua, {TipoCanal.WHATSAPP: zap}, relogio_cota=relogio,
                                  dormir=relogio.dormir)  # fmt: skip
        enviadas = 0
        try:
            while sum(len(z.enviados) for z in zaps) < quantos:
                enviadas += (await despachante.rodada(terca_10h)).enviadas
                await relogio.dormir(1.0)
            return enviadas
        finally:
            relogio.saiu()

    try:
        enviadas = await asyncio.gather(*(instancia(m, z) for m, z in zip(engines, zaps, strict=True)))
    finally:
        for motor in engines[1:]:
            await motor.dispose()
    assert sum(enviadas) == quantos and all(zap.enviados for zap in zaps)
    assert len({envio.chave for zap in zaps for envio in zap.enviados}) == quantos
    instantes = sorted(t for zap in zaps for t in zap.instantes)
    assert max(bisect_left(instantes, t + 1) - i for i, t in enumerate(instantes)) <= taxa  # any 1 s window
    assert quantos / (instantes[-1] - instantes[0]) >= 0.95 * taxa
