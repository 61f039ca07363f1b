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

from bot.dados.modelos import Acordo, Contrato, Devedor, Parcela
from bot.dados.pagamentos import PagamentoRecebido
from bot.dados.saida import Saida
from bot.resultados.curvas import Carteira

FUSO_GESTAO = ZoneInfo("America/Sao_Paulo")
_D: Any = Devedor.__table__  # type: ignore[attr-defined]
_CT: Any = Contrato.__table__  # type: ignore[attr-defined]
_PA: Any = Parcela.__table__  # type: ignore[attr-defined]
_A: Any = Acordo.__table__  # type: ignore[attr-defined]
_P: Any = PagamentoRecebido.__table__  # type: ignore[attr-defined]
_S: Any = Saida.__table__  # type: ignore[attr-defined]


class Agrupamento(StrEnum):
    SAFRA = "safra"  # month of placement
    SEGMENTO = "segmento"  # the portfolio's `segmento` column
    PASSO = "passo"  # the régua step of the debtor's first reminder sent


SEM_SEGMENTO, SEM_LEMBRETE = "(sem segmento)", "(sem lembrete)"


async def _executar(s: AsyncSession, consulta: Any) -> Sequence[Any]:
    return (await (await s.connection()).execute(consulta)).all()


async def _primeiros_passos(s: AsyncSession) -> dict[int, str]:
    primeiro = (
        sa_select(_S.c.devedor_id, func.min(_S.c.enviada_em).label("em"))
        .where(_S.c.enviada_em.is_not(None))
        .group_by(_S.c.devedor_id)
        .subquery()
    )
    consulta = sa_select(_S.c.devedor_id, func.min(_S.c.passo)).join(
        primeiro, (primeiro.c.devedor_id == _S.c.devedor_id) & (primeiro.c.em == _S.c.enviada_em)
    )
    return {d: passo for d, passo in await _executar(s, consulta.group_by(_S.c.devedor_id))}


def _nome(agrupamento: Agrupamento, criado: datetime, segmento: str | None, passo: str | None) -> str:
    if agrupamento is Agrupamento.SAFRA:
        return criado.astimezone(FUSO_GESTAO).strftime("%Y-%m")
    if agrupamento is Agrupamento.SEGMENTO:
        return segmento or SEM_SEGMENTO
    return passo or SEM_LEMBRETE


async def carregar(s: AsyncSession, agrupamento: Agrupamento, agora: datetime) -> Carteira:
    """The columns of `curvas.curvas` for every debtor, grouped by `agrupamento`, ages counted to `agora`."""
    colocado = func.coalesce(func.sum(type_coerce(_PA.c.valor, BigInteger)), 0)
    devedores = await _executar(
        s,
        sa_select(_D.c.id, _D.c.criado_em, _D.c.segmento, colocado)
        .select_from(_D)
        .join(_CT, _CT.c.devedor_id == _D.c.id, isouter=True)
        .join(_PA, _PA.c.contrato_id == _CT.c.id, isouter=True)
        .group_by(_D.c.id, _D.c.criado_em, _D.c.segmento)
        .order_by(_D.c.id),
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
        sa_select(_A.c.devedor_id, _P.c.pago_em, type_coerce(_P.c.valor, BigInteger))
        .select_from(_P)
        .join(_A, _A.c.id == _P.c.acordo_id),
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
