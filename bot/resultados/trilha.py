"""Every step a debtor takes, with its instant, read from where each fact is already stored.

Messages, delivery statuses, agreements and payments have their own tables (written once, by their owner);
the steps no table held — the payment page opened, its PDF downloaded — are `Evento` rows (`visitas`).
Reading them here, instead of copying each into `evento`, keeps one owner per fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.modelos import Direcao, MotivoTransferencia
from bot.dados.passos import TipoPasso
from bot.resultados.tabelas import ACORDO, CONVERSA, EVENTO, MENSAGEM, PAGAMENTO, SAIDA, STATUS


@dataclass(frozen=True, slots=True)
class Passo:
    devedor_id: int
    tipo: TipoPasso
    instante: datetime
    canal: str | None = None
    valor: Decimal | None = None
    detalhe: dict[str, Any] = field(default_factory=dict)


# Provider statuses → outcome; "sent" adds nothing to our own "enviada", "failed" is no step of the debtor's.
STATUS_PASSO = {"delivered": TipoPasso.ENTREGUE, "read": TipoPasso.LIDA}
# `evento` rows that are outcomes (the others — identity, offers, pauses — belong to the conversation's record).
EVENTOS_PASSO = {
    "pagina_aberta": TipoPasso.PAGINA_ABERTA,
    "pdf_baixado": TipoPasso.PDF_BAIXADO,
    "acordo_quebrado": TipoPasso.ACORDO_QUEBRADO,
    "optout": TipoPasso.OPTOUT,
    "transferencia": TipoPasso.TRANSFERENCIA,
}


class Filtro:
    """Which debtors to read: all of them (None) or a list."""

    def __init__(self, devedores: Sequence[int] | None) -> None:
        self.devedores = None if devedores is None else list(devedores)

    def __call__(self, consulta: Any, coluna: Any) -> Any:
        return consulta if self.devedores is None else consulta.where(coluna.in_(self.devedores))


async def _linhas(s: AsyncSession, consulta: Any) -> Sequence[Any]:
    """Run a Core select of plain columns (typed column decorators still apply: instants, money)."""
    return (await (await s.connection()).execute(consulta)).all()


async def _mensagens(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    consulta = (
        sa_select(
            CONVERSA.c.devedor_id,
            MENSAGEM.c.direcao,
            MENSAGEM.c.canal,
            MENSAGEM.c.criada_em,
            MENSAGEM.c.id,
            MENSAGEM.c.status,
        )
        .select_from(MENSAGEM)
        .join(CONVERSA, CONVERSA.c.id == MENSAGEM.c.conversa_id)
    )
    passos = []
    for devedor_id, direcao, canal, instante, mensagem_id, status in await _linhas(
        s, filtro(consulta, CONVERSA.c.devedor_id)
    ):
        tipo = TipoPasso.RESPONDIDA if direcao == Direcao.ENTRADA.value else TipoPasso.ENVIADA
        passos.append(Passo(devedor_id, tipo, instante, canal, detalhe={"mensagem": mensagem_id, "status": status}))
    return passos


async def _lembretes(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    consulta = sa_select(
        SAIDA.c.devedor_id, SAIDA.c.canal, SAIDA.c.enviada_em, SAIDA.c.passo, SAIDA.c.modelo, SAIDA.c.id
    ).where(SAIDA.c.enviada_em.is_not(None))
    return [
        Passo(
            devedor_id,
            TipoPasso.ENVIADA,
            instante,
            canal,
            detalhe={"lembrete": saida_id, "passo": passo, "modelo": modelo},
        )
        for devedor_id, canal, instante, passo, modelo, saida_id in await _linhas(
            s, filtro(consulta, SAIDA.c.devedor_id)
        )
    ]


async def _status(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    """Delivered and read reports, tied to a conversation message or to a régua reminder by the provider id."""
    relevantes = STATUS.c.status.in_(list(STATUS_PASSO))
    da_conversa = (
        sa_select(CONVERSA.c.devedor_id, STATUS.c.canal, STATUS.c.status, STATUS.c.instante)
        .select_from(STATUS)
        .join(
            MENSAGEM,
            and_(
                MENSAGEM.c.canal == STATUS.c.canal,
                MENSAGEM.c.id_externo == STATUS.c.id_externo,
            ),
        )
        .join(CONVERSA, CONVERSA.c.id == MENSAGEM.c.conversa_id)
        .where(relevantes, MENSAGEM.c.direcao == Direcao.SAIDA.value)
    )
    da_regua = (
        sa_select(SAIDA.c.devedor_id, STATUS.c.canal, STATUS.c.status, STATUS.c.instante)
        .select_from(STATUS)
        .join(
            SAIDA,
            and_(SAIDA.c.canal == STATUS.c.canal, SAIDA.c.id_provedor == STATUS.c.id_externo),
        )
        .where(relevantes)
    )
    linhas = [
        *await _linhas(s, filtro(da_conversa, CONVERSA.c.devedor_id)),
        *await _linhas(s, filtro(da_regua, SAIDA.c.devedor_id)),
    ]
    return [Passo(d, STATUS_PASSO[status], instante, canal) for d, canal, status, instante in linhas]


async def _eventos(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    consulta = sa_select(EVENTO.c.devedor_id, EVENTO.c.tipo, EVENTO.c.criado_em, EVENTO.c.dados).where(
        EVENTO.c.tipo.in_(list(EVENTOS_PASSO))
    )
    passos = []
    for devedor_id, tipo, instante, dados in await _linhas(s, filtro(consulta, EVENTO.c.devedor_id)):
        canal = dados.get("canal") if isinstance(dados.get("canal"), str) else None
        passos.append(Passo(devedor_id, EVENTOS_PASSO[tipo], instante, canal, detalhe=dict(dados)))
        if tipo == "transferencia" and dados.get("motivo") == MotivoTransferencia.CONTESTACAO.value:
            passos.append(Passo(devedor_id, TipoPasso.CONTESTACAO, instante, canal, detalhe=dict(dados)))
    return passos


async def _acordos_e_pagamentos(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    acordos = sa_select(ACORDO.c.devedor_id, ACORDO.c.criado_em, ACORDO.c.total, ACORDO.c.id)
    pagamentos = (
        sa_select(ACORDO.c.devedor_id, PAGAMENTO.c.criado_em, PAGAMENTO.c.valor, PAGAMENTO.c.pago_em, ACORDO.c.id)
        .select_from(PAGAMENTO)
        .join(ACORDO, ACORDO.c.id == PAGAMENTO.c.acordo_id)
    )
    passos = [
        Passo(d, TipoPasso.ACORDO, instante, valor=total, detalhe={"acordo": acordo_id})
        for d, instante, total, acordo_id in await _linhas(s, filtro(acordos, ACORDO.c.devedor_id))
    ]
    passos += [
        Passo(d, TipoPasso.PAGAMENTO, instante, valor=valor, detalhe={"acordo": acordo_id, "pago_em": dia.isoformat()})
        for d, instante, valor, dia, acordo_id in await _linhas(s, filtro(pagamentos, ACORDO.c.devedor_id))
    ]
    return passos


async def passos(s: AsyncSession, devedores: Sequence[int] | None = None, desfechos: bool = False) -> list[Passo]:
    """The steps of these debtors (all when None), oldest first; ties keep the order a debtor lives them.

    `desfechos`: without the reminders sent and their delivery reports (what the experiment report skips: it counts
    what debtors did), unordered — at 100 thousand debtors those are most of the rows.
    """
    filtro = Filtro(devedores)
    todos = [
        *await _mensagens(s, filtro),
        *([] if desfechos else await _lembretes(s, filtro)),
        *([] if desfechos else await _status(s, filtro)),
        *await _eventos(s, filtro),
        *await _acordos_e_pagamentos(s, filtro),
    ]
    if desfechos:
        return todos
    ordem = {tipo: i for i, tipo in enumerate(TipoPasso)}
    return sorted(todos, key=lambda p: (p.devedor_id, p.instante, ordem[p.tipo]))
