"""The trained intent model: TF-IDF features of a message and a multinomial logistic regression, in NumPy.

Training (`bot.conversa.nlu.treino`, with scikit-learn) and prediction share `atributos`, so the two see the
same features; the weights travel as a plain `.npz` file (no pickle) and load in milliseconds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

_NGRAMAS = range(2, 6)  # character n-grams inside word boundaries, as scikit-learn's char_wb (2–5)
_CRUZADOS = range(4, 7)  # and 4–6-grams across one: "o e m" in "nao e meu", whatever the typos around
VERSAO_ATRIBUTOS = "2"  # bump when `atributos` changes: shipped weights become stale


def atributos(marcado: str) -> list[str]:
    """Words, word pairs, character 2–5-grams of each word and 4–6-grams across words of a marked message."""
    palavras = marcado.split()
    saida = [f"p:{p}" for p in palavras]
    saida += [f"b:{a} {b}" for a, b in pairwise(palavras)]
    for palavra in palavras:
        cercada = f" {palavra} "
        for n in _NGRAMAS:
            saida += [cercada[i : i + n] for i in range(len(cercada) - n + 1)]
    texto = f" {' '.join(palavras)} "
    for n in _CRUZADOS:
        saida += [f"c:{texto[i : i + n]}" for i in range(len(texto) - n + 1) if " " in texto[i + 1 : i + n - 1]]
    return saida


class PesosInvalidos(ValueError):
    """The weights file is missing, unreadable or does not fit the vocabulary."""


@dataclass(frozen=True)
class ModeloLinear:
    """Softmax over `classes` of (sublinear TF × IDF, L2-normalised) · coef + intercept."""

    classes: tuple[str, ...]
    indice: dict[str, int]
    idf: npt.NDArray[np.float32]
    coef: npt.NDArray[np.float32]  # one row per feature, one column per class
    intercepto: npt.NDArray[np.float32]
    assinatura: str  # of the corpus and settings the weights were trained from

    def probabilidades(self, marcado: str, permitidas: Collection[str] | None = None) -> dict[str, float]:
        """Probability of each class (only `permitidas`, renormalised, when given)."""
        contagem = Counter(a for a in atributos(marcado) if a in self.indice)
        logits = self.intercepto.astype(np.float64)
        if contagem:
            linhas = np.fromiter((self.indice[a] for a in contagem), dtype=np.int64, count=len(contagem))
            tf = np.fromiter((1.0 + math.log(c) for c in contagem.values()), dtype=np.float64, count=len(contagem))
            pesos = tf * self.idf[linhas]
            pesos /= np.linalg.norm(pesos)
            logits = logits + pesos @ self.coef[linhas].astype(np.float64)
        colunas = [i for i, c in enumerate(self.classes) if permitidas is None or c in permitidas]
        if not colunas:
            return {}
        escolhidos = logits[colunas]
        exp = np.exp(escolhidos - escolhidos.max())
        exp /= exp.sum()
        return {self.classes[i]: float(p) for i, p in zip(colunas, exp, strict=True)}

    def salvar(self, caminho: Path) -> None:
        ordem = sorted(self.indice, key=self.indice.__getitem__)
        with caminho.open("wb") as arquivo:
            np.savez_compressed(
                arquivo,
                classes=np.array(self.classes),
                vocabulario=np.array(ordem),
                idf=self.idf,
                coef=self.coef.astype(np.float16),  # half the file; predictions agree to ~1e-3
                intercepto=self.intercepto,
                assinatura=np.array(self.assinatura),
            )

    @classmethod
    def carregar(cls, caminho: Path) -> ModeloLinear:
        """Read a weights file; raises `PesosInvalidos` saying what is wrong with it."""
        try:
            with np.load(caminho, allow_pickle=False) as dados:
                classes = tuple(str(c) for c in dados["classes"])
                vocabulario = [str(v) for v in dados["vocabulario"]]
                modelo = cls(
                    classes,
                    {v: i for i, v in enumerate(vocabulario)},
                    dados["idf"].astype(np.float32),
                    dados["coef"].astype(np.float32),
                    dados["intercepto"].astype(np.float32),
                    str(dados["assinatura"]),
                )
        except FileNotFoundError as erro:
            raise PesosInvalidos("arquivo de pesos ausente") from erro
        except (OSError, KeyError, ValueError) as erro:
            raise PesosInvalidos(f"arquivo de pesos ilegível: {erro}") from erro
        formas = (modelo.idf.shape, modelo.coef.shape, modelo.intercepto.shape)
        if formas != ((len(vocabulario),), (len(vocabulario), len(classes)), (len(classes),)):
            raise PesosInvalidos(f"dimensões incoerentes no arquivo de pesos: {formas}")
        return modelo
