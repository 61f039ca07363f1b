"""Entities of a message: money, instalments, a date, its digits and a lone number."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from bot.conversa.nlu.datas import DIAS_DA_SEMANA, RE_DATA, resolver_data
from bot.conversa.nlu.normalizacao import normalizar
from bot.conversa.nlu.numeros import ORDINAIS, numerais_em_digitos
from bot.formatos import parse_valor

_T = TypeVar("_T")

MARCA_DATA = "zdata"
MARCA_DATA_PASSADA = "zpassada"  # a birth date or "paguei dia 5" is not a payment date
MARCA_PARCELAS = "zparcelas"
MARCA_VALOR = "zvalor"
MARCA_NUMERO = "znum"


@dataclass(frozen=True)
class Entidades:
    """What a message says beyond its intent; any of them may be missing."""

    valor: Decimal | None
    parcelas: int | None
    data: date | None
    digitos: str
    numero: int | None


_RE_PARCELAS = re.compile(
    r"\b(?P<n>\d{1,3}) ?(?:x|vezes|veses|vzs?|parc(?!ia)\w*|prest\w*|mensalidades)\b"
    r"|\bem (?P<meses>\d{1,2}) meses\b"
    r"|\b(?:parcel\w*|divid\w*|divide|pagar|pago|fazer|faz|faco) em (?P<k>\d{1,2})\b"
    r"(?! ?(?:x\b|vezes|parcelas|dias?|semanas?|horas?|reais|real|contos?|pilas?|r\$|mil|de [a-z]))"
)
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_RE_VALOR = re.compile(
    rf"r\$ ?(?P<a>{_NUM})"
    rf"|\b(?P<b>{_NUM}) ?(?:reais|real|contos?|pilas?|mangos?|paus?)\b"
    r"|\b(?P<c>\d{1,3}(?:\.\d{3})*,\d{2})\b"
    rf"|\b(?P<d>{_NUM})\b"
)
# A bare number is money only next to these ("consigo 200", "10x de 150", "200 por mes").
_ANTES_DE_VALOR = frozenset((
    "consigo", "posso", "pago", "pagar", "pagaria", "dar", "dou", "daria", "ofereco", "oferecer", "entrada",
    "parcela", "parcelas", "prestacao", "tenho", "faco", "faz", "fazer", "aceita", "aceitam", "aceitaria",
    "proposta", "uns", "umas", "ate", "so", "mando", "depositar", "deposito", "zparcelas",
))  # fmt: skip
_DEPOIS_DE_VALOR = frozenset(("por", "ao", "mensal", "mensais", "cada", "mensalmente", "semanal"))
# Words around a lone number that still make it "just a number": "opcao 2", "quero a 3", "pode ser o 1".
_PREENCHIMENTO = frozenset((
    "a", "o", "opcao", "numero", "num", "no", "na", "quero", "escolho", "prefiro", "e", "essa", "esse",
    "pode", "ser", "letra",
))  # fmt: skip


def _primeiro(
    regex: re.Pattern[str], texto: str, ler: Callable[[re.Match[str]], _T | None], marca: str
) -> tuple[_T | None, str]:
    """The first match `ler` accepts, and the text with it replaced by `marca` so later patterns skip it."""
    for m in regex.finditer(texto):
        lido = ler(m)
        if lido is not None:
            return lido, f"{texto[: m.start()]}{marca}{texto[m.end() :]}"
    return None, texto


def _ler_parcelas(m: re.Match[str]) -> int | None:
    n = int(m.group("n") or m.group("meses") or m.group("k"))
    return n if n >= 1 else None


def _contexto_de_valor(texto: str, inicio: int, fim: int) -> bool:
    antes = texto[:inicio].split()[-2:]
    depois = texto[fim:].split()[:2]
    return (
        not _ANTES_DE_VALOR.isdisjoint(antes)
        or (bool(depois) and depois[0] in _DEPOIS_DE_VALOR)
        or depois in (["de", "entrada"], ["na", "entrada"], ["a", "vista"])
    )


def _ler_valor(m: re.Match[str], texto: str) -> Decimal | None:
    bruto = m.group("a") or m.group("b") or m.group("c")
    minimo = Decimal("0.01")
    if bruto is None:
        # A bare number ("2", "390") is an option or CPF digits unless the words around it talk money.
        if not _contexto_de_valor(texto, m.start(), m.end()):
            return None
        bruto, minimo = m.group("d"), Decimal(10)
    try:
        valor = parse_valor(bruto)
    except ValueError:
        return None
    return valor if valor >= minimo else None


def _numero_sozinho(tokens: Sequence[str]) -> int | None:
    """`2`, `dois`, `opcao 2`, `a segunda` → the number; anything longer → None."""
    resto = [t for t in tokens if t not in _PREENCHIMENTO]
    if len(resto) != 1:
        return None
    if resto[0].isdigit() and len(resto[0]) <= 4:
        return int(resto[0])
    if len(tokens) == 1 and resto[0] in DIAS_DA_SEMANA:
        return None  # "quinta" alone is Thursday; "a quinta" is the fifth option
    return ORDINAIS.get(resto[0])


def ler(normal: str, texto: str, hoje: date, uf: str | None = None) -> tuple[Entidades, str]:
    """The entities of a normalised message, and the message with each one replaced by a marker word.

    The markers (`zdata`, `zpassada`, `zparcelas`, `zvalor`, `znum` for any other number) let the classifier learn
    "em zparcelas de zvalor" as one pattern, whatever the numbers were.
    """
    tokens = numerais_em_digitos(normal.split())
    resto = " ".join(tokens)
    data, resto = _primeiro(RE_DATA, resto, lambda m: resolver_data(m, hoje, uf), f" {MARCA_DATA} ")
    if data is not None and data < hoje:
        resto = resto.replace(MARCA_DATA, MARCA_DATA_PASSADA, 1)
    parcelas, resto = _primeiro(_RE_PARCELAS, resto, _ler_parcelas, f" {MARCA_PARCELAS} ")
    sem_parcelas = resto
    valor, resto = _primeiro(_RE_VALOR, sem_parcelas, lambda m: _ler_valor(m, sem_parcelas), f" {MARCA_VALOR} ")
    digitos = "".join(c for c in texto if "0" <= c <= "9")
    marcado = " ".join(MARCA_NUMERO if tem_digito(t) else t for t in resto.split())
    return Entidades(valor, parcelas, data, digitos, _numero_sozinho(tokens)), marcado


def tem_digito(palavra: str) -> bool:
    return any("0" <= c <= "9" for c in palavra)


def extrair_entidades(texto: str, hoje: date, uf: str | None = None) -> Entidades:
    """Amount, instalments, date (relative to `hoje`, business days of `uf`), digits and a lone number."""
    return ler(normalizar(texto), texto, hoje, uf)[0]
