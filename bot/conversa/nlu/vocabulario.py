"""The intent vocabulary: intents, their key phrases and examples as root words, weighted and indexed."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.conversa.nlu.normalizacao import normalizar


@dataclass(frozen=True)
class Intencao:
    """One intent of the vocabulary: key phrases that signal it and whole example messages."""

    nome: str
    palavras: tuple[str, ...]
    exemplos: tuple[str, ...]


@dataclass(frozen=True)
class Frase:
    """A key phrase of an intent as root words, with its weight before matching."""

    intencao: str
    palavras: tuple[str, ...]
    base: float


@dataclass(frozen=True)
class Exemplo:
    """An example message of an intent as a set of root words, with their idf-weighted norm."""

    intencao: str
    palavras: frozenset[str]
    norma: float


def peso_base(palavras: tuple[str, ...]) -> float:
    """Longer, more specific key phrases weigh more: "nao sou eu" beats "nao"."""
    return 0.58 + 0.04 * min(len(palavras), 4) + 0.01 * min(len(" ".join(palavras)), 16)


_RE_PLURAL = re.compile(r"(?<=...)(?:(?P<ao>oes|aes)|(?P<m>ns)|(?P<l>is)|(?<=[rsz])es|s)$")
_SINGULAR = {"ao": "ao", "m": "m", "l": "l"}


def raiz(palavra: str) -> str:
    """Singular of a plural ("mensagens" → "mensagem", "opcoes" → "opcao", "valores" → "valor")."""
    return _RE_PLURAL.sub(lambda m: _SINGULAR.get(m.lastgroup or "", ""), palavra)


def palavras_de_exemplo(normal: str) -> tuple[str, ...]:
    """Example words without numbers: amounts and dates are entities, weighed by the rules instead."""
    return tuple(raiz(t) for t in normal.split() if not tem_digito(t))


def tem_digito(palavra: str) -> bool:
    """Whether the word holds a digit: amounts and dates are entities, not words."""
    return any(c.isdigit() for c in palavra)


def idf(frases: Sequence[Frase], exemplos: dict[str, list[tuple[str, ...]]]) -> dict[str, float]:
    """Inverse intent frequency: a word used by one intent says more than one used by all."""
    por_intencao: dict[str, set[str]] = {}
    for f in frases:
        por_intencao.setdefault(f.intencao, set()).update(f.palavras)
    for nome, textos in exemplos.items():
        por_intencao.setdefault(nome, set()).update(p for t in textos for p in t)
    frequencia: dict[str, int] = {}
    for palavras in por_intencao.values():
        for p in palavras:
            frequencia[p] = frequencia.get(p, 0) + 1
    total = max(len(por_intencao), 1)
    return {p: math.log(1 + total / f) for p, f in frequencia.items()}


def indexar(itens: Iterable[tuple[Iterable[str], int]]) -> dict[str, tuple[int, ...]]:
    """Word → the numbers of the phrases (or examples) using it, so a message is scored against those only."""
    indice: dict[str, set[int]] = {}
    for palavras, n in itens:
        for p in palavras:
            indice.setdefault(p, set()).add(n)
    return {p: tuple(sorted(ns)) for p, ns in indice.items()}


def validar(intencoes: Sequence[Intencao]) -> None:
    """Reject a vocabulary the classifier could not use, naming every offender at once."""
    erros: list[str] = []
    vistos: set[str] = set()
    for i in intencoes:
        if not i.nome.strip():
            erros.append(f"intenção sem nome: {i!r}")
        elif i.nome in vistos:
            erros.append(f"intenção repetida: {i.nome!r}")
        vistos.add(i.nome)
        if not any(normalizar(t) for t in (*i.palavras, *i.exemplos)):
            erros.append(f"intenção {i.nome!r} sem palavras nem exemplos (esperado ao menos um texto)")
    if erros:
        raise ValueError("; ".join(erros))
