"""Liquidation curves, pure: known portfolios give known percentages, young debtors do not drag old days down."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from bot.resultados.curvas import Carteira, curvas
from bot.resultados.grafico import csv_curvas, svg_curvas


def _carteira(
    grupos: list[str], devedores: list[tuple[int, int, int]], pagamentos: list[tuple[int, int, int]]
) -> Carteira:
    """devedores: (group, cents placed, age in days); pagamentos: (debtor, day since placement, cents)."""

    def coluna(linhas: list[tuple[int, int, int]], i: int) -> np.ndarray:
        return np.array([linha[i] for linha in linhas], dtype=np.int64)

    return Carteira(grupos, coluna(devedores, 0), coluna(devedores, 1), coluna(devedores, 2),
                    coluna(pagamentos, 0), coluna(pagamentos, 1), coluna(pagamentos, 2))  # fmt: skip


def test_percentual_acumulado_por_dia() -> None:
    carteira = _carteira(["A"], [(0, 10_000, 40), (0, 30_000, 40)], [(0, 5, 10_000), (1, 20, 6_000), (1, 30, 6_000)])
    (a,) = curvas(carteira, 40)
    assert (a.grupo, a.devedores, a.colocado, a.recuperado) == ("A", 2, Decimal("400"), Decimal("220"))
    assert a.em(4) == 0.0 and a.em(5) == 25.0 and a.em(19) == 25.0 and a.em(20) == 40.0 and a.em(30) == 55.0
    assert a.em(40) == 55.0 and a.em(41) is None


def test_devedor_novo_nao_puxa_para_baixo_os_dias_que_ainda_nao_viveu() -> None:
    # An old debtor paid everything by day 10; a new one (3 days in) has paid nothing yet.
    carteira = _carteira(["A"], [(0, 10_000, 60), (0, 10_000, 3)], [(0, 10, 10_000)])
    (a,) = curvas(carteira, 30)
    assert a.em(3) == 0.0  # both count up to day 3
    assert a.em(10) == 100.0  # only the old one is 10 days old
    assert a.em(30) == 100.0


def test_grupos_separados_e_sem_idade_suficiente() -> None:
    carteira = _carteira(["2026-10", "2026-11"], [(0, 10_000, 50), (1, 20_000, 10)], [(1, 2, 5_000), (0, 45, 10_000)])
    velha, nova = curvas(carteira, 30)
    assert velha.em(30) == 0.0 and velha.recuperado == Decimal("100")  # paid on day 45: beyond the horizon shown
    assert nova.em(2) == 25.0 and nova.em(10) == 25.0 and nova.em(11) is None and nova.em(30) is None


def test_pagamento_antes_da_entrada_conta_no_dia_zero() -> None:
    (a,) = curvas(_carteira(["A"], [(0, 10_000, 5)], [(0, -2, 2_500)]), 5)
    assert a.em(0) == 25.0


def test_svg_e_csv() -> None:
    carteira = _carteira(["<A&B>", "vazio"], [(0, 10_000, 10), (1, 0, 10)], [(0, 5, 5_000)])
    lista = curvas(carteira, 10)
    svg = svg_curvas(lista, 10)
    assert svg.startswith("<svg xmlns=") and svg.endswith("</svg>") and svg.count("<polyline") == 1
    assert "&lt;A&amp;B&gt;" in svg and "<A&B>" not in svg
    assert "50 %" in svg  # the scale's top is the highest figure, rounded up to 10 %
    linhas = csv_curvas(lista).splitlines()
    assert linhas[0] == "grupo;devedores;colocado;dia;recuperado_percentual"
    assert linhas[6] == "<A&B>;1;100,00;5;50,00" and linhas[12] == "vazio;1;0,00;0;"
    assert len(linhas) == 1 + 2 * 11
    # A segment typed as a formula stays text in the spreadsheet.
    formulas = curvas(_carteira(["=HYPERLINK(\"http://x\")", "+1", "@SOMA(A1)", "-2"], [(g, 1, 0) for g in range(4)],
                                []), 0)  # fmt: skip
    assert [linha.split(";")[0] for linha in csv_curvas(formulas).splitlines()[1:]] == [
        '"\'=HYPERLINK(""http://x"")"',
        "'+1",
        "'@SOMA(A1)",
        "'-2",
    ]
