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
from enum import StrEnum
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import Acordo, Conversa, Direcao, Evento, Mensagem, MotivoTransferencia
from bot.dados.pagamentos import PagamentoRecebido
from bot.dados.saida import Saida

# Core tables: typed columns of many models in one select are beyond sqlmodel's `select` overloads.
_M: Any = Mensagem.__table__  # type: ignore[attr-defined]
_C: Any = Conversa.__table__  # type: ignore[attr-defined]
_S: Any = Saida.__table__  # type: ignore[attr-defined]
_ST: Any = StatusEntrega.__table__  # type: ignore[attr-defined]
_E: Any = Evento.__table__  # type: ignore[attr-defined]
_A: Any = Acordo.__table__  # type: ignore[attr-defined]
_P: Any = PagamentoRecebido.__table__  # type: ignore[attr-defined]


class TipoPasso(StrEnum):
    ENVIADA = "enviada"
    ENTREGUE = "entregue"
    LIDA = "lida"
    RESPONDIDA = "respondida"
    PAGINA_ABERTA = "pagina_aberta"
    PDF_BAIXADO = "pdf_baixado"
    ACORDO = "acordo"
    PAGAMENTO = "pagamento"
    ACORDO_QUEBRADO = "acordo_quebrado"
    OPTOUT = "optout"
    TRANSFERENCIA = "transferencia"
    CONTESTACAO = "contestacao"


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
        sa_select(_C.c.devedor_id, _M.c.direcao, _M.c.canal, _M.c.criada_em, _M.c.id, _M.c.status)
        .select_from(_M)
        .join(_C, _C.c.id == _M.c.conversa_id)
    )
    passos = []
    for devedor_id, direcao, canal, instante, mensagem_id, status in await _linhas(
        s, filtro(consulta, _C.c.devedor_id)
    ):
        tipo = TipoPasso.RESPONDIDA if direcao == Direcao.ENTRADA.value else TipoPasso.ENVIADA
        passos.append(Passo(devedor_id, tipo, instante, canal, detalhe={"mensagem": mensagem_id, "status": status}))
    return passos


async def _lembretes(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    consulta = sa_select(_S.c.devedor_id, _S.c.canal, _S.c.enviada_em, _S.c.passo, _S.c.modelo, _S.c.id).where(
        _S.c.enviada_em.is_not(None)
    )
    return [
        Passo(
            devedor_id,
            TipoPasso.ENVIADA,
            instante,
            canal,
            detalhe={"lembrete": saida_id, "passo": passo, "modelo": modelo},
        )
        for devedor_id, canal, instante, passo, modelo, saida_id in await _linhas(s, filtro(consulta, _S.c.devedor_id))
    ]


async def _status(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    """Delivered and read reports, tied to a conversation message or to a régua reminder by the provider id."""
    relevantes = _ST.c.status.in_(list(STATUS_PASSO))
    da_conversa = (
        sa_select(_C.c.devedor_id, _ST.c.canal, _ST.c.status, _ST.c.instante)
        .select_from(_ST)
        .join(
            _M,
            and_(
                _M.c.canal == _ST.c.canal,
                _M.c.id_externo == _ST.c.id_externo,
            ),
        )
        .join(_C, _C.c.id == _M.c.conversa_id)
        .where(relevantes, _M.c.direcao == Direcao.SAIDA.value)
    )
    da_regua = (
        sa_select(_S.c.devedor_id, _ST.c.canal, _ST.c.status, _ST.c.instante)
        .select_from(_ST)
        .join(
            _S,
            and_(_S.c.canal == _ST.c.canal, _S.c.id_provedor == _ST.c.id_externo),
        )
        .where(relevantes)
    )
    linhas = [
        *await _linhas(s, filtro(da_conversa, _C.c.devedor_id)),
        *await _linhas(s, filtro(da_regua, _S.c.devedor_id)),
    ]
    return [Passo(d, STATUS_PASSO[status], instante, canal) for d, canal, status, instante in linhas]


async def _eventos(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    consulta = sa_select(_E.c.devedor_id, _E.c.tipo, _E.c.criado_em, _E.c.dados).where(
        _E.c.tipo.in_(list(EVENTOS_PASSO))
    )
    passos = []
    for devedor_id, tipo, instante, dados in await _linhas(s, filtro(consulta, _E.c.devedor_id)):
        canal = dados.get("canal") if isinstance(dados.get("canal"), str) else None
        passos.append(Passo(devedor_id, EVENTOS_PASSO[tipo], instante, canal, detalhe=dict(dados)))
        if tipo == "transferencia" and dados.get("motivo") == MotivoTransferencia.CONTESTACAO.value:
            passos.append(Passo(devedor_id, TipoPasso.CONTESTACAO, instante, canal, detalhe=dict(dados)))
    return passos


async def _acordos_e_pagamentos(s: AsyncSession, filtro: Filtro) -> list[Passo]:
    acordos = sa_select(_A.c.devedor_id, _A.c.criado_em, _A.c.total, _A.c.id)
    pagamentos = (
        sa_select(_A.c.devedor_id, _P.c.criado_em, _P.c.valor, _P.c.pago_em, _A.c.id)
        .select_from(_P)
        .join(_A, _A.c.id == _P.c.acordo_id)
    )
    passos = [
        Passo(d, TipoPasso.ACORDO, instante, valor=total, detalhe={"acordo": acordo_id})
        for d, instante, total, acordo_id in await _linhas(s, filtro(acordos, _A.c.devedor_id))
    ]
    passos += [
        Passo(d, TipoPasso.PAGAMENTO, instante, valor=valor, detalhe={"acordo": acordo_id, "pago_em": dia.isoformat()})
        for d, instante, valor, dia, acordo_id in await _linhas(s, filtro(pagamentos, _A.c.devedor_id))
    ]
    return passos


async def passos(s: AsyncSession, devedores: Sequence[int] | None = None) -> list[Passo]:
    """The steps of these debtors (all when None), oldest first; ties keep the order a debtor lives them."""
    filtro = Filtro(devedores)
    todos = [
        *await _mensagens(s, filtro),
        *await _lembretes(s, filtro),
        *await _status(s, filtro),
        *await _eventos(s, filtro),
        *await _acordos_e_pagamentos(s, filtro),
    ]
    ordem = {tipo: i for i, tipo in enumerate(TipoPasso)}
    return sorted(todos, key=lambda p: (p.devedor_id, p.instante, ordem[p.tipo]))
