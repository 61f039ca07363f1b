"""The régua inside `serve`: the channels' real senders, behind the ledger, dispatched on APScheduler's clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.regua import CANAIS_DA_REGUA
from bot.dados.registro import RemetenteRegistrado
from bot.disparo.despacho import Despachante
from bot.disparo.email import Carta
from bot.disparo.planejamento import Variantes
from bot.disparo.relogio import Vigia, instalar
from bot.porta import Remetente, TipoCanal
from bot.projeto import Projeto

log = logging.getLogger(__name__)

AGENDADOR = web.AppKey("agendador_regua", AsyncIOScheduler)


def instalar_regua(
    app: web.Application,
    projeto: Projeto,
    engine: AsyncEngine,
    remetentes: Mapping[str, Remetente],
    relogio: Callable[[], datetime],
    variantes: Variantes | None = None,
    vigia: Vigia | None = None,
) -> None:
    """Plan and dispatch from the server, unless `regua.automatica = false` (then only the `regua` command).

    `variantes` and `vigia` bring the experiments in (their variants per step, their guardrails) from the caller.
    """
    regua = projeto.config.regua
    if not regua.automatica:
        log.warning("régua automática desligada (regua.automatica = false): enfileire com `python -m bot regua`")
        return
    ligados = {
        TipoCanal(nome): RemetenteRegistrado(engine, remetente, relogio)
        for nome, remetente in remetentes.items()
        if TipoCanal(nome) in CANAIS_DA_REGUA
    }
    usados = {canal for passo in regua.passos for canal in passo.canais}
    desligados = sorted(c.value for c in usados - set(ligados))
    if desligados:
        log.warning("régua: lembretes por %s (canal desligado) falham com o motivo e passam ao próximo canal do passo",
                    ", ".join(desligados))  # fmt: skip
    agendador = AsyncIOScheduler(timezone=UTC)
    carta = Carta(projeto.textos, projeto.config.credor)
    despachante = Despachante(engine, regua, ligados, frozenset(TipoCanal(c) for c in desligados), carta)
    instalar(agendador, despachante, projeto.config.credor.nome, relogio, variantes, vigia)
    app[AGENDADOR] = agendador
    app.cleanup_ctx.append(_ciclo)


async def _ciclo(app: web.Application) -> AsyncIterator[None]:
    """Tick while the server runs. The work is in the database: a round cut short is reconciled by the next."""
    agendador = app[AGENDADOR]
    agendador.start()
    yield
    agendador.shutdown(wait=False)
