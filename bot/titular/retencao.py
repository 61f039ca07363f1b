"""The retention job of `serve`: past `lgpd.retencao_dias` since a debtor's last fact, with nothing open,
the debt's records lose their identity too (name and CPF), after the same anonymisation a request gets.

Amounts, dates and situations stay (the portfolio's history and the results pages still add up); what could
identify the person goes. The decision (`vencido`) is pure; the job reads the facts and applies it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.titular import LgpdConfig
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import (
    Acordo,
    Contrato,
    Conversa,
    Devedor,
    Evento,
    Mensagem,
    Parcela,
    SituacaoAcordo,
    SituacaoParcela,
)
from bot.tarefas import a_cada, no_servidor
from bot.titular.pedidos import anonimizar, apagar_audios, auditar_pedido

log = logging.getLogger(__name__)

NOME_EXPURGADO = "Titular anonimizado"
LOTE = 200


def cpf_substituto(devedor_id: int) -> str:
    """What takes the CPF's place: unique (the column is), 11 characters, never a CPF (it starts with '#')."""
    return f"#{devedor_id:010d}"


def vencido(ultimo_fato: datetime, agora: datetime, retencao_dias: int) -> bool:
    return agora - ultimo_fato >= timedelta(days=retencao_dias)


async def _ultimo_fato(s: AsyncSession, devedor: Devedor) -> datetime:
    """The latest of: the debtor row's change, an event, a message, a payment received."""
    assert devedor.id is not None
    consultas = [
        select(func.max(Evento.criado_em)).where(Evento.devedor_id == devedor.id),
        select(func.max(Mensagem.criada_em))
        .join(Conversa, col(Mensagem.conversa_id) == col(Conversa.id))
        .where(Conversa.devedor_id == devedor.id),
        select(func.max(PagamentoRecebido.criado_em))
        .join(Acordo, col(PagamentoRecebido.acordo_id) == col(Acordo.id))
        .where(Acordo.devedor_id == devedor.id),
    ]
    instantes = [devedor.atualizado_em, devedor.criado_em]
    for consulta in consultas:
        instante = (await s.exec(consulta)).one()
        if instante is not None:
            instantes.append(instante)
    return max(instantes)


@dataclass(frozen=True)
class Retencao:
    engine: AsyncEngine
    config: LgpdConfig
    relogio: Callable[[], datetime]
    pasta_anexos: Path

    async def rodada(self) -> int:
        """Expurge every debtor due; returns how many. Each in its own transaction, audited."""
        agora = self.relogio()
        limite = agora - timedelta(days=self.config.retencao_dias)
        aberta = (
            select(Contrato.devedor_id)
            .join(Parcela, col(Parcela.contrato_id) == col(Contrato.id))
            .where(Parcela.situacao == SituacaoParcela.ABERTA.value)
        )
        ativo = select(Acordo.devedor_id).where(Acordo.situacao == SituacaoAcordo.ATIVO.value)
        candidatos = (
            select(Devedor.id)
            .where(
                col(Devedor.expurgado_em).is_(None),
                col(Devedor.atualizado_em) <= limite,
                col(Devedor.id).not_in(aberta),
                col(Devedor.id).not_in(ativo),
            )
            .order_by(col(Devedor.id))
            .limit(LOTE)
        )
        async with sessao(self.engine) as s:
            ids = [i for i in (await s.exec(candidatos)).all() if i is not None]
        feitos = 0
        for devedor_id in ids:
            feitos += await self._expurgar(devedor_id, agora)
        return feitos

    async def _expurgar(self, devedor_id: int, agora: datetime) -> int:
        async with sessao(self.engine) as s:
            devedor = await s.get(Devedor, devedor_id)
            if devedor is None or devedor.expurgado_em is not None:
                return 0
            ultimo = await _ultimo_fato(s, devedor)
            if not vencido(ultimo, agora, self.config.retencao_dias):
                return 0
            auditar_pedido(s, "expurgar", devedor, agora, ultimo_fato=ultimo.isoformat(),
                           retencao_dias=self.config.retencao_dias)  # fmt: skip
            feito = await anonimizar(s, devedor, agora, "retenção (LGPD)")
            devedor.nome, devedor.cpf, devedor.expurgado_em = NOME_EXPURGADO, cpf_substituto(devedor_id), agora
            s.add(devedor)
            await s.commit()
        await apagar_audios(self.engine, self.pasta_anexos, feito.audios)
        return 1

    async def vigiar(self, parar: asyncio.Event) -> None:
        """The server's loop: a round every `lgpd.verificar_a_cada_horas` until `parar`."""
        await a_cada(
            self.config.verificar_a_cada_horas * 3600, parar, self._rodada_contada, "falha na rotina de retenção LGPD"
        )

    async def _rodada_contada(self) -> int:
        quantos = await self.rodada()
        if quantos:
            log.warning("retenção LGPD: %d devedor(es) anonimizado(s) por completo", quantos)
        return quantos


RETENCAO = web.AppKey("retencao", Retencao)
_TAREFA: web.AppKey[asyncio.Task[None]] = web.AppKey("retencao_tarefa")


def instalar(app: web.Application, retencao: Retencao) -> None:
    app[RETENCAO] = retencao
    no_servidor(app, _TAREFA, retencao)
