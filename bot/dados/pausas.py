"""Holding and stopping collection for one debtor: the one place the bot, the console and the API record it.

A pause is a `pausa` event the régua honours for `regua.pausa_dias` unless a `retomada` event lifts it
(`bot.disparo.situacao`); an opt-out stops every reminder for good and drops the pending ones in the same transaction.
Nothing here commits: the caller's transaction holds the fact, its events and the outbound event together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.fila import descartar_pendentes
from bot.dados.modelos import Devedor, Evento

RETOMADA = "retomada"  # event an agent records to end a pause before `pausa_dias`


def pausar(
    s: AsyncSession, devedor_id: int, motivo: str, agora: datetime, conversa_id: int | None = None, **dados: Any
) -> None:
    s.add(Evento(devedor_id=devedor_id, conversa_id=conversa_id, tipo="pausa", dados={"motivo": motivo, **dados},
                 criado_em=agora))  # fmt: skip


def retomar(s: AsyncSession, devedor_id: int, agora: datetime, **dados: Any) -> None:
    s.add(Evento(devedor_id=devedor_id, tipo=RETOMADA, dados=dados, criado_em=agora))


async def registrar_optout(
    s: AsyncSession, devedor: Devedor, agora: datetime, origem: str, conversa_id: int | None = None, **dados: Any
) -> bool:
    """Record that the debtor asked for no more messages; False (and nothing written) when already recorded."""
    assert devedor.id is not None
    if devedor.optout_em is not None:
        return False
    devedor.optout_em = agora
    s.add(devedor)
    s.add(Evento(devedor_id=devedor.id, conversa_id=conversa_id, tipo="optout", dados={"origem": origem, **dados},
                 criado_em=agora))  # fmt: skip
    # Pending reminders go in the same transaction: none may leave after the debtor said stop.
    await descartar_pendentes(s, f"opt-out pelo {origem}", devedor_id=devedor.id)
    return True
