"""The régua's clock inside `serve`: APScheduler 3.11 only ticks; the work and its state live in the database.

APScheduler 3's job stores are not safe across processes, so the jobs here keep nothing: each tick plans today
(idempotent, thanks to the outbox's unique key) or dispatches what is due (claimed atomically).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.calendario import fuso
from bot.config.regua import Regua
from bot.disparo.despacho import Despachante, Resumo
from bot.disparo.planejamento import Variantes, planejar_e_enfileirar

Vigia = Callable[[datetime], Awaitable[object]]  # run before each planning: the experiments' guardrails
PLANEJAR_A_CADA_MINUTOS = 15
DESPACHAR_A_CADA_SEGUNDOS = 1


async def planejar_hoje(
    engine: AsyncEngine,
    regua: Regua,
    credor: str,
    agora: datetime,
    variantes: Variantes | None = None,
    vigia: Vigia | None = None,
) -> int:
    """Enqueue today's plan (today in Brasília); returns how many reminders are new.

    `vigia` (the experiments' guardrails) runs first, so a variant that harms is stopped before today's reminders
    are chosen; `variantes` resolves each debtor's variants.
    """
    if vigia is not None:
        await vigia(agora)
    dia = agora.astimezone(fuso("DF")).date()
    return await planejar_e_enfileirar(engine, regua, credor, dia, agora, variantes)


def instalar(
    agendador: AsyncIOScheduler,
    despachante: Despachante,
    credor: str,
    relogio: Callable[[], datetime],
    variantes: Variantes | None = None,
    vigia: Vigia | None = None,
) -> None:
    """Add the régua's two jobs to the scheduler `serve` runs; the lead wires this into `serve`."""

    async def planejar() -> int:
        return await planejar_hoje(despachante.engine, despachante.regua, credor, relogio(), variantes, vigia)

    async def despachar() -> Resumo:
        return await despachante.rodada(relogio())

    comum = {"max_instances": 1, "coalesce": True, "replace_existing": True}
    agendador.add_job(planejar, "interval", minutes=PLANEJAR_A_CADA_MINUTOS, id="regua-planejar", **comum)
    # A round drains everything due, which may take longer than a tick: the ticks meanwhile return at once (the
    # dispatcher's own lock) instead of being refused by the scheduler with a warning every second.
    agendador.add_job(despachar, "interval", seconds=DESPACHAR_A_CADA_SEGUNDOS, id="regua-despachar",
                      **(comum | {"max_instances": 3}))  # fmt: skip
