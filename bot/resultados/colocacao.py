"""What the liquidation curves read from the database: each debtor's placement and what each paid, by day.

Placement is when the debtor first came in an import (`devedor.criado_em`, day in São Paulo); the safra is its
month. Amounts are summed by the database in integer cents (three queries, no row per installment in Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import BigInteger, func, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.resultados.curvas import Carteira
from bot.resultados.tabelas import ACORDO, CONTRATO, DEVEDOR, PAGAMENTO, PARCELA, SAIDA

FUSO_GESTAO = ZoneInfo("America/Sao_Paulo")


class Agrupamento(StrEnum):
    SAFRA = "safra"  # month of placement
    SEGMENTO = "segmento"  # the portfolio's `segmento` column
    PASSO = "passo"  # the régua step of the debtor's first reminder sent


SEM_SEGMENTO, SEM_LEMBRETE = "(sem segmento)", "(sem lembrete)"


async def _executar(s: AsyncSession, consulta: Any) -> Sequence[Any]:
    return (await (await s.connection()).execute(consulta)).all()


async def _primeiros_passos(s: AsyncSession) -> dict[int, str]:
    primeiro = (
        sa_select(SAIDA.c.devedor_id, func.min(SAIDA.c.enviada_em).label("em"))
        .where(SAIDA.c.enviada_em.is_not(None))
        .group_by(SAIDA.c.devedor_id)
        .subquery()
    )
    consulta = sa_select(SAIDA.c.devedor_id, func.min(SAIDA.c.passo)).join(
        primeiro, (primeiro.c.devedor_id == SAIDA.c.devedor_id) & (primeiro.c.em == SAIDA.c.enviada_em)
    )
    return {d: passo for d, passo in await _executar(s, consulta.group_by(SAIDA.c.devedor_id))}


def _nome(agrupamento: Agrupamento, criado: datetime, segmento: str | None, passo: str | None) -> str:
    if agrupamento is Agrupamento.SAFRA:
        return criado.astimezone(FUSO_GESTAO).strftime("%Y-%m")
    if agrupamento is Agrupamento.SEGMENTO:
        return segmento or SEM_SEGMENTO
    return passo or SEM_LEMBRETE


async def carregar(s: AsyncSession, agrupamento: Agrupamento, agora: datetime) -> Carteira:
    """The columns of `curvas.curvas` for every debtor, grouped by `agrupamento`, ages counted to `agora`."""
    colocado = func.coalesce(func.sum(type_coerce(PARCELA.c.valor, BigInteger)), 0)
    devedores = await _executar(
        s,
        sa_select(DEVEDOR.c.id, DEVEDOR.c.criado_em, DEVEDOR.c.segmento, colocado)
        .select_from(DEVEDOR)
        .join(CONTRATO, CONTRATO.c.devedor_id == DEVEDOR.c.id, isouter=True)
        .join(PARCELA, PARCELA.c.contrato_id == CONTRATO.c.id, isouter=True)
        .group_by(DEVEDOR.c.id, DEVEDOR.c.criado_em, DEVEDOR.c.segmento)
        .order_by(DEVEDOR.c.id),
    )
    passos = await _primeiros_passos(s) if agrupamento is Agrupamento.PASSO else {}
    hoje = agora.astimezone(FUSO_GESTAO).date()
    indice: dict[int, int] = {}
    dia_de_entrada: dict[int, date] = {}
    grupos: dict[str, int] = {}
    grupo, valores, idades = [], [], []
    for i, (devedor_id, criado, segmento, soma) in enumerate(devedores):
        indice[devedor_id] = i
        dia_de_entrada[devedor_id] = criado.astimezone(FUSO_GESTAO).date()
        nome = _nome(agrupamento, criado, segmento, passos.get(devedor_id))
        grupo.append(grupos.setdefault(nome, len(grupos)))
        valores.append(int(soma))
        idades.append((hoje - dia_de_entrada[devedor_id]).days)
    pagamentos = await _executar(
        s,
        sa_select(ACORDO.c.devedor_id, PAGAMENTO.c.pago_em, type_coerce(PAGAMENTO.c.valor, BigInteger))
        .select_from(PAGAMENTO)
        .join(ACORDO, ACORDO.c.id == PAGAMENTO.c.acordo_id),
    )
    conhecidos = [(d, dia, v) for d, dia, v in pagamentos if d in indice]
    return Carteira(
        grupos=list(grupos),
        grupo=np.array(grupo, dtype=np.int64),
        colocado=np.array(valores, dtype=np.int64),
        idade=np.array(idades, dtype=np.int64),
        pagamento_devedor=np.array([indice[d] for d, _, _ in conhecidos], dtype=np.int64),
        pagamento_dia=np.array([(dia - dia_de_entrada[d]).days for d, dia, _ in conhecidos], dtype=np.int64),
        pagamento_valor=np.array([int(v) for _, _, v in conhecidos], dtype=np.int64),
    )
