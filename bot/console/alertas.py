"""Hand-offs nobody took within `[console] alerta_minutos`: flagged on the queue and recorded once as an event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.atendentes import AlertaTransferencia
from bot.dados.banco import sessao
from bot.dados.modelos import Evento, SituacaoTransferencia, Transferencia

log = logging.getLogger(__name__)
EVENTO_ALERTA = "alerta_transferencia"


def atrasada(transferencia: Transferencia, agora: datetime, minutos: int) -> bool:
    """Still waiting for a person, for longer than the gestores allow."""
    return transferencia.situacao == SituacaoTransferencia.AGUARDANDO.value and (
        agora - transferencia.criada_em >= timedelta(minutes=minutos)
    )


async def alertar_atrasadas(s: AsyncSession, agora: datetime, minutos: int) -> list[int]:
    """Record an alert and an `alerta_transferencia` event for each late hand-off not alerted yet; their ids."""
    consulta = (
        select(Transferencia)
        .outerjoin(AlertaTransferencia, col(AlertaTransferencia.transferencia_id) == col(Transferencia.id))
        .where(
            Transferencia.situacao == SituacaoTransferencia.AGUARDANDO.value,
            col(Transferencia.criada_em) <= agora - timedelta(minutes=minutos),
            col(AlertaTransferencia.id).is_(None),
        )
    )
    novas = list((await s.exec(consulta)).all())
    for t in novas:
        assert t.id is not None
        s.add(AlertaTransferencia(transferencia_id=t.id, criado_em=agora))
        dados = {"transferencia_id": t.id, "motivo": t.motivo, "minutos": minutos}
        s.add(
            Evento(devedor_id=t.devedor_id, conversa_id=t.conversa_id, tipo=EVENTO_ALERTA, dados=dados, criado_em=agora)
        )
    try:
        await s.commit()
    except IntegrityError:
        await s.rollback()  # another process (or page) recorded them first: its rows stand, ours are dropped
        return []
    if novas:
        log.warning("%s transferência(s) sem resposta há mais de %s min", len(novas), minutos)
    return [t.id for t in novas if t.id is not None]


async def vigiar(
    engine: AsyncEngine, relogio: Callable[[], datetime], minutos: int, intervalo: float, parar: asyncio.Event
) -> None:
    """Check for late hand-offs every `intervalo` seconds until `parar` is set, even with no page open."""
    while not parar.is_set():
        try:
            async with sessao(engine) as s:
                await alertar_atrasadas(s, relogio(), minutos)
        except SQLAlchemyError:
            log.exception("verificação de transferências atrasadas falhou; nova tentativa em %s s", intervalo)
        try:
            await asyncio.wait_for(parar.wait(), intervalo)
        except TimeoutError:
            continue
