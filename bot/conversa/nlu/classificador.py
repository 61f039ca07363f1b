"""Pick a message's intent: the trained model's probabilities, then a few rules on entities and negation."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from bot.conversa.nlu.entidades import Entidades, ler
from bot.conversa.nlu.linear import ModeloLinear
from bot.conversa.nlu.normalizacao import normalizar
from bot.conversa.nlu.treino import NENHUMA

PROPOSTA = "proposta"
DATA_PAGAMENTO = "data_pagamento"
ACEITE = "sim"
LIMIAR = 0.30
"""Below this probability the message is not understood (`intencao=None`)."""
LIMIAR_CUSTOSO = 0.75
"""An intent whose transition costs money or trust (an agreement, an opt-out) needs this much, else the bot asks."""
_ALTERNATIVA = 0.6  # a clause read this surely as another intent is kept ("já paguei mas quero falar com alguém")
_RE_ORACOES = re.compile(r" (?:mas|porem|so que|e tambem|e) ")
_NEGACOES = frozenset(("nao", "num", "nem", "nunca", "jamais", "negativo"))  # "num" too: "num confirmo"
_PERGUNTAS = frozenset(("sera", "quem", "onde", "qual", "quais", "como", "porque"))
# Future paying words: with a date the model did not place, they still make a payment date ("pago dia 10").
_PAGAMENTO = frozenset((
    "pagar", "pago", "pagamento", "pagto", "pagaria", "consigo", "posso", "acerto", "acertar", "quito",
    "quitar", "deposito", "depositar", "transfiro", "transferir", "resolvo", "resolver", "recebo", "receber",
))  # fmt: skip


@dataclass(frozen=True)
class Interpretacao:
    """The best intent (None when not understood), its probability, the entities and what may undo a yes."""

    intencao: str | None
    confianca: float
    entidades: Entidades
    alternativas: tuple[str, ...] = ()
    negacao: bool = False
    pergunta: bool = False

    @property
    def propoe(self) -> bool:
        """The message carries terms of its own: an amount, a number of instalments or a date."""
        e = self.entidades
        return e.valor is not None or (e.parcelas or 0) >= 2 or e.data is not None

    def inequivoca(self) -> bool:
        """Safe to act on when acting costs money or trust: confident, no question, and a yes that is only a yes."""
        if self.confianca < LIMIAR_CUSTOSO or self.pergunta:
            return False
        return self.intencao != ACEITE or not (self.negacao or self.propoe)


class Classificador:
    """Classify debtor messages with the trained model (`fluxos/intencoes.npz`).

    Pure and fast (well under a millisecond a message): "today" and the debtor's UF (for "quinto dia útil") are
    passed in. `candidatas` limits the answer to the intents the conversation's state can use.
    """

    def __init__(self, modelo: ModeloLinear, intencoes: Sequence[str]) -> None:
        faltando = sorted(set(intencoes) - set(modelo.classes))
        if faltando:
            raise ValueError(f"intenções sem exemplos de treino no modelo: {faltando}")
        self.modelo = modelo
        self.nomes: tuple[str, ...] = tuple(intencoes)

    def interpretar(
        self, texto: str, hoje: date, candidatas: Collection[str] | None = None, uf: str | None = None
    ) -> Interpretacao:
        """Classify one message; with `candidatas`, only those intents may be returned."""
        permitidas = {*self._permitidas(candidatas), NENHUMA}
        normal = normalizar(texto)
        entidades, marcado = ler(normal, texto, hoje, uf)
        if not normal:
            return Interpretacao(None, 0.0, entidades)
        tokens = set(normal.split())
        probabilidades = self.modelo.probabilidades(marcado, permitidas)
        melhor = max(probabilidades.items(), key=lambda item: item[1])
        nome, nota = _compor(melhor, entidades, tokens, permitidas, hoje)
        alternativas = self._outras(normal, hoje, permitidas, uf, nome)
        entendida = nome if nome != NENHUMA and nota >= LIMIAR else None
        return Interpretacao(
            entendida,
            round(nota, 3),
            entidades,
            alternativas,
            negacao=not _NEGACOES.isdisjoint(tokens),
            pergunta="?" in texto or normal.split()[0] in _PERGUNTAS,
        )

    def _outras(
        self, normal: str, hoje: date, permitidas: Collection[str], uf: str | None, principal: str
    ) -> tuple[str, ...]:
        """Intents of the message's clauses other than the main one: "já paguei mas quero falar com alguém"."""
        partes = [p for p in _RE_ORACOES.split(normal) if len(p.split()) >= 2]
        if len(partes) < 2:
            return ()
        outras: list[str] = []
        for parte in partes:
            _, marcada = ler(parte, parte, hoje, uf)
            nome, nota = max(self.modelo.probabilidades(marcada, permitidas).items(), key=lambda item: item[1])
            if nota >= _ALTERNATIVA and nome not in (NENHUMA, principal, *outras):
                outras.append(nome)
        return tuple(outras)

    def _permitidas(self, candidatas: Collection[str] | None) -> Collection[str]:
        if candidatas is None:
            return self.nomes
        desconhecidas = sorted(set(candidatas) - set(self.nomes))
        if desconhecidas:
            raise ValueError(f"intenções desconhecidas em candidatas: {desconhecidas} (conhecidas: {list(self.nomes)})")
        return candidatas


def _compor(
    melhor: tuple[str, float], entidades: Entidades, tokens: set[str], permitidas: Collection[str], hoje: date
) -> tuple[str, float]:
    """Rules the corpus cannot teach reliably: a yes with terms is those terms; terms alone are understood."""
    nome, nota = melhor
    termos = entidades.valor is not None or (entidades.parcelas or 0) >= 2  # "1x" is paying in full
    futura = entidades.data is not None and entidades.data >= hoje  # a birth date is not a payment date
    fraca = nome == NENHUMA or nota < LIMIAR
    if termos and PROPOSTA in permitidas and (nome == ACEITE or fraca):
        return PROPOSTA, max(nota, 0.75)
    if futura and DATA_PAGAMENTO in permitidas and (nome == ACEITE or (fraca and not _PAGAMENTO.isdisjoint(tokens))):
        return DATA_PAGAMENTO, max(nota, 0.75)
    return nome, nota
