"""Numbers written in words ("mil e duzentos", "dez vezes") turned into digits."""

from __future__ import annotations

from collections.abc import Sequence

_NUMERAIS: dict[str, int] = {
    "zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
    "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "quatorze": 14,
    "catorze": 14, "quinze": 15, "dezesseis": 16, "dezeseis": 16, "dezessete": 17, "dezesete": 17,
    "dezoito": 18, "dezenove": 19, "vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50,
    "sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90, "cem": 100, "cento": 100,
    "duzentos": 200, "duzentas": 200, "trezentos": 300, "trezentas": 300, "quatrocentos": 400,
    "quatrocentas": 400, "quinhentos": 500, "quinhentas": 500, "seiscentos": 600, "seiscentas": 600,
    "setecentos": 700, "setecentas": 700, "oitocentos": 800, "oitocentas": 800, "novecentos": 900,
    "novecentas": 900,
}  # fmt: skip
ORDINAIS = {"primeira": 1, "primeiro": 1, "segunda": 2, "segundo": 2, "terceira": 3, "terceiro": 3,
             "quarta": 4, "quarto": 4, "quinta": 5, "quinto": 5}  # fmt: skip


def _cabe(acumulado: int, parcela: int | None) -> bool:
    """Whether `parcela` extends `acumulado` ("vinte" + "cinco", "cento" + "vinte") or starts a new number."""
    return parcela is not None and parcela > 0 and acumulado % 10 ** len(str(parcela)) == 0


def _valor_numeral(token: str, aceita_digitos: bool) -> int | None:
    if token in _NUMERAIS:
        return _NUMERAIS[token]
    return int(token) if aceita_digitos and token.isdigit() else None


def _ler_numeral(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """Read a number written in words from `tokens[i]` on: (value, index after it) or None.

    Digits join only around "mil": "2 mil" is 2000 and "mil e 500" is 1500, but "vinte 5" stays apart.
    """
    total, grupo, j = 0, 0, i
    while j < len(tokens):
        token, seguinte = tokens[j], tokens[j + 1] if j + 1 < len(tokens) else ""
        apos_mil = total > 0 and grupo == 0
        if token == "mil":
            total, grupo = total + (grupo or 1) * 1000, 0
        elif j == i and token.isdigit() and seguinte == "mil":
            grupo = int(token)
        elif token == "e" and j > i and _cabe(total + grupo, _valor_numeral(seguinte, apos_mil)):
            pass
        elif (n := _valor_numeral(token, apos_mil)) is not None and (j == i or _cabe(total + grupo, n)):
            grupo += n
        else:
            break
        j += 1
    return (total + grupo, j) if j > i else None


def numerais_em_digitos(tokens: Sequence[str]) -> list[str]:
    """`["dez", "vezes"]` → `["10", "vezes"]`; `["mil", "e", "duzentos"]` → `["1200"]`."""
    saida: list[str] = []
    i = 0
    while i < len(tokens):
        lido = _ler_numeral(tokens, i)
        if lido is None:
            saida.append(tokens[i])
            i += 1
        else:
            saida.append(str(lido[0]))
            i = lido[1]
    return saida
