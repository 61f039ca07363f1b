"""`python -m bot nlu treinar|avaliar`: retrain the shipped intent weights, and measure them on a labelled set."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.conversa.avaliacao import avaliar, formatar, ler_casos
from bot.conversa.carregar import ARQUIVO_INTENCOES, carregar_fluxo, carregar_intencoes
from bot.conversa.nlu import Intencao
from bot.conversa.nlu.treino import ARQUIVO_PESOS, CorpusInvalido, corpus_do_projeto, marcar, treinar
from bot.projeto import Projeto

AVALIACAO_PADRAO = Path("tests/data/nlu_avaliacao.csv")


def vocabulario(pasta_fluxos: Path) -> tuple[list[Intencao], list[str]]:
    """Every intent the project knows: `intencoes.toml` and those a flow declares, with any loading error."""
    intencoes, erros = carregar_intencoes(pasta_fluxos)
    mensagens = [str(e) for e in erros]
    for caminho in sorted(pasta_fluxos.glob("*.toml")):
        if caminho.name != ARQUIVO_INTENCOES:
            _, proprias, erros_fluxo = carregar_fluxo(caminho)
            intencoes |= proprias
            mensagens += [str(e) for e in erros_fluxo]
    return list(intencoes.values()), mensagens


def comando_treinar(raiz: Path, saida: TextIO) -> int:
    """Train from the project's corpus and write `fluxos/intencoes.npz`; the same corpus gives the same file."""
    pasta = raiz / "fluxos"
    intencoes, erros = vocabulario(pasta)
    try:
        exemplos = corpus_do_projeto(pasta, intencoes) if not erros else []
    except CorpusInvalido as erro:
        erros += erro.erros
    if erros:
        for erro_item in erros:
            print(erro_item, file=sys.stderr)
        print(f"{len(erros)} erro(s): nada foi treinado.", file=sys.stderr)
        return 1
    try:
        modelo = treinar(exemplos)
    except ModuleNotFoundError:
        print("treinar precisa do scikit-learn: pip install 'cobranca-amigavel[treino]'", file=sys.stderr)
        return 1
    destino = pasta / ARQUIVO_PESOS
    modelo.salvar(destino)
    print(
        f"treinado com {len(exemplos)} mensagens de {len(modelo.classes)} intenções "
        f"({len(modelo.indice)} atributos): {destino}",
        file=saida,
    )
    return 0


def comando_avaliar(projeto: Projeto, arquivo: Path, detalhes: bool, saida: TextIO) -> int:
    """Print accuracy by state and phenomenon, confusions and costly misreads on a labelled set."""
    fluxo = projeto.motor.fluxo
    try:
        casos = ler_casos(arquivo, fluxo, projeto.motor.classificador.nomes)
    except OSError as erro:
        print(f"{arquivo}: não foi possível ler: {erro.strerror}", file=sys.stderr)
        return 1
    except ValueError as erro:
        print(erro, file=sys.stderr)
        return 1
    intencoes = list(projeto.intencoes.values())
    treino = {marcar(e.texto) for e in corpus_do_projeto(projeto.raiz / "fluxos", intencoes)}
    print(f"{arquivo}: {len(casos)} mensagens", file=saida)
    print(formatar(avaliar(projeto.motor.classificador, fluxo, casos, treino), detalhes), file=saida)
    return 0
