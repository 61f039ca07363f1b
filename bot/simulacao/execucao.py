"""The `simular` command: read and check the portfolio, personas and books; print the comparison; draw the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from bot.conversa.motor import Motor
from bot.dados.carteira import ler_carteira
from bot.formatos import brl
from bot.resultados.grafico import svg_curvas
from bot.simulacao.persona import Livro, ler_livro, ler_personas
from bot.simulacao.simulador import HORIZONTE_MAXIMO, ResultadoLivro, simular


@dataclass(frozen=True)
class Pedido:
    """What the command line asked for."""

    carteira: Path
    personas: Path
    livros: tuple[Path, ...]
    semente: int
    rodadas: int
    taxa_mensal_percentual: float
    svg: Path


def _reais(valor: float) -> str:
    return brl(Decimal(str(round(valor, 2))))


def _numero(valor: float, casas: int = 1) -> str:
    return f"{valor:.{casas}f}".replace(".", ",")


def tabela(resultados: list[ResultadoLivro]) -> list[str]:
    """The comparison, one line per book, amounts per round (the expected value over the personas' draws)."""
    titulo = (f"{'livro':<22} {'acordos':>8} {'recuperado':>16} {'% colocado':>10} {'valor presente':>16} "
              f"{'perdas (quebra)':>16} {'prazo médio':>12} {'descontos':>14}")  # fmt: skip
    linhas = [titulo]
    for r in resultados:
        percentual = 100 * r.media(r.recuperado) / r.colocado if r.colocado else 0.0
        linhas.append(
            f"{r.nome:<22} {_numero(100 * r.taxa_acordo):>6} % {_reais(r.media(r.recuperado)):>16} "
            f"{_numero(percentual):>8} % {_reais(r.media(r.presente)):>16} {_reais(r.media(r.perdas)):>16} "
            f"{_numero(r.prazo_medio, 0):>7} dias {_reais(r.media(r.descontos)):>14}"
        )
    return linhas


def _livros(caminhos: tuple[Path, ...], erros: list[str]) -> list[Livro]:
    livros = []
    for caminho in caminhos:
        livro, problemas = ler_livro(caminho)
        erros += [str(p) for p in problemas]
        if livro is not None:
            livros.append(livro)
    nomes = [livro.nome for livro in livros]
    if repetidos := sorted({n for n in nomes if nomes.count(n) > 1}):
        erros.append(f"--book: dois livros com o mesmo nome de arquivo: {', '.join(repetidos)}")
    return livros


def executar(motor: Motor, pedido: Pedido, agora: datetime, saida: TextIO, erros_saida: TextIO) -> int:
    """Check every input (all errors at once, in pt-BR, with file and line); 1 if any is wrong."""
    erros: list[str] = []
    linhas = []
    try:
        leitura = ler_carteira(pedido.carteira.read_text(encoding="utf-8"), str(pedido.carteira))
        erros += [str(e) for e in leitura.erros]
        linhas = leitura.linhas
    except (OSError, UnicodeDecodeError) as falha:
        erros.append(f"{pedido.carteira}: não foi possível ler a carteira: {falha}")
    personas, problemas = ler_personas(pedido.personas)
    erros += [str(p) for p in problemas]
    livros = _livros(pedido.livros, erros)
    if not pedido.svg.parent.is_dir():  # checked before the simulation runs, not after it
        erros.append(f"--svg {pedido.svg}: pasta não encontrada: {pedido.svg.parent}")
    if not erros and not linhas:
        erros.append(f"{pedido.carteira}: nenhuma parcela na carteira")
    if erros or personas is None:
        for erro in erros:
            print(erro, file=erros_saida)
        return 1
    resultados = simular(motor, linhas, personas, livros, agora, pedido.semente, pedido.rodadas,
                         pedido.taxa_mensal_percentual / 100)  # fmt: skip
    devedores = resultados[0].devedores
    taxa = _numero(pedido.taxa_mensal_percentual)
    print(f"Simulação: {devedores} devedores × {pedido.rodadas} rodadas, semente {pedido.semente}, taxa de desconto "
          f"{taxa} % ao mês, em {agora:%d/%m/%Y}; valores por rodada", file=saida)  # fmt: skip
    for linha in tabela(resultados):
        print(linha, file=saida)
    horizonte = min(HORIZONTE_MAXIMO, max((d for r in resultados for d in r.por_dia), default=30))
    try:
        pedido.svg.write_text(svg_curvas([r.curva(horizonte) for r in resultados], horizonte), encoding="utf-8")
    except OSError as falha:
        print(f"--svg {pedido.svg}: não foi possível gravar o gráfico: {falha.strerror}", file=erros_saida)
        return 1
    print(f"Gráfico (recuperado esperado por dia, % do colocado): {pedido.svg}", file=saida)
    return 0
