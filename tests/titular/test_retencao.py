"""The retention job: past `lgpd.retencao_dias` since the last fact and with nothing open, name and CPF go too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.config.titular import LgpdConfig
from bot.dados.atendentes import Auditoria
from bot.dados.banco import criar_engine, sessao
from bot.dados.integracao import EventoSaida
from bot.dados.modelos import Contrato, Devedor, Evento, Parcela
from bot.projeto import Projeto
from bot.titular.retencao import RETENCAO, Retencao, cpf_substituto, vencido
from bot.web.app import criar_app
from tests.apoio.relogio import AGORA


async def _quitar(engine_semeado: AsyncEngine, devedor_id: int) -> None:
    async with sessao(engine_semeado) as s:
        contratos = select(Contrato.id).where(Contrato.devedor_id == devedor_id)
        await s.exec(update(Parcela).where(col(Parcela.contrato_id).in_(contratos)).values(situacao="paga"))
        await s.commit()


def test_vencido_conta_os_dias_desde_o_ultimo_fato() -> None:
    ultimo = datetime(2021, 1, 1, tzinfo=UTC)
    assert not vencido(ultimo, ultimo + timedelta(days=364), 365)
    assert vencido(ultimo, ultimo + timedelta(days=365), 365)


async def test_expurga_so_quem_nao_deve_nada_e_esta_parado(engine_semeado: AsyncEngine, tmp_path: Path) -> None:
    daqui_a_pouco = datetime.now(UTC) + timedelta(days=400)  # the seeded rows were written now
    await _quitar(engine_semeado, 2)
    await _quitar(engine_semeado, 3)
    async with sessao(engine_semeado) as s:  # debtor 3 did something recently: the clock restarts
        s.add(Evento(devedor_id=3, tipo="pagamento_informado", dados={}, criado_em=daqui_a_pouco - timedelta(days=10)))
        await s.commit()
    retencao = Retencao(engine_semeado, LgpdConfig(retencao_dias=365), lambda: daqui_a_pouco, tmp_path)
    assert await retencao.rodada() == 1
    assert await retencao.rodada() == 0  # once
    async with sessao(engine_semeado) as s:
        dois, tres, um = (await s.get(Devedor, 2), await s.get(Devedor, 3), await s.get(Devedor, 1))
        (auditoria,) = (await s.exec(select(Auditoria).where(Auditoria.acao == "titular_expurgar"))).all()
        parcelas = (await s.exec(select(Parcela).join(Contrato).where(Contrato.devedor_id == 2))).all()
    assert dois is not None and tres is not None and um is not None
    assert (dois.nome, dois.cpf, dois.telefone, dois.expurgado_em) == (
        "Titular anonimizado", cpf_substituto(2), None, daqui_a_pouco)  # fmt: skip
    assert dois.cpf == "#0000000002" and parcelas and all(p.situacao == "paga" for p in parcelas)
    assert tres.expurgado_em is None and tres.cpf != cpf_substituto(3)
    assert um.expurgado_em is None  # still owes
    assert auditoria.dados["devedor"] == 2 and auditoria.dados["retencao_dias"] == 365
    async with sessao(engine_semeado) as s:
        saidas = (await s.exec(select(EventoSaida.devedor_id, EventoSaida.dados))).all()
    assert saidas == [(2, {"origem": "retenção (LGPD)"})]


async def test_serve_roda_a_rotina(projeto: Projeto, url: str) -> None:
    motor = criar_engine(url)
    try:
        assert RETENCAO in criar_app(projeto, motor, lambda: AGORA, demo=False, com_regua=True)
        assert RETENCAO not in criar_app(projeto, motor, lambda: AGORA, demo=False)  # tests and the demo's own app
    finally:
        await motor.dispose()
