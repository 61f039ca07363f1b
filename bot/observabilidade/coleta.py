"""Figures read from the database at scrape time: messages, the inbound box and the outbox, and their lag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.entrada import Atualizacao, SituacaoAtualizacao
from bot.dados.modelos import Mensagem
from bot.dados.saida import Saida, SituacaoSaida
from bot.observabilidade.exposicao import Familia, Tipo


async def _mensagens(s: AsyncSession) -> Familia:
    consulta = select(Mensagem.canal, Mensagem.direcao, Mensagem.status, func.count()).group_by(
        col(Mensagem.canal), col(Mensagem.direcao), col(Mensagem.status)
    )
    linhas = (await s.exec(consulta)).all()
    return Familia(
        "cobranca_mensagens",
        Tipo.MEDIDOR,
        "Mensagens gravadas por canal, direção (entrada/saida) e status.",
        [({"canal": c, "direcao": d, "status": st}, n) for c, d, st, n in linhas],
    )


async def _saida(s: AsyncSession, agora: datetime) -> list[Familia]:
    consulta = select(Saida.canal, Saida.situacao, func.count()).group_by(col(Saida.canal), col(Saida.situacao))
    linhas = (await s.exec(consulta)).all()
    mais_antiga = (
        await s.exec(
            select(func.min(Saida.proxima_tentativa)).where(
                Saida.situacao == SituacaoSaida.PENDENTE.value, col(Saida.proxima_tentativa) <= agora
            )
        )
    ).one()
    return [
        Familia(
            "cobranca_saida",
            Tipo.MEDIDOR,
            "Lembretes na fila de envio (saida) por canal e situação.",
            [({"canal": c, "situacao": st}, n) for c, st, n in linhas],
        ),
        Familia(
            "cobranca_saida_atraso_segundos",
            Tipo.MEDIDOR,
            "Há quanto tempo o lembrete pendente mais antigo já devia ter saído (0 = fila em dia).",
            [({}, _segundos(agora, mais_antiga))],
        ),
    ]


async def _entrada(s: AsyncSession, agora: datetime) -> list[Familia]:
    consulta = select(Atualizacao.canal, Atualizacao.situacao, func.count()).group_by(
        col(Atualizacao.canal), col(Atualizacao.situacao)
    )
    linhas = (await s.exec(consulta)).all()
    mais_antiga = (
        await s.exec(
            select(func.min(Atualizacao.recebida_em)).where(Atualizacao.situacao == SituacaoAtualizacao.PENDENTE.value)
        )
    ).one()
    return [
        Familia(
            "cobranca_entrada",
            Tipo.MEDIDOR,
            "Atualizações recebidas dos canais (webhooks) por canal e situação.",
            [({"canal": c, "situacao": st}, n) for c, st, n in linhas],
        ),
        Familia(
            "cobranca_entrada_atraso_segundos",
            Tipo.MEDIDOR,
            "Idade da atualização recebida mais antiga ainda não processada (0 = nenhuma).",
            [({}, _segundos(agora, mais_antiga))],
        ),
    ]


def _segundos(agora: datetime, desde: datetime | None) -> float:
    # The column type turns naive UTC back into aware datetimes only for whole entities; a bare min() is naive.
    if desde is None:
        return 0.0
    if desde.tzinfo is None:
        desde = desde.replace(tzinfo=agora.tzinfo)
    return max(0.0, (agora - desde).total_seconds())


async def do_banco(s: AsyncSession, agora: datetime) -> list[Familia]:
    """Every database-derived family, in one session."""
    return [await _mensagens(s), *await _saida(s, agora), *await _entrada(s, agora)]
