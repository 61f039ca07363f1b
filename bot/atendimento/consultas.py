"""The statements every inbound message runs, built once: building a statement costs more than running it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.modelos import Acordo, Contrato, Conversa, Devedor, Dono, Parcela, SituacaoAcordo, SituacaoParcela

# The debtor's newest active agreement (None without one): `Documentos.garantir` runs only when there is one.
_ACORDO_ATIVO = (
    select(func.max(Acordo.id))
    .where(col(Acordo.devedor_id) == col(Devedor.id), Acordo.situacao == SituacaoAcordo.ATIVO.value)
    .scalar_subquery()
)

# The debtor, its conversation on the channel (None before the first message) and its newest active agreement.
DEVEDOR_CONVERSA = (
    select(Devedor, Conversa, _ACORDO_ATIVO)
    .outerjoin(Conversa, (col(Conversa.devedor_id) == col(Devedor.id)) & (col(Conversa.canal) == bindparam("c")))
    .where(col(Devedor.id) == bindparam("d"))
)

# The debtor's open installments with their contract, earliest due first.
PARCELAS_ABERTAS = (
    select(Parcela, Contrato)
    .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
    .where(col(Contrato.devedor_id) == bindparam("d"), Parcela.situacao == SituacaoParcela.ABERTA.value)
    .order_by(col(Parcela.vencimento), col(Parcela.id))
)

_CONVERSA: Any = Conversa.__table__  # type: ignore[attr-defined]
_INSERIR_CONVERSA = insert(_CONVERSA).returning(_CONVERSA.c.id)


def valores_de_nova_conversa(devedor_id: int, canal: str, agora: datetime) -> dict[str, Any]:
    """A new conversation's columns: it starts with the bot, before the flow's first state."""
    return {"devedor_id": devedor_id, "canal": canal, "estado": "", "dono": Dono.BOT.value, "memoria": {},
            "iniciada_em": agora, "atualizada_em": agora, "versao": 1}  # fmt: skip


async def nova_conversa(s: AsyncSession, devedor_id: int, canal: str, agora: datetime) -> Conversa:
    """Inserted by one Core statement (no unit of work for one row), then attached to the session as loaded."""
    valores = valores_de_nova_conversa(devedor_id, canal, agora)
    novo = await s.exec(_INSERIR_CONVERSA, params=valores)
    conversa = Conversa(id=novo.scalar_one(), **valores)
    make_transient_to_detached(conversa)
    s.add(conversa)
    return conversa
