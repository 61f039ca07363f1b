"""Delivery statuses on outbound messages: every report kept, the most advanced one shown on the message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, exists, literal, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.canais.whatsapp_webhook import StatusRecebido
from bot.dados.cru import Preparados, Transacao, insercao, transacao
from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import Direcao, Mensagem

# Statuses arrive out of order ("read" before "delivered"): a message only moves forward.
# "failed" is final: a failed message is never delivered afterwards.
ORDEM = {"enviada": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


_MENSAGEM: Any = Mensagem.__table__  # type: ignore[attr-defined]
_STATUS: Any = StatusEntrega.__table__  # type: ignore[attr-defined]


def _avanco(status: str) -> Preparados:
    """Move an outbound message to `status` only from an earlier one: one conditional UPDATE, so concurrent reports
    of a batch cannot overwrite a later status with an earlier one."""
    anteriores = [literal(nome) for nome, posicao in ORDEM.items() if posicao < ORDEM[status]]
    return Preparados(
        update(_MENSAGEM)
        .where(
            _MENSAGEM.c.canal == bindparam("b_canal"),
            _MENSAGEM.c.direcao == Direcao.SAIDA.value,
            _MENSAGEM.c.id_externo == bindparam("b_id"),
            _MENSAGEM.c.status.in_(anteriores),
        )
        .values(status=status)
    )


_AVANCAR = {status: _avanco(status) for status in ORDEM if ORDEM[status] > 0}
_GUARDAR = Preparados(
    lambda dialeto: insercao(_STATUS, dialeto)
    .values(
        canal=bindparam("b_canal"),
        id_externo=bindparam("b_id"),
        status=bindparam("b_status"),
        codigo=bindparam("b_codigo"),
        detalhe=bindparam("b_detalhe"),
        instante=bindparam("b_instante"),
    )
    .on_conflict_do_nothing()
    .returning(_STATUS.c.id)
)


async def _avancar(t: Transacao, canal: str, id_externo: str, status: str) -> None:
    if status in _AVANCAR:
        await t.executar(_AVANCAR[status], {"b_canal": canal, "b_id": id_externo})


async def registrar_status(engine: AsyncEngine, canal: str, status: StatusRecebido) -> None:
    """Keep the report (once) and advance the outbound message it refers to, if we know it yet."""
    valores = {"b_canal": canal, "b_id": status.id, "b_status": status.status, "b_codigo": status.codigo,
               "b_detalhe": status.detalhe, "b_instante": status.instante}  # fmt: skip
    async with transacao(engine) as t:
        if await t.linha(_GUARDAR, valores) is None:
            return  # the same report again
        await _avancar(t, canal, status.id, status.status)


_STATUS_ANTERIORES = sa_select(_STATUS.c.status).where(
    _STATUS.c.canal == bindparam("b_canal"), _STATUS.c.id_externo == bindparam("b_id")
)
_DAR_ID = Preparados(
    update(_MENSAGEM)
    .where(_MENSAGEM.c.id == bindparam("b_mensagem"))
    .values(id_externo=bindparam("b_id"), status="enviada", tentar_em=None)
    .returning(exists(_STATUS_ANTERIORES))  # a report came first: the common case (none) needs no other query
)
_ANTERIORES = Preparados(_STATUS_ANTERIORES)


async def resposta_enviada(t: Transacao, mensagem_id: int, canal: str, id_externo: str) -> None:
    """Mark a stored reply sent with its provider id (by its own id, in the caller's transaction), and apply any
    delivery report that arrived before the id was known."""
    parametros = {"b_mensagem": mensagem_id, "b_canal": canal, "b_id": id_externo}
    relatado = await t.linha(_DAR_ID, parametros)
    if relatado is None or not relatado[0]:
        return
    for (status,) in await t.linhas(_ANTERIORES, parametros):
        await _avancar(t, canal, id_externo, status)
