"""The per-channel rate: never more than `taxa` sends in any window of a second, and close to `taxa` when busy."""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections import Counter

import pytest

from bot.regua.balde import FOLGA, Balde


class Relogio:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.agora = 1000.0

    def __call__(self) -> float:
        return self.agora

    async def dormir(self, segundos: float) -> None:
        self.agora += segundos
        await asyncio.sleep(0)


@pytest.mark.parametrize(("taxa", "grupo"), [(1000, 20), (80, 2), (7, 1), (1, 1)])
async def test_nunca_passa_da_taxa_em_janela_alguma_e_chega_perto_dela(taxa: int, grupo: int) -> None:
    relogio = Relogio()
    balde = Balde(taxa, relogio, relogio.dormir)
    saidas: list[float] = []
    for _ in range(taxa * 5 // grupo):
        await balde.tomar(grupo)
        saidas += [relogio.agora] * grupo
    for i, inicio in enumerate(saidas):  # every window of one second that starts at a send
        assert bisect_left(saidas, inicio + 1) - i <= taxa
    por_segundo = Counter(int(t) for t in saidas)
    assert max(por_segundo.values()) <= taxa
    duracao = saidas[-1] - saidas[0]
    assert len(saidas) / max(duracao, 1) >= taxa / (1 + FOLGA) * 0.95


async def test_grupos_concorrentes_dividem_a_mesma_taxa() -> None:
    relogio = Relogio()
    balde = Balde(100, relogio, relogio.dormir)
    saidas: list[float] = []

    async def enviar() -> None:
        for _ in range(50):
            await balde.tomar(5)
            saidas.extend([relogio.agora] * 5)

    await asyncio.gather(*(enviar() for _ in range(4)))
    assert len(saidas) == 1000
    assert max(Counter(int(t) for t in saidas).values()) <= 100


def test_taxa_invalida() -> None:
    with pytest.raises(ValueError, match="ao menos 1"):
        Balde(0)
