"""What other packages call when a fact makes pending reminders obsolete: a payment (an opt-out is in the service)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.regua.config import Alvo
from bot.regua.fila import descartar_pendentes


async def cancelar_por_pagamento(
    s: AsyncSession, parcela_id: int | None = None, acordo_parcela_id: int | None = None
) -> int:
    """Drop the pending reminders of a paid installment (original or of an agreement) in the caller's transaction.

    Call it in the same transaction that records the payment; commit is the caller's. Returns how many.
    """
    if (parcela_id is None) == (acordo_parcela_id is None):
        raise ValueError("informe parcela_id ou acordo_parcela_id (um dos dois)")
    if parcela_id is not None:
        return await descartar_pendentes(s, "parcela paga", alvo=f"{Alvo.PARCELA.value}:{parcela_id}")
    return await descartar_pendentes(s, "parcela do acordo paga", alvo=f"{Alvo.ACORDO.value}:{acordo_parcela_id}")
