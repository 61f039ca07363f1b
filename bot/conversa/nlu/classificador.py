"""Score a message against every intent and pick the best: key phrases, examples and entity rules."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from bot.conversa.nlu.entidades import Entidades, ler_entidades
from bot.conversa.nlu.frases import Similares, casar
from bot.conversa.nlu.normalizacao import normalizar
from bot.conversa.nlu.vocabulario import (
    Exemplo,
    Frase,
    Intencao,
    idf,
    indexar,
    palavras_de_exemplo,
    peso_base,
    raiz,
    tem_digito,
    validar,
)


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
_PESO_DESCONHECIDO = 1.5  # weight of a word no intent uses: it makes the message less like any example
_REGRA_PROPOSTA = 0.71  # above a one-word match ("parcelado"), below a phrase ("quero parcelar")
_REGRA_DATA = 0.78  # a future date with a paying word: above most two-word phrases
_REGRA_SO_DATA = 0.60  # "sexta" alone: understood, but anything more specific wins
# Future paying words: with a date they make a payment date ("pago dia 10"); "paguei dia 10" is not one.
_PAGAMENTO = frozenset((
    "pagar", "pago", "pagamento", "pagto", "pagaria", "consigo", "posso", "acerto", "acertar", "quito",
    "quitar", "deposito", "depositar", "transfiro", "transferir", "resolvo", "resolver", "recebo", "receber",
))  # fmt: skip


class Classificador:
    """Guess a message's intent from key phrases, similarity to examples and the entities it carries.

    Pure and fast: build one from the intent vocabulary (`fluxos/intencoes.toml`) and call `interpretar` per
    message; "today" is passed in, never read from the clock.

    How an intent is scored (each channel gives 0..1, the best intent above `LIMIAR` wins):
    - key phrases (`palavras`): matched in order, a couple of words apart at most, typos tolerated for words of
      4+ letters; longer phrases weigh more, and a phrase covering little of a long message weighs less;
    - examples (`exemplos`): cosine similarity of the words, each weighted by how few intents use it;
    - entities: a value or instalment count means `proposta`; a future date with a paying word, `data_pagamento`.
    """

    def __init__(self, intencoes: Sequence[Intencao]) -> None:
        validar(intencoes)
        self.nomes: tuple[str, ...] = tuple(i.nome for i in intencoes)
        self._frases = [
            Frase(i.nome, palavras, peso_base(palavras))
            for i in intencoes
            for palavras in {tuple(raiz(t) for t in normalizar(p).split()) for p in i.palavras}
            if palavras
        ]
        textos = {i.nome: [palavras_de_exemplo(normalizar(e)) for e in i.exemplos] for i in intencoes}
        vocabulario = {p for f in self._frases for p in f.palavras}
        vocabulario |= {p for ts in textos.values() for t in ts for p in t}
        self._vocabulario = frozenset(vocabulario)
        self._longas: dict[str, list[str]] = {}
        for palavra in sorted(vocabulario):
            if len(palavra) >= _TAMANHO_FUZZY and palavra.isalpha():
                self._longas.setdefault(palavra[0], []).append(palavra)
        self._idf = idf(self._frases, textos)
        self._exemplos = [
            Exemplo(nome, frozenset(t), math.sqrt(sum(self._idf[p] ** 2 for p in set(t))))
            for nome, ts in textos.items()
            for t in ts
            if t
        ]
        self._frases_por_palavra = indexar((f.palavras, n) for n, f in enumerate(self._frases))
        self._exemplos_por_palavra = indexar((e.palavras, n) for n, e in enumerate(self._exemplos))
        self._cache: dict[str, Similares] = {}

    def interpretar(self, texto: str, hoje: date, candidatas: Collection[str] | None = None) -> Interpretacao:
        """Classify one message; with `candidatas`, only those intents may be returned."""
        permitidas = self._permitidas(candidatas)
        normal = normalizar(texto)
        entidades = ler_entidades(normal, texto, hoje)
        tokens = normal.split()
        if not tokens:
            return Interpretacao(None, 0.0, entidades)
        raizes = [raiz(t) for t in tokens]
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
            raise ValueError(f"intenções desconhecidas em candidatas: {desconhecidas} (conhecidas: {list(self.nomes)})")
        return candidatas

    def _similares(self, token: str) -> Similares:
        """Vocabulary words this message word may be: itself, and near spellings when long enough."""
        if token in self._cache:
            return self._cache[token]
        sims: Similares = {token: 1.0} if token in self._vocabulario else {}
        # A known word is not a typo ("lista" is not "lisa"), and typos rarely hit the first letter, so
        # only unknown words are compared, and only with words sharing their first letter ("rato" ≠ "grato").
        if not sims and len(token) >= _TAMANHO_FUZZY and not tem_digito(token):
            parecidas = self._longas.get(token[0], ())
            for palavra, nota, _ in process.extract(
                token, parecidas, scorer=fuzz.ratio, score_cutoff=_CORTE_FUZZY, limit=None
            ):
                sims.setdefault(palavra, 0.95 * nota / 100)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[token] = sims
        return sims

    def _pontuar_palavras(self, sims: Sequence[Similares]) -> dict[str, float]:
        posicoes: dict[str, list[int]] = {}
        for pos, s in enumerate(sims):
            for palavra in s:
                posicoes.setdefault(palavra, []).append(pos)
        candidatas = {n for p in posicoes for n in self._frases_por_palavra.get(p, ())}
        achados: dict[str, list[float]] = {}
        for n in candidatas:
            frase = self._frases[n]
            casamento = casar(frase.palavras, sims, posicoes)
            if casamento is not None:
                qualidade, casados = casamento
                # A phrase covering little of a long message is weak evidence ("nao" in "nao sei o que fazer")
                nota = (frase.base + 0.12) * qualidade * (0.8 + 0.2 * casados / len(sims))
                achados.setdefault(frase.intencao, []).append(nota)
        return {nome: max(notas) + 0.02 * min(len(notas) - 1, 2) for nome, notas in achados.items()}

    def _pontuar_exemplos(self, por_token: dict[str, Similares]) -> dict[str, float]:
        """Cosine between the message and each example, words weighted by how few intents use them."""
        mensagem: Similares = {}
        norma = 0.0
        for token, s in por_token.items():
            if tem_digito(token):
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
