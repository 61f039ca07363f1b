"""Key phrases found in a message: in order, a couple of words apart at most, short words optional."""

from __future__ import annotations

from collections.abc import Sequence

_FOLGA = 2  # words allowed between two words of a key phrase
_NEGACOES = frozenset(("nao", "nem", "sem"))  # never optional in a key phrase: they flip its meaning

Similares = dict[str, float]  # vocabulary word → how close a message word is to it (1.0: the word itself)


def _casar_de(frase: tuple[str, ...], sims: Sequence[Similares], pos: int) -> tuple[float, int] | None:
    """Match `frase` in order from token `pos`: (mean similarity minus gap penalties, words matched)."""
    soma, casados, penalidade = 0.0, 0, 0.0
    pode_faltar = len(frase) >= 4  # "me tira da lista" still matches "me tira dessa lista"
    for k, palavra in enumerate(frase):
        fim = min(pos + (1 if casados == 0 else _FOLGA + 1), len(sims))
        achado = next((j for j in range(pos, fim) if palavra in sims[j]), None)
        if achado is None:
            if not (pode_faltar and len(palavra) <= 3 and palavra not in _NEGACOES and k < len(frase) - 1):
                return None
            pode_faltar, penalidade = False, penalidade + 0.06
            continue
        soma += sims[achado][palavra]
        casados += 1
        penalidade += 0.03 * (achado - pos)
        pos = achado + 1
    return soma / casados - penalidade, casados


def casar(
    frase: tuple[str, ...], sims: Sequence[Similares], posicoes: dict[str, list[int]]
) -> tuple[float, int] | None:
    """Best occurrence of `frase`, tried only where its first word (or second, when optional) is."""
    inicios = set(posicoes.get(frase[0], ()))
    if len(frase) >= 4 and len(frase[0]) <= 3:
        inicios.update(posicoes.get(frase[1], ()))
    melhor: tuple[float, int] | None = None
    for pos in inicios:
        achado = _casar_de(frase, sims, pos)
        if achado is not None and (melhor is None or achado > melhor):
            melhor = achado
    return melhor
