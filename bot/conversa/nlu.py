"""Understand a debtor's message: normalise chat Portuguese, read money, instalments and dates, guess intent.

Pure and fast: build one `Classificador` from the intent vocabulary (`fluxos/intencoes.toml`) and call
`interpretar` per message; "today" is passed in, never read from the clock.

How an intent is scored (each channel gives 0..1, the best intent above `LIMIAR` wins):
- key phrases (`palavras`): matched in order, a couple of words apart at most, typos tolerated for words of
  4+ letters; longer phrases weigh more, and a phrase covering little of a long message weighs less;
- examples (`exemplos`): cosine similarity of the words, each weighted by how few intents use it;
- entities: a value or instalment count means `proposta`; a future date with a paying word, `data_pagamento`.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from rapidfuzz import fuzz, process

from bot.formatos import parse_valor

_T = TypeVar("_T")

# ------------------------------------------------------------------------------------------- normalisation

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
}  # fmt: skip
_RE_RISADA = re.compile(r"^(?:k{2,}|(?:ha){2,}h?|(?:he){2,}|(?:rs){2,}|(?:hue){2,})$")
_RE_FORA_DO_ALFABETO = re.compile(r"[^a-z0-9 .,/$-]")
_RE_SINAL_SOLTO = re.compile(r"(?<![0-9])[.,/-]|[.,/-](?![0-9])|(?<!r)\$")
_RE_LETRA_DIGITO = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])|(?<=\$)(?=[0-9])")
_RE_TRIPLA = re.compile(r"([a-z])\1{2,}")
# Stretched vowels ("siim", "naao") and doubled last letters ("okk", "oii"): no pt-BR word has them.
_RE_DUPLA = re.compile(r"([aiu])\1+|([a-z])\2$")


def normalizar(texto: str) -> str:
    """Lower-case, unaccented, emoji-free text, slang spelled out; `, . / -` survive only between digits."""
    for emoji, palavra in _EMOJIS_COM_SENTIDO.items():
        texto = texto.replace(emoji, palavra)
    decomposto = unicodedata.normalize("NFKD", texto.casefold())
    limpo = "".join(c for c in decomposto if not unicodedata.combining(c))
    limpo = _RE_FORA_DO_ALFABETO.sub(" ", limpo)
    limpo = _RE_SINAL_SOLTO.sub(" ", limpo)
    limpo = _RE_LETRA_DIGITO.sub(" ", limpo)
    palavras: list[str] = []
    for bruto in limpo.split():
        if _RE_RISADA.match(bruto):
            continue
        token = _RE_DUPLA.sub(lambda m: m.group(1) or m.group(2), _RE_TRIPLA.sub(r"\1", bruto))
        palavras.append(_GIRIAS.get(token, token))
    return " ".join(palavras)


# ------------------------------------------------------------------------------------------- numbers in words

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
_ORDINAIS = {"primeira": 1, "primeiro": 1, "segunda": 2, "segundo": 2, "terceira": 3, "terceiro": 3,
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


# ------------------------------------------------------------------------------------------- entities


@dataclass(frozen=True)
class Entidades:
    """What a message says beyond its intent; any of them may be missing."""

    valor: Decimal | None
    parcelas: int | None
    data: date | None
    digitos: str
    numero: int | None


_MESES = {"janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
          "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12}  # fmt: skip
_DIAS_DA_SEMANA = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6}
_RELATIVOS = ("depois de amanha", "amanha", "hoje", "semana que vem", "proxima semana", "mes que vem",
              "proximo mes", "fim do mes", "final do mes")  # fmt: skip
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
    "proposta", "uns", "umas", "ate", "so", "mando", "depositar", "deposito",
))  # fmt: skip
_DEPOIS_DE_VALOR = frozenset(("por", "ao", "mensal", "mensais", "cada", "mensalmente", "semanal"))
# Words around a lone number that still make it "just a number": "opcao 2", "quero a 3", "pode ser o 1".
_PREENCHIMENTO = frozenset((
    "a", "o", "opcao", "numero", "num", "no", "na", "quero", "escolho", "prefiro", "e", "essa", "esse",
    "pode", "ser", "letra",
))  # fmt: skip


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
    """`15/12` → the next 15 Dec; `12/05/1980` → that day; `12/05/80` → 1980 (far-future years are past)."""
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
    if len(tokens) == 1 and resto[0] in _DIAS_DA_SEMANA:
        return None  # "quinta" alone is Thursday; "a quinta" is the fifth option
    return _ORDINAIS.get(resto[0])


def _entidades(normal: str, texto: str, hoje: date) -> Entidades:
    tokens = _numerais_em_digitos(normal.split())
    resto = " ".join(tokens)
    data, resto = _primeiro(_RE_DATA, resto, lambda m: _resolver_data(m, hoje), " data ")
    parcelas, resto = _primeiro(_RE_PARCELAS, resto, _ler_parcelas, " parcelas ")
    sem_parcelas = resto
    valor, _ = _primeiro(_RE_VALOR, sem_parcelas, lambda m: _ler_valor(m, sem_parcelas), " valor ")
    digitos = "".join(c for c in texto if "0" <= c <= "9")
    return Entidades(valor, parcelas, data, digitos, _numero_sozinho(tokens))


def extrair_entidades(texto: str, hoje: date) -> Entidades:
    """Amount, instalments, date (relative to `hoje`), digits and a lone number found in a message."""
    return _entidades(normalizar(texto), texto, hoje)


# ------------------------------------------------------------------------------------------- intents


@dataclass(frozen=True)
class Intencao:
    """One intent of the vocabulary: key phrases that signal it and whole example messages."""

    nome: str
    palavras: tuple[str, ...]
    exemplos: tuple[str, ...]


@dataclass(frozen=True)
class Interpretacao:
    """The best intent (None when nothing scored above the threshold), its confidence and the entities."""

    intencao: str | None
    confianca: float
    entidades: Entidades


PROPOSTA = "proposta"
DATA_PAGAMENTO = "data_pagamento"
LIMIAR = 0.5
"""Below this score the message is not understood (`intencao=None`)."""

_CORTE_FUZZY = 88.0  # "atendemte"~"atendente" is 88.9; "reconheco"~"conheco" (87.5) must stay apart
_TAMANHO_FUZZY = 4
_FOLGA = 2  # words allowed between two words of a key phrase
_NEGACOES = frozenset(("nao", "nem", "sem"))  # never optional in a key phrase: they flip its meaning
_PESO_DESCONHECIDO = 1.5  # weight of a word no intent uses: it makes the message less like any example
_REGRA_PROPOSTA = 0.71  # above a one-word match ("parcelado"), below a phrase ("quero parcelar")
_REGRA_DATA = 0.78  # a future date with a paying word: above most two-word phrases
_REGRA_SO_DATA = 0.60  # "sexta" alone: understood, but anything more specific wins
# Future paying words: with a date they make a payment date ("pago dia 10"); "paguei dia 10" is not one.
_PAGAMENTO = frozenset((
    "pagar", "pago", "pagamento", "pagto", "pagaria", "consigo", "posso", "acerto", "acertar", "quito",
    "quitar", "deposito", "depositar", "transfiro", "transferir", "resolvo", "resolver", "recebo", "receber",
))  # fmt: skip

_Similares = dict[str, float]


@dataclass(frozen=True)
class _Frase:
    intencao: str
    palavras: tuple[str, ...]
    base: float


@dataclass(frozen=True)
class _Exemplo:
    intencao: str
    palavras: frozenset[str]
    norma: float


def _base(palavras: tuple[str, ...]) -> float:
    """Longer, more specific key phrases weigh more: "nao sou eu" beats "nao"."""
    return 0.58 + 0.04 * min(len(palavras), 4) + 0.01 * min(len(" ".join(palavras)), 16)


def _casar_de(frase: tuple[str, ...], sims: Sequence[_Similares], pos: int) -> tuple[float, int] | None:
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


def _casar(
    frase: tuple[str, ...], sims: Sequence[_Similares], posicoes: dict[str, list[int]]
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


class Classificador:
    """Guess a message's intent from key phrases, similarity to examples and the entities it carries."""

    def __init__(self, intencoes: Sequence[Intencao]) -> None:
        _validar(intencoes)
        self.nomes: tuple[str, ...] = tuple(i.nome for i in intencoes)
        self._frases = [
            _Frase(i.nome, palavras, _base(palavras))
            for i in intencoes
            for palavras in {tuple(_raiz(t) for t in normalizar(p).split()) for p in i.palavras}
            if palavras
        ]
        textos = {i.nome: [_palavras_de_exemplo(normalizar(e)) for e in i.exemplos] for i in intencoes}
        vocabulario = {p for f in self._frases for p in f.palavras}
        vocabulario |= {p for ts in textos.values() for t in ts for p in t}
        self._vocabulario = frozenset(vocabulario)
        self._longas: dict[str, list[str]] = {}
        for palavra in sorted(vocabulario):
            if len(palavra) >= _TAMANHO_FUZZY and palavra.isalpha():
                self._longas.setdefault(palavra[0], []).append(palavra)
        self._idf = _idf(self._frases, textos)
        self._exemplos = [
            _Exemplo(nome, frozenset(t), math.sqrt(sum(self._idf[p] ** 2 for p in set(t))))
            for nome, ts in textos.items()
            for t in ts
            if t
        ]
        self._frases_por_palavra = _indice((f.palavras, n) for n, f in enumerate(self._frases))
        self._exemplos_por_palavra = _indice((e.palavras, n) for n, e in enumerate(self._exemplos))
        self._cache: dict[str, _Similares] = {}

    def interpretar(self, texto: str, hoje: date, candidatas: Collection[str] | None = None) -> Interpretacao:
        """Classify one message; with `candidatas`, only those intents may be returned."""
        permitidas = self._permitidas(candidatas)
        normal = normalizar(texto)
        entidades = _entidades(normal, texto, hoje)
        tokens = normal.split()
        if not tokens:
            return Interpretacao(None, 0.0, entidades)
        raizes = [_raiz(t) for t in tokens]
        por_token = {r: self._similares(r) for r in raizes}
        por_palavras = self._pontuar_palavras([por_token[r] for r in raizes])
        por_exemplos = self._pontuar_exemplos(por_token)
        pontos = {  # the stronger channel decides; the other one agreeing adds a little
            nome: max(a, b) + 0.1 * min(a, b)
            for nome in permitidas
            if (a := por_palavras.get(nome, 0.0)) + (b := por_exemplos.get(nome, 0.0)) > 0
        }
        _aplicar_regras(pontos, por_palavras, tokens, entidades, permitidas, hoje)
        nome, melhor = max(pontos.items(), key=lambda item: item[1], default=(None, 0.0))
        return Interpretacao(nome if melhor >= LIMIAR else None, round(min(melhor, 1.0), 3), entidades)

    def _permitidas(self, candidatas: Collection[str] | None) -> Collection[str]:
        if candidatas is None:
            return self.nomes
        desconhecidas = sorted(set(candidatas) - set(self.nomes))
        if desconhecidas:
            raise ValueError(
                f"intenções desconhecidas em candidatas: {desconhecidas} (conhecidas: {list(self.nomes)})"
            )
        return candidatas

    def _similares(self, token: str) -> _Similares:
        """Vocabulary words this message word may be: itself, and near spellings when long enough."""
        if token in self._cache:
            return self._cache[token]
        sims: _Similares = {token: 1.0} if token in self._vocabulario else {}
        # A known word is not a typo ("lista" is not "lisa"), and typos rarely hit the first letter, so
        # only unknown words are compared, and only with words sharing their first letter ("rato" ≠ "grato").
        if not sims and len(token) >= _TAMANHO_FUZZY and not _tem_digito(token):
            parecidas = self._longas.get(token[0], ())
            for palavra, nota, _ in process.extract(
                token, parecidas, scorer=fuzz.ratio, score_cutoff=_CORTE_FUZZY, limit=None
            ):
                sims.setdefault(palavra, 0.95 * nota / 100)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[token] = sims
        return sims

    def _pontuar_palavras(self, sims: Sequence[_Similares]) -> dict[str, float]:
        posicoes: dict[str, list[int]] = {}
        for pos, s in enumerate(sims):
            for palavra in s:
                posicoes.setdefault(palavra, []).append(pos)
        candidatas = {n for p in posicoes for n in self._frases_por_palavra.get(p, ())}
        achados: dict[str, list[float]] = {}
        for n in candidatas:
            frase = self._frases[n]
            casamento = _casar(frase.palavras, sims, posicoes)
            if casamento is not None:
                qualidade, casados = casamento
                # A phrase covering little of a long message is weak evidence ("nao" in "nao sei o que fazer")
                nota = (frase.base + 0.12) * qualidade * (0.8 + 0.2 * casados / len(sims))
                achados.setdefault(frase.intencao, []).append(nota)
        return {nome: max(notas) + 0.02 * min(len(notas) - 1, 2) for nome, notas in achados.items()}

    def _pontuar_exemplos(self, por_token: dict[str, _Similares]) -> dict[str, float]:
        """Cosine between the message and each example, words weighted by how few intents use them."""
        mensagem: _Similares = {}
        norma = 0.0
        for token, s in por_token.items():
            if _tem_digito(token):
                continue
            for palavra, nota in s.items():
                mensagem[palavra] = max(mensagem.get(palavra, 0.0), nota)
            peso = max((self._idf[p] * nota for p, nota in s.items()), default=_PESO_DESCONHECIDO)
            norma += peso**2
        produtos: dict[int, float] = {}
        for palavra, nota in mensagem.items():
            for n in self._exemplos_por_palavra.get(palavra, ()):
                produtos[n] = produtos.get(n, 0.0) + nota * self._idf[palavra] ** 2
        pontos: dict[str, float] = {}
        for n, produto in produtos.items():
            exemplo = self._exemplos[n]
            cosseno = produto / (math.sqrt(norma) * exemplo.norma)
            pontos[exemplo.intencao] = max(pontos.get(exemplo.intencao, 0.0), 0.88 * cosseno)
        return pontos


def _aplicar_regras(
    pontos: dict[str, float],
    por_palavras: dict[str, float],
    tokens: Sequence[str],
    entidades: Entidades,
    permitidas: Collection[str],
    hoje: date,
) -> None:
    """A money value or instalment count suggests a proposal; a date with paying words, a payment date."""
    regras: dict[str, float] = {}
    termos = (entidades.valor is not None) + ((entidades.parcelas or 0) >= 2)  # "1x" is paying in full
    if termos:
        regras[PROPOSTA] = _REGRA_PROPOSTA + 0.09 * (termos - 1)  # "10x de 200" is a full proposal
    futura = entidades.data is not None and entidades.data >= hoje  # a birth date is not a payment date
    if futura:
        regras[DATA_PAGAMENTO] = _REGRA_DATA if not _PAGAMENTO.isdisjoint(tokens) else _REGRA_SO_DATA
    for nome, nota in regras.items():
        if nome in permitidas:
            reforco = 0.05 if nome in por_palavras else 0.0
            pontos[nome] = max(pontos.get(nome, 0.0), nota + reforco)
    if not futura and DATA_PAGAMENTO in pontos:
        # Its examples all carry a date; without one, "posso pagar 300" only looks like them.
        pontos[DATA_PAGAMENTO] *= 0.85


_RE_PLURAL = re.compile(r"(?<=...)(?:(?P<ao>oes|aes)|(?P<m>ns)|(?P<l>is)|(?<=[rsz])es|s)$")
_SINGULAR = {"ao": "ao", "m": "m", "l": "l"}


def _raiz(palavra: str) -> str:
    """Singular of a plural ("mensagens" → "mensagem", "opcoes" → "opcao", "valores" → "valor")."""
    return _RE_PLURAL.sub(lambda m: _SINGULAR.get(m.lastgroup or "", ""), palavra)


def _palavras_de_exemplo(normal: str) -> tuple[str, ...]:
    """Example words without numbers: amounts and dates are entities, weighed by the rules instead."""
    return tuple(_raiz(t) for t in normal.split() if not _tem_digito(t))


def _tem_digito(palavra: str) -> bool:
    return any(c.isdigit() for c in palavra)


def _idf(frases: Sequence[_Frase], exemplos: dict[str, list[tuple[str, ...]]]) -> dict[str, float]:
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


def _indice(itens: Iterable[tuple[Iterable[str], int]]) -> dict[str, tuple[int, ...]]:
    indice: dict[str, set[int]] = {}
    for palavras, n in itens:
        for p in palavras:
            indice.setdefault(p, set()).add(n)
    return {p: tuple(sorted(ns)) for p, ns in indice.items()}


def _validar(intencoes: Sequence[Intencao]) -> None:
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
