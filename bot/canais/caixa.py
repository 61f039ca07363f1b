"""The inbound box: updates stored before the webhook answers, then claimed by exactly one worker."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.dados.banco import sessao
from bot.dados.entrada import Atualizacao, SituacaoAtualizacao

log = logging.getLogger(__name__)


async def guardar(
    engine: AsyncEngine, canal: str, unidades: Sequence[tuple[str, str, dict[str, Any]]], agora: datetime
) -> list[int]:
    """Store (tipo, id_externo, corpo) units; returns the ids of the new ones (a repeated id is skipped)."""
    novas: list[int] = []
    async with sessao(engine) as s:
        for tipo, id_externo, corpo in unidades:
            linha = Atualizacao(canal=canal, tipo=tipo, id_externo=id_externo, corpo=corpo, recebida_em=agora)
            try:
                async with s.begin_nested():
                    s.add(linha)
            except IntegrityError:
                log.info("%s %s repetida: já recebida antes", canal, id_externo)
                continue
            assert linha.id is not None
            novas.append(linha.id)
        await s.commit()
    return novas


async def reivindicar(engine: AsyncEngine, atualizacao_id: int) -> Atualizacao | None:
    """Move a pending update to `processando`; None if another worker (or process) got it first."""
    async with sessao(engine) as s:
        resultado = await s.exec(
            update(Atualizacao)
            .where(
                col(Atualizacao.id) == atualizacao_id,
                col(Atualizacao.situacao) == SituacaoAtualizacao.PENDENTE.value,
            )
            .values(situacao=SituacaoAtualizacao.PROCESSANDO.value)
        )
        await s.commit()
        if resultado.rowcount != 1:
            return None
        return await s.get(Atualizacao, atualizacao_id)


async def concluir(engine: AsyncEngine, atualizacao_id: int, agora: datetime, erro: str | None = None) -> None:
    situacao = SituacaoAtualizacao.FALHOU if erro else SituacaoAtualizacao.PROCESSADA
    async with sessao(engine) as s:
        await s.exec(
            update(Atualizacao)
            .where(col(Atualizacao.id) == atualizacao_id)
            .values(situacao=situacao.value, erro=erro, processada_em=agora)
        )
        await s.commit()


async def pendentes(engine: AsyncEngine) -> list[int]:
    """Updates stored but never processed (the process stopped after answering the webhook)."""
    async with sessao(engine) as s:
        consulta = (
            select(Atualizacao.id)
            .where(Atualizacao.situacao == SituacaoAtualizacao.PENDENTE.value)
            .order_by(col(Atualizacao.id))
        )
        return [i for i in (await s.exec(consulta)).all() if i is not None]
