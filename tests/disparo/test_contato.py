"""`pode_contatar`: the contact policy for messages the régua does not plan (bot follow-ups, agents)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import Conversa, Devedor, Dono
from bot.dados.saida import Saida
from bot.disparo.contato import pode_contatar
from tests.apoio.projetos import projeto_padrao

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;varejo;C-1;Carnê;1;100;24/11/2026
"""
SEGUNDA_11H_SP = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
SEGUNDA_9H_SP = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLITICA = projeto_padrao().config.regua.politica


async def _maria(engine: AsyncEngine) -> Devedor:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
        return (await s.exec(select(Devedor))).one()


Resposta = tuple[bool, str | None, datetime | None]  # may contact?, why not, from when


async def _pode(engine: AsyncEngine, maria: Devedor, agora: datetime, canal: str = "whatsapp", **kw: bool) -> Resposta:
    async with sessao(engine) as s:
        return await pode_contatar(s, maria, canal, agora, POLITICA, **kw)


@pytest.mark.parametrize(
    ("agora", "esperado"),
    [
        (SEGUNDA_11H_SP, (True, None, SEGUNDA_11H_SP)),
        (datetime(2026, 11, 22, 14, 0, tzinfo=UTC), (False, "fim de semana (domingo)", SEGUNDA_9H_SP)),
        (
            datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
            (False, "feriado: Dia Nacional de Zumbi e da Consciência Negra", SEGUNDA_9H_SP),
        ),
        (
            SEGUNDA_11H_SP.replace(hour=22),
            (False, "fora do horário (9h–19h, America/Sao_Paulo)", SEGUNDA_9H_SP + timedelta(days=1)),
        ),
    ],
)
async def test_calendario_no_fuso_do_devedor(engine: AsyncEngine, agora: datetime, esperado: Resposta) -> None:
    assert await _pode(engine, await _maria(engine), agora) == esperado


async def test_limite_optout_pausa_e_canal_sem_endereco(engine: AsyncEngine) -> None:
    maria = await _maria(engine)
    assert maria.id is not None
    assert await _pode(engine, maria, SEGUNDA_11H_SP, "telegram") == (False, "sem endereço para telegram", None)
    async with sessao(engine) as s:  # a reminder went out this morning: the daily cap counts it
        s.add(Saida(alvo="parcela:1", passo="vespera", canal="email", devedor_id=maria.id, destino="m@x", texto="t",
                    situacao="enviada", enviada_em=SEGUNDA_9H_SP, proxima_tentativa=SEGUNDA_9H_SP,
                    prazo=SEGUNDA_9H_SP))  # fmt: skip
        await s.commit()
    ok, motivo, quando = await _pode(engine, maria, SEGUNDA_11H_SP)
    assert (ok, motivo, quando) == (False, "limite diário (1) atingido", SEGUNDA_9H_SP + timedelta(days=1))
    amanha = SEGUNDA_11H_SP + timedelta(days=1)
    assert (await _pode(engine, maria, amanha))[0]
    async with sessao(engine) as s:
        s.add(Conversa(devedor_id=maria.id, canal="whatsapp", estado="x", dono=Dono.FILA.value))
        await s.commit()
    assert (await _pode(engine, maria, amanha))[:2] == (False, "pausa: conversa com uma pessoa")
    assert await _pode(engine, maria, amanha, por_pessoa=True) == (True, None, amanha)
    async with sessao(engine) as s:
        devedora = await s.get(Devedor, maria.id)
        assert devedora is not None
        devedora.optout_em = SEGUNDA_9H_SP
        s.add(devedora)
        await s.commit()
    assert await _pode(engine, maria, amanha, por_pessoa=True) == (False, "opt-out em 23/11/2026", None)
