"""When a PSP charge that failed is tried again: growing waits, then a person decides (pure, no clock read)."""

from __future__ import annotations

from datetime import datetime, timedelta

ESPERAS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
# Held by the retrier that claimed the last attempt: longer than any provider call (asaas_timeout_segundos ≤ 120).
RESERVA_FINAL = timedelta(minutes=5)


def primeira(agora: datetime) -> datetime:
    """When a charge just created (or just failed without a schedule) is first tried again."""
    return agora + ESPERAS[0]


def desistiu(tentativas: int) -> bool:
    """Whether every background attempt was used: the charge is left to an agent (or the debtor writing again)."""
    return tentativas >= len(ESPERAS)


def reservar_ate(tentativas: int, agora: datetime) -> datetime:
    """Due time written when claiming attempt number `tentativas` (1-based): the next wait, should this one fail.

    The claim holds the charge until then, so a retrier that dies mid-call is followed by the next in line.
    """
    return agora + (ESPERAS[tentativas] if tentativas < len(ESPERAS) else RESERVA_FINAL)
