"""Understand a debtor's message: normalise chat Portuguese, pull out amounts, instalments and dates, guess the intent.

Pure and fast: build one `Classificador` from the intent vocabulary (`fluxos/intencoes.toml`) and call
`interpretar` per message; "today" is passed in, never read from the clock.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from rapidfuzz import fuzz, process

from bot.formatos import parse_valor

# ---------------------------------------------------------------------------------------------- normalisation

# WhatsApp users answer with these alone; dropping them like other emojis would lose the answer.
_EMOJIS_COM_SENTIDO = {"👍": " ok ", "👌": " ok ", "✅": " sim ", "👎": " nao ", "❌": " nao "}

_GIRIAS: dict[str, str] = {
    "vc": "voce", "vcs": "voces", "ce": "voce", "q": "que", "oq": "o que", "pq": "porque", "pk": "porque",
    "porq": "porque", "n": "nao", "naum": "nao", "s": "sim", "tb": "tambem", "tbm": "tambem", "tmb": "tambem",
    "blz": "beleza", "blza": "beleza", "msg": "mensagem", "msgs": "mensagens", "mto": "muito", "mt": "muito",
    "mta": "muita", "mtos": "muitos", "hj": "hoje", "amn": "amanha", "amnh": "amanha", "td": "tudo",
    "tds": "todos", "obg": "obrigado", "obgd": "obrigado", "obgda": "obrigada", "vlw": "valeu",
    "flw": "falou", "pfv": "por favor", "pf": "por favor", "pfvr": "por favor", "pls": "por favor",
    "p": "pra", "c": "com", "cmg": "comigo", "ctz": "certeza", "dps": "depois", "agr": "agora",
    "qnd": "quando", "qdo": "quando", "qndo": "quando", "qto": "quanto", "qnto": "quanto", "qt": "quanto",
    "qts": "quantos", "qtas": "quantas", "to": "estou", "tou": "estou", "ta": "esta", "tava": "estava",
    "eh": "e", "vdd": "verdade", "nd": "nada", "ngm": "ninguem", "aki": "aqui", "dnv": "de novo",
    "qlq": "qualquer", "qq": "qualquer", "sla": "sei la", "fds": "fim de semana", "cel": "celular",
    "zap": "whatsapp", "wpp": "whatsapp", "whats": "whatsapp", "zapzap": "whatsapp", "qro": "quero",
    "qero": "quero", "kero": "quero", "axo": "acho", "okay": "ok", "okey": "ok", "oks": "ok",
    "msm": "mesmo", "kd": "cade", "qm": "quem", "vo": "vou", "d": "de", "pd": "pode", "hr": "hora",
    "hrs": "horas", "jah": "ja", "fzr": "fazer", "tbem": "tambem",
}
_RE_RISADA = re.compile(r"^(?:k{2,}|(?:ha){2,}h?|(?:he){2,}|(?:rs){2,}|(?:hue){2,})$")
_RE_FORA_DO_ALFABETO = re.compile(r"[^a-z0-9 .,/$-]")
_RE_SINAL_SOLTO = re.compile(r"(?<![0-9])[.,/-]|[.,/-](?![0-9])|(?<!r)\$")
_RE_LETRA_DIGITO = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])|(?<=\$)(?=[0-9])")
_RE_TRIPLA = re.compile(r"([a-z])\1{2,}")
# Stretched vowels ("siim", "naao") and doubled last letters ("okk", "oii"): no pt-BR word has them.
_RE_DUPLA = re.compile(r"([aiu])\1+|([a-z])\2$")


def normalizar(texto: str) -> str:
    """Lower-case, unaccented, emoji-free text with slang spelled out; keeps digits and `, . /` between digits."""
    for emoji, palavra in _EMOJIS_COM_SENTIDO.items():
        texto = texto.replace(emoji, palavra)
    decomposto = unicodedata.normalize("NFKD", texto.casefold())
    limpo = "".join(c for c in decomposto if not unicodedata.combining(c))
    limpo = _RE_FORA_DO_ALFABETO.sub(" ", limpo)
    limpo = _RE_SINAL_SOLTO.sub(" ", limpo)
    limpo = _RE_LETRA_DIGITO.sub(" ", limpo)
    palavras: list[str] = []
    for token in limpo.split():
        if _RE_RISADA.match(token):
            continue
        token = _RE_DUPLA.sub(lambda m: m.group(1) or m.group(2), _RE_TRIPLA.sub(r"\1", token))
        palavras.append(_GIRIAS.get(token, token))
    return " ".join(palavras)


# ---------------------------------------------------------------------------------------------- numbers in words

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
}
_ORDINAIS = {"primeira": 1, "primeiro": 1, "segunda": 2, "segundo": 2, "terceira": 3, "terceiro": 3,
             "quarta": 4, "quarto": 4, "quinta": 5, "quinto": 5}


def _cabe(acumulado: int, parcela: int | None) -> bool:
    """Whether `parcela` extends `acumulado` ("vinte" + "cinco", "cento" + "vinte"), not starts a new number."""
    return parcela is not None and 0 < parcela and acumulado % 10 ** len(str(parcela)) == 0


def _ler_numeral(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """Read a number written in words from `tokens[i]` on: (value, index after it) or None."""
    total, grupo, j = 0, 0, i
    while j < len(tokens):
        token = tokens[j]
        seguinte = tokens[j + 1] if j + 1 < len(tokens) else ""
        if token == "mil" and (j > i or seguinte in _NUMERAIS or seguinte == "e"):
            total, grupo = total + (grupo or 1) * 1000, 0
        elif j == i and token.isdigit() and seguinte == "mil":
            grupo = int(token)
        elif token == "e" and j > i and _cabe(total + grupo, _NUMERAIS.get(seguinte)):
            pass
        elif token in _NUMERAIS and (j == i or _cabe(total + grupo, _NUMERAIS[token])):
            grupo += _NUMERAIS[token]
        else:
            break
        j += 1
    if j > i and tokens[j - 1] == "e":
        j -= 1
    return (total + grupo, j) if j > i else None


def _numerais_em_digitos(tokens: Sequence[str]) -> list[str]:
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


# ---------------------------------------------------------------------------------------------- entities


@dataclass(frozen=True)
class Entidades:
    """What a message says beyond its intent; any of them may be missing."""

    valor: Decimal | None
    parcelas: int | None
    data: date | None
    digitos: str
    numero: int | None


_MESES = {"janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
          "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12}
_DIAS_DA_SEMANA = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6}
_RELATIVOS = ("depois de amanha", "amanha", "hoje", "semana que vem", "proxima semana", "mes que vem",
              "proximo mes", "fim do mes", "final do mes")
_RE_DATA = re.compile(
    r"\b(?:dia )?(?P<d>\d{1,2})[/-](?P<m>\d{1,2})(?:[/-](?P<a>\d{4}|\d{2}))?\b"
    rf"|\b(?:dia )?(?P<dm>\d{{1,2}}|primeiro) de (?P<mes>{'|'.join(_MESES)})(?: de (?P<am>\d{{4}}))?\b"
    r"|\bdia (?P<dia>\d{1,2}|primeiro)\b(?![/-]\d)(?P<prox> do (?:mes que vem|proximo mes))?"
    rf"|\b(?P<sem>{'|'.join(_DIAS_DA_SEMANA)})\b(?: feira\b)?(?! (?:via|parcela|opcao|vez))"
    rf"|\b(?P<rel>{'|'.join(_RELATIVOS)})\b"
    r"|\b(?:daqui(?: a)?|em) (?P<n>\d{1,2}) dias\b"
)
_RE_PARCELAS = re.compile(
    r"\b(?P<n>\d{1,3}) ?(?:x|vezes|parcelas|prestacoes|parcelinhas|mensalidades)\b"
    r"|\bem (?P<meses>\d{1,2}) meses\b"
    r"|\b(?:parcel\w*|divid\w*|divide|pagar|pago|fazer|faz|faco) em (?P<k>\d{1,2})\b"
    r"(?! ?(?:dias?|semanas?|horas?|reais|real|contos?|pilas?|r\$|mil|de [a-z]))"
)
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_RE_VALOR = re.compile(
    rf"r\$ ?(?P<a>{_NUM})"
    rf"|\b(?P<b>{_NUM}) ?(?:reais|real|contos?|pilas?|mangos?|paus?)\b"
    r"|\b(?P<c>\d{1,3}(?:\.\d{3})*,\d{2})\b"
    rf"|\b(?P<d>{_NUM})\b"
)
# A bare number is money only next to these ("consigo 200", "10x de 150", "200 por mes").
_ANTES_DE_VALOR = frozenset(
    "consigo posso pago pagar pagaria dar dou daria ofereco oferecer entrada parcela parcelas prestacao "
    "tenho faco faz fazer aceita aceitam aceitaria proposta uns umas ate so mando depositar deposito".split()
)
_DEPOIS_DE_VALOR = frozenset("por ao mensal mensais cada mensalmente semanal".split())
_PREENCHIMENTO = frozenset("a o opcao numero num no na quero escolho prefiro e essa esse pode ser letra".split())


def _dias_no_mes(ano: int, mes: int) -> int:
    return calendar.monthrange(ano, mes)[1]


def _mais_meses(hoje: date, meses: int) -> tuple[int, int]:
    indice = hoje.year * 12 + hoje.month - 1 + meses
    return indice // 12, indice % 12 + 1


def _proximo_dia(hoje: date, dia: int, a_partir_do_mes: int = 0) -> date | None:
    """The next day-`dia` on or after today, skipping months too short to have it."""
    for meses in range(a_partir_do_mes, a_partir_do_mes + 13):
        ano, mes = _mais_meses(hoje, meses)
        if 1 <= dia <= _dias_no_mes(ano, mes) and (candidata := date(ano, mes, dia)) >= hoje:
            return candidata
    return None


def _dia_e_mes(hoje: date, dia: int, mes: int, ano_escrito: str | None) -> date | None:
    """`15/12` → the next 15 Dec; `12/05/1980` → that day; `12/05/80` → 1980 (years too far ahead are past)."""
    if ano_escrito is None:
        anos: Iterable[int] = (hoje.year, hoje.year + 1)
    elif len(ano_escrito) == 2:
        ano = 2000 + int(ano_escrito)
        anos = (ano if ano <= hoje.year + 20 else ano - 100,)
    else:
        anos = (int(ano_escrito),)
    for ano in anos:
        try:
            candidata = date(ano, mes, dia)
        except ValueError:
            continue
        if ano_escrito is not None or candidata >= hoje:
            return candidata
    return None


def _relativa(hoje: date, expressao: str) -> date:
    if expressao == "hoje":
        return hoje
    if expressao == "amanha":
        return hoje + timedelta(days=1)
    if expressao == "depois de amanha":
        return hoje + timedelta(days=2)
    if expressao in ("semana que vem", "proxima semana"):
        return hoje + timedelta(days=7 - hoje.weekday())
    if expressao in ("mes que vem", "proximo mes"):
        ano, mes = _mais_meses(hoje, 1)
        return date(ano, mes, 1)
    return date(hoje.year, hoje.month, _dias_no_mes(hoje.year, hoje.month))


def _resolver_data(m: re.Match[str], hoje: date) -> date | None:
    g = m.groupdict()
    if g["d"]:
        return _dia_e_mes(hoje, int(g["d"]), int(g["m"]), g["a"])
    if g["dm"]:
        dia = 1 if g["dm"] == "primeiro" else int(g["dm"])
        return _dia_e_mes(hoje, dia, _MESES[g["mes"]], g["am"])
    if g["dia"]:
        return _proximo_dia(hoje, 1 if g["dia"] == "primeiro" else int(g["dia"]), 1 if g["prox"] else 0)
    if g["sem"]:
        return hoje + timedelta(days=(_DIAS_DA_SEMANA[g["sem"]] - hoje.weekday() - 1) % 7 + 1)
    if g["rel"]:
        return _relativa(hoje, g["rel"])
    return hoje + timedelta(days=int(g["n"]))


