"""Bot replies as an outbox: stored with the decision that made them, then sent by key.

A reply on a channel that sends (WhatsApp, Telegram) is stored "pendente" in the same transaction as the
decision, with `tentar_em` set a little ahead. The worker that made it sends it right after the commit under
the key `resposta:<id>` (`bot/canais/envio_respostas.py`); should it die first, or the provider refuse for a while,
the outbox sweep sends it from `tentar_em` on. The key ledger (`envio_chave`) makes both one send.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.modelos import Conversa, Direcao, Mensagem, status_de_saida

# How long the worker that stored a reply has to send it before the sweep may: longer than any send takes (a
# provider call times out after 15 s; with the PDF, two calls).
PRAZO_RESPOSTA = timedelta(seconds=60)
PENDENTE = "pendente"


def chave_da_resposta(mensagem_id: int) -> str:
    return f"resposta:{mensagem_id}"


def nova_resposta(
    conversa: Conversa, texto: str, agora: datetime, opcoes: Sequence[Any] = (), documento_id: int | None = None
) -> Mensagem:
    """A bot reply to store in the caller's transaction; `opcoes` are buttons (`intencao`, `titulo`)."""
    assert conversa.id is not None
    return Mensagem(**valores_da_resposta(conversa.canal, conversa.id, texto, agora, opcoes, documento_id))


def valores_da_resposta(
    canal: str, conversa_id: int, texto: str, agora: datetime, opcoes: Sequence[Any], documento_id: int | None
) -> dict[str, Any]:
    """A bot reply's columns (the ORM's `nova_resposta` and the hot path's insert write the same)."""
    status = status_de_saida(canal)
    return {
        "conversa_id": conversa_id,
        "direcao": Direcao.SAIDA.value,
        "canal": canal,
        "texto": texto,
        "opcoes": [getattr(o, "titulo", str(o)) for o in opcoes],
        "intencoes": [getattr(o, "intencao", str(o)) for o in opcoes],
        "status": status,
        "criada_em": agora,
        "documento_id": documento_id,
        "tentar_em": agora + PRAZO_RESPOSTA if status == PENDENTE else None,
    }


async def respostas_pendentes(s: AsyncSession, recebida: Mensagem) -> list[Mensagem]:
    """The replies to inbound message `recebida` (those stored after it, before the debtor's next message) that
    have not left yet."""
    seguinte = select(func.min(Mensagem.id)).where(
        Mensagem.conversa_id == recebida.conversa_id,
        Mensagem.direcao == Direcao.ENTRADA.value,
        col(Mensagem.id) > recebida.id,
    )
    ate = (await s.exec(seguinte)).one()
    consulta = select(Mensagem).where(
        Mensagem.conversa_id == recebida.conversa_id,
        Mensagem.direcao == Direcao.SAIDA.value,
        Mensagem.status == PENDENTE,
        col(Mensagem.tentar_em).is_not(None),
        col(Mensagem.id) > recebida.id,
    )
    if ate is not None:
        consulta = consulta.where(col(Mensagem.id) < ate)
    return list((await s.exec(consulta.order_by(col(Mensagem.id)))).all())
