"""Train the intent model from the versioned corpus: the intents' phrases and examples plus `fluxos/treino/*.csv`.

Deterministic: the same corpus gives the same weights. Every training text also enters with two typo variants
drawn from a generator seeded by the text itself. scikit-learn is needed here only; prediction is NumPy.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from bot.conversa.nlu.entidades import ler
from bot.conversa.nlu.linear import VERSAO_ATRIBUTOS, ModeloLinear, PesosInvalidos, atributos
from bot.conversa.nlu.normalizacao import normalizar
from bot.conversa.nlu.vocabulario import Intencao

NENHUMA = "nenhuma"
"""The class of messages with nothing to understand (CPF digits, gibberish): never returned as an intent."""
PASTA_CORPUS = "treino"
ARQUIVO_PESOS = "intencoes.npz"
_HOJE_DO_TREINO = date(2026, 1, 14)  # dates become a marker word: zdata (today on) or zpassada (before)
_C = 16.0  # inverse regularisation, chosen on the development sets, never the held-out one (docs/nlu.md)
_MIN_DF = 2
_VARIANTES = 2
_VERSAO_TREINO = f"{VERSAO_ATRIBUTOS}.1-C{_C}-df{_MIN_DF}-v{_VARIANTES}"
_VIZINHAS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wertyuioposdfghjklkxcvbnmn", strict=True))


@dataclass(frozen=True)
class Exemplo:
    texto: str
    intencao: str
    origem: str  # "arquivo:linha", for error messages


class CorpusInvalido(ValueError):
    """The training corpus has bad rows; every one is listed."""

    def __init__(self, erros: Sequence[str]) -> None:
        super().__init__("\n".join(erros))
        self.erros = tuple(erros)


_LETRA_OU_DIGITO = re.compile(r"[A-Za-z0-9]")  # always kept by `normalizar`


def ler_corpus(caminho: Path, intencoes: Iterable[str]) -> list[Exemplo]:
    """The rows of a corpus file (`texto;intencao`); raises `CorpusInvalido` naming each bad line."""
    validas = {*intencoes, NENHUMA}
    exemplos: list[Exemplo] = []
    erros: list[str] = []
    with caminho.open(encoding="utf-8", newline="") as arquivo:
        leitor = csv.DictReader(arquivo, delimiter=";")
        if leitor.fieldnames is None or {"texto", "intencao"} - set(leitor.fieldnames):
            raise CorpusInvalido([f"{caminho}: cabeçalho esperado 'texto;intencao', lido {leitor.fieldnames}"])
        for linha in leitor:
            onde = f"{caminho}:{leitor.line_num}"
            texto, intencao = (linha.get("texto") or "").strip(), (linha.get("intencao") or "").strip()
            if not _LETRA_OU_DIGITO.search(texto) and not normalizar(texto):  # the cheap test first: read at start
                erros.append(f"{onde}: texto vazio (ou só sinais)")
            elif intencao not in validas:
                erros.append(
                    f"{onde}: intenção desconhecida {intencao!r} (esperado uma de: {', '.join(sorted(validas))})"
                )
            else:
                exemplos.append(Exemplo(texto, intencao, onde))
    if erros:
        raise CorpusInvalido(erros)
    return exemplos


def exemplos_do_vocabulario(intencoes: Iterable[Intencao]) -> list[Exemplo]:
    """Each key phrase and each example of `intencoes.toml` is a training message of its intent."""
    return [
        Exemplo(texto, i.nome, f"intencoes.{i.nome}")
        for i in intencoes
        for texto in (*i.palavras, *i.exemplos)
        if normalizar(texto)
    ]


def marcar(texto: str, hoje: date = _HOJE_DO_TREINO, uf: str | None = None) -> str:
    """The text the model reads: normalised, with entities replaced by marker words."""
    return ler(normalizar(texto), texto, hoje, uf)[1]


def assinatura(exemplos: Iterable[Exemplo]) -> str:
    """A digest of what the weights depend on: the corpus (order-free) and the training settings."""
    resumo = hashlib.sha256(_VERSAO_TREINO.encode())
    for intencao, texto in sorted({(e.intencao, e.texto) for e in exemplos}):
        resumo.update(f"{intencao}\t{texto}\n".encode())
    return resumo.hexdigest()[:16]


def _com_erro(palavra: str, sorteio: random.Random) -> str:
    i = sorteio.randrange(1, len(palavra))
    operacao = sorteio.choice(("troca", "falta", "vizinha"))
    if operacao == "troca":
        return palavra[: i - 1] + palavra[i] + palavra[i - 1] + palavra[i + 1 :]
    if operacao == "falta":
        return palavra[:i] + palavra[i + 1 :]
    return palavra[:i] + _VIZINHAS.get(palavra[i], palavra[i]) + palavra[i + 1 :]


def variantes(marcado: str) -> list[str]:
    """Typo variants of a marked message: one letter swapped, dropped or hit next to, in a word of 4+ letters."""
    palavras = marcado.split()
    longas = [i for i, p in enumerate(palavras) if len(p) >= 4 and p.isalpha() and not p.startswith("z")]
    if not longas:
        return []
    sorteio = random.Random(hashlib.sha256(marcado.encode()).digest())
    saida = []
    for _ in range(_VARIANTES):
        copia = list(palavras)
        i = sorteio.choice(longas)
        copia[i] = _com_erro(copia[i], sorteio)
        saida.append(" ".join(copia))
    return saida


def treinar(exemplos: Sequence[Exemplo]) -> ModeloLinear:
    """Fit the model on `exemplos` and their variants. Needs scikit-learn (`pip install .[treino]`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    textos: list[str] = []
    rotulos: list[str] = []
    for exemplo in sorted(exemplos, key=lambda e: (e.intencao, e.texto)):
        marcado = marcar(exemplo.texto)
        for texto in (marcado, *variantes(marcado)):
            textos.append(texto)
            rotulos.append(exemplo.intencao)
    if len(set(rotulos)) < 3:
        raise CorpusInvalido(["o corpus precisa de ao menos 3 intenções"])
    vetorizador = TfidfVectorizer(analyzer=atributos, sublinear_tf=True, min_df=_MIN_DF, dtype=np.float64)
    matriz = vetorizador.fit_transform(textos)
    regressao = LogisticRegression(C=_C, max_iter=5000)
    regressao.fit(matriz, rotulos)
    vocabulario = vetorizador.vocabulary_
    return ModeloLinear(
        tuple(str(c) for c in regressao.classes_),
        {str(v): int(i) for v, i in vocabulario.items()},
        vetorizador.idf_.astype(np.float32),
        np.ascontiguousarray(regressao.coef_.T, dtype=np.float32),
        regressao.intercept_.astype(np.float32),
        assinatura(exemplos),
    )


def corpus_do_projeto(pasta_fluxos: Path, intencoes: Sequence[Intencao]) -> list[Exemplo]:
    """Everything the model learns from: the vocabulary's phrases and examples and `fluxos/treino/*.csv`."""
    exemplos = exemplos_do_vocabulario(intencoes)
    erros: list[str] = []
    nomes = [i.nome for i in intencoes]
    for caminho in sorted((pasta_fluxos / PASTA_CORPUS).glob("*.csv")):
        try:
            exemplos += ler_corpus(caminho, nomes)
        except CorpusInvalido as erro:
            erros += erro.erros
    if erros:
        raise CorpusInvalido(erros)
    return exemplos


def carregar_pesos(pasta_fluxos: Path, exemplos: Sequence[Exemplo]) -> ModeloLinear:
    """The shipped weights, checked against the corpus; `PesosInvalidos` says when to retrain."""
    caminho = pasta_fluxos / ARQUIVO_PESOS
    modelo = ModeloLinear.carregar(caminho)
    if modelo.assinatura != assinatura(exemplos):
        raise PesosInvalidos(
            "pesos desatualizados: o corpus (intencoes.toml ou treino/*.csv) mudou depois do último treino"
        )
    return modelo
