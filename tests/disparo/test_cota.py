"""The send rate shared through the database: several instances together never reach the limit, and use it."""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dados.banco import criar_engine
from bot.disparo.cota import Cota
from tests.apoio.relogio import RelogioComum


@pytest.fixture
async def engines(engine: AsyncEngine) -> AsyncIterator[list[AsyncEngine]]:
    """Three instances: each its own engine (connection pool) on the same database."""
    url = engine.url.render_as_string(hide_password=False)
    outros = [criar_engine(url) for _ in range(2)]
    yield [engine, *outros]
    for outro in outros:
        await outro.dispose()


def _maior_janela(instantes: list[float]) -> int:
    """The most sends in any window of one second (each window starting at a send)."""
    ordenados = sorted(instantes)
    return max(bisect_left(ordenados, inicio + 1) - i for i, inicio in enumerate(ordenados))


@pytest.mark.parametrize(("taxa", "grupo"), [(100, 2), (30, 1)])
async def test_tres_instancias_somadas_ficam_abaixo_da_taxa(engines: list[AsyncEngine], taxa: int, grupo: int) -> None:
    relogio = RelogioComum(atores=3)
    instantes: list[float] = []

    async def instancia(engine: AsyncEngine) -> None:
        cota = Cota(engine, "whatsapp", taxa, relogio, relogio.dormir)
        try:
            for _ in range(taxa * 2 // grupo):
                await cota.tomar(grupo)
                instantes.extend([relogio()] * grupo)
        finally:
            relogio.saiu()

    await asyncio.gather(*(instancia(e) for e in engines))
    assert len(instantes) == 6 * taxa // grupo * grupo
    assert _maior_janela(instantes) <= taxa
    assert len(instantes) / (max(instantes) - min(instantes)) >= 0.95 * taxa


async def test_cada_canal_tem_a_sua_cota(engines: list[AsyncEngine]) -> None:
    relogio = RelogioComum(atores=1)
    zap, email = Cota(engines[0], "whatsapp", 10, relogio, relogio.dormir), Cota(engines[1], "email", 10, relogio)
    await zap.tomar(1)  # the bucket holds one token at 10/s: the next one must wait
    await email.tomar(1)  # another channel's bucket is full
    assert relogio() == 1_800_000_000.0
    await zap.tomar(1)
    assert relogio() == pytest.approx(1_800_000_000.0 + 1 / zap.balde.por_segundo)


async def test_uma_instancia_pede_fichas_so_quando_ja_as_tem(engine: AsyncEngine) -> None:
    """Alone on the number, an instance waits as long as the level it saw says, then asks once: no failed takes
    (each would cost a transaction and a wake-up), and the rate is still the bucket's."""
    relogio = RelogioComum(atores=1)
    pedidos: list[str] = []

    def anotar(*args: object) -> None:
        if str(args[2]).startswith("UPDATE fichas_envio"):
            pedidos.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", anotar)
    try:
        cota = Cota(engine, "whatsapp", 100, relogio, relogio.dormir)
        inicio = relogio()
        for _ in range(50):
            await cota.tomar(2)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", anotar)
    assert len(pedidos) == 51  # one more at the channel's first use: no row yet (created full, then taken)
    assert relogio() - inicio == pytest.approx(49 * 2 / cota.balde.por_segundo)  # the first two were in the bucket
