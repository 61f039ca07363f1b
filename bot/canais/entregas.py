"""Delivery statuses on outbound messages: every report kept, the most advanced one shown on the message."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.canais.whatsapp_webhook import StatusRecebido
from bot.dados.banco import sessao
from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import Conversa, Direcao, Mensagem

# Statuses arrive out of order ("read" before "delivered"): a message only moves forward.
# "failed" is final: a failed message is never delivered afterwards.
ORDEM = {"enviada": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


async def _avancar(s: AsyncSession, canal: str, id_externo: str, status: str) -> None:
    """One conditional UPDATE, so concurrent reports of a batch cannot overwrite a later one with an earlier one."""
    if status not in ORDEM:
        return
    anteriores = [nome for nome, posicao in ORDEM.items() if posicao < ORDEM[status]]
    await s.exec(
        update(Mensagem)
        .where(
            col(Mensagem.canal) == canal,
            col(Mensagem.direcao) == Direcao.SAIDA.value,
            col(Mensagem.id_externo) == id_externo,
            col(Mensagem.status).in_(anteriores),
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
        await _avancar(s, canal, status.id, status.status)
        await s.commit()


async def registrar_envio(engine: AsyncEngine, canal: str, devedor_id: int, texto: str, id_externo: str) -> None:
    """Tie the provider id to the stored reply, and apply any status that arrived before we knew the id."""
    async with sessao(engine) as s:
        consulta = (
            select(Mensagem)
            .join(Conversa, col(Mensagem.conversa_id) == col(Conversa.id))
            .where(
                Conversa.devedor_id == devedor_id,
                Mensagem.canal == canal,
                Mensagem.direcao == Direcao.SAIDA.value,
                col(Mensagem.id_externo).is_(None),
                Mensagem.texto == texto,
            )
            .order_by(col(Mensagem.id).desc())
        )
        mensagem = (await s.exec(consulta)).first()
        if mensagem is None:
            return
        mensagem.id_externo = id_externo
        s.add(mensagem)
        await s.commit()
        # Reports that arrived before the id was known could not find the message: apply them now.
        anteriores = await s.exec(
            select(StatusEntrega.status).where(StatusEntrega.canal == canal, StatusEntrega.id_externo == id_externo)
        )
        for status in anteriores.all():
            await _avancar(s, canal, id_externo, status)
        await s.commit()
