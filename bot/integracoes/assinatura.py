"""Signing outbound events and spacing their retries (pure: no I/O, no clock)."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import timedelta

CABECALHO_ASSINATURA = "X-Cobranca-Assinatura"
CABECALHO_INSTANTE = "X-Cobranca-Instante"
CABECALHO_EVENTO = "X-Cobranca-Evento"
CABECALHO_ID = "X-Cobranca-Id"


def assinar(segredo: str, instante: int, corpo: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(segredo, "<instante>." + corpo): the instant is signed too, so a receiver
    can refuse an old request replayed (compare it with its own clock)."""
    mensagem = str(instante).encode("ascii") + b"." + corpo
    return "sha256=" + hmac.new(segredo.encode("utf-8"), mensagem, hashlib.sha256).hexdigest()


def conferir(segredo: str, instante: int, corpo: bytes, assinatura: str) -> bool:
    """What a receiver does (docs/integracao.md shows the same in a few lines): constant-time comparison."""
    return hmac.compare_digest(assinar(segredo, instante, corpo), assinatura)


def espera(tentativa: int, inicial: int, maxima: int, sorteio: random.Random) -> timedelta:
    """Wait after the `tentativa`-th failure: exponential (inicial, 2×, 4×…) up to `maxima`, with "full jitter"
    between half and all of it, so destinations that fail together are not retried together."""
    teto = min(maxima, inicial * 2 ** max(tentativa - 1, 0))
    return timedelta(seconds=teto * sorteio.uniform(0.5, 1.0))
