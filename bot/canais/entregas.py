"""Delivery statuses on outbound messages: every report kept, the most advanced one shown on the message."""

from __future__ import annotations

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


def mais_avancado(atual: str, novo: str) -> str:
    return novo if ORDEM.get(novo, -1) > ORDEM.get(atual, -1) else atual


async def _mensagem_saida(s: AsyncSession, canal: str, id_externo: str) -> Mensagem | None:
    consulta = select(Mensagem).where(
        Mensagem.canal == canal, Mensagem.direcao == Direcao.SAIDA.value, Mensagem.id_externo == id_externo
    )
    return (await s.exec(consulta)).first()


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
        mensagem = await _mensagem_saida(s, canal, status.id)
        if mensagem is not None:
            mensagem.status = mais_avancado(mensagem.status, status.status)
            s.add(mensagem)
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
        anteriores = await s.exec(
            select(StatusEntrega.status).where(StatusEntrega.canal == canal, StatusEntrega.id_externo == id_externo)
        )
        for status in anteriores.all():
            mensagem.status = mais_avancado(mensagem.status, status)
        s.add(mensagem)
        await s.commit()
