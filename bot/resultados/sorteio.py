"""Deterministic assignment: a hash of experiment and debtor picks the variant, the same on every instance."""

from __future__ import annotations

import hashlib
from datetime import date

from bot.config.resultados import Experimento

RESERVA = "reserva"  # the hold-out group: no variant at all
ESCALA = 2**64


def posicao(experimento: str, devedor_id: int) -> float:
    """A number in [0, 1) that only the experiment's name and the debtor fix (SHA-256, first 8 bytes)."""
    digest = hashlib.sha256(f"{experimento}:{devedor_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / ESCALA


def variante_de(experimento: Experimento, devedor_id: int) -> str:
    """The debtor's variant, or `reserva`: the first `reserva_percentual` % are held out, the rest split by weight."""
    p = posicao(experimento.nome, devedor_id)
    reserva = experimento.reserva_percentual / 100
    if p < reserva:
        return RESERVA
    total = sum(v.peso for v in experimento.variantes)
    alvo, acumulado = (p - reserva) / (1 - reserva) * total, 0
    for variante in experimento.variantes:
        acumulado += variante.peso
        if alvo < acumulado:
            return variante.nome
    return experimento.variantes[-1].nome  # float rounding at the very top


def vigente(experimento: Experimento, dia: date) -> bool:
    return experimento.inicio <= dia <= experimento.fim
