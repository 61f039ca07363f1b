"""Liquidation curves drawn on the server: an inline SVG (no script, no CDN), and the same figures as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from html import escape

from bot.resultados.curvas import MARCOS, Curva

LARGURA, ALTURA, MARGEM_X, MARGEM_Y = 720, 360, 56, 28
CORES = ("#1b6ca8", "#d1495b", "#2e8540", "#edae49", "#6b4c9a", "#00798c", "#8c564b", "#444444")


def _escala_y(curvas: Sequence[Curva]) -> float:
    """The top of the chart: the highest figure rounded up to a multiple of 10 %, at least 10 %."""
    maior = max((p for c in curvas for p in c.percentual if p is not None), default=0.0)
    return max(10.0, 10.0 * -(-maior // 10))


def svg_curvas(curvas: Sequence[Curva], horizonte: int) -> str:
    """One polyline per group over days 0..horizonte, with axes, grid lines and a legend."""
    topo = _escala_y(curvas)
    area_x, area_y = LARGURA - 2 * MARGEM_X, ALTURA - 2 * MARGEM_Y

    def ponto(dia: int, percentual: float) -> str:
        x = MARGEM_X + area_x * dia / max(horizonte, 1)
        y = MARGEM_Y + area_y * (1 - percentual / topo)
        return f"{x:.1f},{y:.1f}"

    partes = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LARGURA} {ALTURA}" role="img" '
        f'aria-label="Curvas de liquidação" class="curvas" font-family="sans-serif" font-size="11">'
    ]
    for i in range(6):
        valor = topo * i / 5
        y = MARGEM_Y + area_y * (1 - i / 5)
        partes.append(f'<line x1="{MARGEM_X}" x2="{LARGURA - MARGEM_X}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        partes.append(f'<text x="{MARGEM_X - 6}" y="{y + 4:.1f}" text-anchor="end">{valor:.0f} %</text>')
    for dia in (0, *[m for m in MARCOS if m <= horizonte]):
        x = MARGEM_X + area_x * dia / max(horizonte, 1)
        partes.append(f'<text x="{x:.1f}" y="{ALTURA - MARGEM_Y + 16}" text-anchor="middle">{dia} d</text>')
    for i, curva in enumerate(curvas):
        cor = CORES[i % len(CORES)]
        pontos = " ".join(ponto(d, p) for d, p in enumerate(curva.percentual) if p is not None)
        if pontos:
            partes.append(f'<polyline fill="none" stroke="{cor}" stroke-width="2" points="{pontos}"/>')
        y = MARGEM_Y + 14 * i
        partes.append(f'<rect x="{MARGEM_X + 8}" y="{y}" width="10" height="10" fill="{cor}"/>')
        partes.append(f'<text x="{MARGEM_X + 22}" y="{y + 9}">{escape(curva.grupo)}</text>')
    partes.append("</svg>")
    return "".join(partes)


def _numero(valor: float | None) -> str:
    return "" if valor is None else f"{valor:.2f}".replace(".", ",")


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula


def _celula(texto: str) -> str:
    """A group name (a portfolio's segment, typed by someone) kept as text: never a formula (CSV injection)."""
    return f"'{texto}" if texto.startswith(FORMULA) else texto


def csv_curvas(curvas: Sequence[Curva]) -> str:
    """One line per group and day: `;`-separated with decimal commas, as a Brazilian spreadsheet opens it."""
    saida = io.StringIO()
    escritor = csv.writer(saida, delimiter=";", lineterminator="\n")
    escritor.writerow(["grupo", "devedores", "colocado", "dia", "recuperado_percentual"])
    for curva in curvas:
        colocado = f"{curva.colocado:.2f}".replace(".", ",")
        for dia, percentual in enumerate(curva.percentual):
            escritor.writerow([_celula(curva.grupo), curva.devedores, colocado, dia, _numero(percentual)])
    return saida.getvalue()
