"""Delivery statuses on outbound messages: every report kept, the most advanced one shown on the message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, exists, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.canais.whatsapp_webhook import StatusRecebido
from bot.dados.banco import sessao
from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import Direcao, Mensagem

# Statuses arrive out of order ("read" before "delivered"): a message only moves forward.
# "failed" is final: a failed message is never delivered afterwards.
ORDEM = {"enviada": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


_MENSAGEM: Any = Mensagem.__table__  # type: ignore[attr-defined]
_STATUS: Any = StatusEntrega.__table__  # type: ignore[attr-defined]


async def _avancar(c: AsyncConnection, canal: str, id_externo: str, status: str) -> None:
    """One conditional UPDATE, so concurrent reports of a batch cannot overwrite a later one with an earlier one."""
    if status not in ORDEM:
        return
    anteriores = [nome for nome, posicao in ORDEM.items() if posicao < ORDEM[status]]
    await c.execute(
        update(_MENSAGEM)
        .where(
            _MENSAGEM.c.canal == canal,
            _MENSAGEM.c.direcao == Direcao.SAIDA.value,
            _MENSAGEM.c.id_externo == id_externo,
            _MENSAGEM.c.status.in_(anteriores),
        )
        .values(status=status)
    )


async def registrar_status(engine: AsyncEngine, canal: str, status: StatusRecebido) -> None:
    """Keep the report (once) and advance the outbound message it refers to, if we know it yet."""
    async with sessao(engine) as s:
        try:
            async with s.begin_nested():
                s.add(
                    StatusEntrega(
                        canal=canal,
                        id_externo=status.id,
                        status=status.status,
                        codigo=status.codigo,
                        detalhe=status.detalhe,
                        instante=status.instante,
                    )
                )
        except IntegrityError:
            return  # the same report again
        await s.commit()
        await _avancar(await s.connection(), canal, status.id, status.status)
        await s.commit()


_STATUS_ANTERIORES = sa_select(_STATUS.c.status).where(
    _STATUS.c.canal == bindparam("b_canal"), _STATUS.c.id_externo == bindparam("b_id")
)
_DAR_ID = (
    update(_MENSAGEM)
    .where(_MENSAGEM.c.id == bindparam("b_mensagem"))
    .values(id_externo=bindparam("b_id"), status="enviada", tentar_em=None)
    .returning(exists(_STATUS_ANTERIORES))  # a report came first: the common case (none) needs no other query
)


async def resposta_enviada(c: AsyncConnection, mensagem_id: int, canal: str, id_externo: str) -> None:
    """Mark a stored reply sent with its provider id (by its own id, in the caller's transaction), and apply any
    delivery report that arrived before the id was known."""
    parametros = {"b_mensagem": mensagem_id, "b_canal": canal, "b_id": id_externo}
    if not (await c.execute(_DAR_ID, parametros)).scalar():
        return
    for status in (await c.execute(_STATUS_ANTERIORES, parametros)).scalars().all():
        await _avancar(c, canal, id_externo, status)
