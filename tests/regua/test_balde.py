"""The token bucket, pure: fewer than `taxa` sends in any window of a second, and close to `taxa` when busy."""

from __future__ import annotations

from bisect import bisect_left

import pytest

from bot.regua.balde import Balde, Nivel


def _sempre_que_puder(balde: Balde, grupo: int, segundos: int) -> list[float]:
    """Take `grupo` tokens each time they are there, on a clock that jumps to that moment."""
    agora, nivel, saidas = 1000.0, balde.cheio(1000.0), list[float]()
    while agora < 1000.0 + segundos:
        depois = balde.tomar(nivel, agora, grupo)
        if depois is None:
            agora += balde.espera(nivel, agora, grupo)
            continue
        nivel = depois
        saidas.extend([agora] * grupo)
    return saidas


@pytest.mark.parametrize(("taxa", "grupo", "minimo"), [(1000, 20, 0.95), (80, 2, 0.95), (7, 1, 0.8), (1, 1, 0.95)])
def test_nunca_chega_a_taxa_em_janela_alguma_e_fica_perto_dela(taxa: int, grupo: int, minimo: float) -> None:
    saidas = _sempre_que_puder(Balde(taxa), grupo, 20)
    for i, inicio in enumerate(saidas):  # every window of one second that starts at a send
        assert bisect_left(saidas, inicio + 1) - i <= taxa
    assert len(saidas) / (saidas[-1] - saidas[0]) >= taxa * minimo


def test_relogio_atrasado_nao_enche_nem_volta_o_instante() -> None:
    balde = Balde(100)
    depois = balde.tomar(Nivel(0.0, 50.0), 49.0, 1)  # another instance's clock ran a second ahead
    assert depois is None and balde.espera(Nivel(0.0, 50.0), 49.0, 1) == pytest.approx(1 / balde.por_segundo)
    assert balde.tomar(Nivel(1.5, 50.0), 49.0, 1) == Nivel(0.5, 50.0)


def test_taxa_invalida() -> None:
    with pytest.raises(ValueError, match="ao menos 1"):
        Balde(0)
