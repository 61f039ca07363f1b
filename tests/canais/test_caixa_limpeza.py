"""The inbox stays small: claims search only unfinished rows (a partial index), processed rows are purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.canais import caixa
from bot.dados.banco import sessao
from bot.dados.entrada import Atualizacao

AGORA = datetime(2026, 12, 3, 15, tzinfo=UTC)


async def test_purga_so_as_processadas_antes_do_prazo(engine: AsyncEngine) -> None:
    linhas = [
        ("velha", "processada", AGORA - timedelta(days=31)),
        ("recente", "processada", AGORA - timedelta(days=29)),
        ("falhou", "falhou", AGORA - timedelta(days=90)),  # a person must still look at it
        ("pendente", "pendente", None),
    ]
    async with sessao(engine) as s:
        for id_externo, situacao, processada_em in linhas:
            s.add(Atualizacao(canal="whatsapp", tipo="mensagem", id_externo=id_externo, situacao=situacao,
                              processada_em=processada_em, recebida_em=AGORA - timedelta(days=91),
                              remetente="whatsapp:5511"))  # fmt: skip
        await s.commit()
    assert await caixa.purgar(engine, AGORA - timedelta(days=30)) == 1
    assert await caixa.purgar(engine, AGORA - timedelta(days=30)) == 0
    async with sessao(engine) as s:
        restantes = (await s.exec(select(Atualizacao.id_externo).order_by(col(Atualizacao.id)))).all()
    assert restantes == ["recente", "falhou", "pendente"]


async def test_a_proxima_do_remetente_usa_o_indice_parcial(engine: AsyncEngine) -> None:
    """The claim's lookup is answered from the index of unfinished rows, never by walking the sender's history."""
    consulta = "SELECT id FROM atualizacao WHERE remetente = 'x' AND situacao IN ('pendente', 'processando') "
    consulta += "ORDER BY id LIMIT 1"
    async with engine.connect() as c:
        if c.dialect.name == "sqlite":
            plano = " ".join(str(linha[-1]) for linha in await c.execute(text("EXPLAIN QUERY PLAN " + consulta)))
        else:
            await c.execute(text("SET enable_seqscan = off"))  # an empty table: make the planner show its index
            plano = " ".join(str(linha[0]) for linha in await c.execute(text("EXPLAIN " + consulta)))
    assert "ix_atualizacao_aberta" in plano, plano
