"""What the API tells about a debtor: status, agreements and documents, as JSON-ready dicts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.regua import Politica
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Contrato,
    Devedor,
    DocumentoPagamento,
    Parcela,
    SituacaoAcordo,
    SituacaoParcela,
)
from bot.disparo.situacao import pausa_de


def _instante(valor: datetime | None) -> str | None:
    return valor.isoformat() if valor else None


def resumo_devedor(d: Devedor) -> dict[str, Any]:
    return {"id": d.id, "cpf": d.cpf, "nome": d.nome, "uf": d.uf, "segmento": d.segmento}


async def situacao_devedor(s: AsyncSession, d: Devedor, politica: Politica, agora: datetime) -> dict[str, Any]:
    """Contact data, whether collection runs (opt-out, pause), what is open and the active agreement."""
    assert d.id is not None
    parcelas = (
        await s.exec(
            select(Contrato.numero, Parcela)
            .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
            .where(Contrato.devedor_id == d.id)
            .order_by(col(Contrato.numero), col(Parcela.numero))
        )
    ).all()
    ativo = (
        await s.exec(select(Acordo.id).where(Acordo.devedor_id == d.id, Acordo.situacao == SituacaoAcordo.ATIVO.value))
    ).first()
    abertas = [p for _, p in parcelas if p.situacao == SituacaoParcela.ABERTA.value]
    pausa = await pausa_de(s, politica, agora, d.id)
    return resumo_devedor(d) | {
        "telefone": d.telefone,
        "telefone_invalido": d.telefone_invalido,
        "email": d.email,
        "telegram_id": d.telegram_id,
        "optout_em": _instante(d.optout_em),
        "anonimizado_em": _instante(d.anonimizado_em),
        "cobranca": "encerrada (opt-out)" if d.optout_em else ("pausada" if pausa else "ativa"),
        "pausa": pausa,
        "em_aberto": str(sum((p.em_aberto for p in abertas), Decimal("0.00"))),
        "acordo_ativo": ativo,
        "parcelas": [_parcela(numero, p) for numero, p in parcelas],
    }


def _parcela(contrato: str, p: Parcela) -> dict[str, Any]:
    return {
        "contrato": contrato,
        "parcela": p.numero,
        "valor": str(p.valor),
        "vencimento": p.vencimento.isoformat(),
        "situacao": p.situacao,
        "valor_pago": str(p.valor_pago) if p.valor_pago is not None else None,
    }


async def contar(s: AsyncSession, modelo: Any, *filtros: Any) -> int:
    return int((await s.exec(select(func.count()).select_from(modelo).where(*filtros))).one())


async def acordos(s: AsyncSession, devedor_id: int, pagina: int, por_pagina: int) -> tuple[int, list[dict[str, Any]]]:
    total = await contar(s, Acordo, col(Acordo.devedor_id) == devedor_id)
    lista = (
        await s.exec(
            select(Acordo)
            .where(Acordo.devedor_id == devedor_id)
            .order_by(col(Acordo.id))
            .offset((pagina - 1) * por_pagina)
            .limit(por_pagina)
        )
    ).all()
    itens = []
    for a in lista:
        parcelas = await s.exec(
            select(AcordoParcela).where(AcordoParcela.acordo_id == a.id).order_by(col(AcordoParcela.numero))
        )
        soma = select(func.coalesce(func.sum(PagamentoRecebido.valor), 0)).where(PagamentoRecebido.acordo_id == a.id)
        pago = Decimal(str((await s.exec(soma)).one())).quantize(Decimal("0.01"))
        itens.append(_acordo(a, list(parcelas.all()), pago))
    return total, itens


def _acordo(a: Acordo, parcelas: list[AcordoParcela], pago: Decimal) -> dict[str, Any]:
    return {
        "id": a.id,
        "situacao": a.situacao,
        "tipo": a.tipo,
        "valor_original": str(a.valor_original),
        "desconto": str(a.desconto),
        "total": str(a.total),
        "pago": str(pago),
        "criado_em": a.criado_em.isoformat(),
        "parcelas": [
            {"numero": p.numero, "valor": str(p.valor), "vencimento": p.vencimento.isoformat(), "situacao": p.situacao}
            for p in parcelas
        ],
    }


async def documentos(
    s: AsyncSession, devedor_id: int, pagina: int, por_pagina: int
) -> tuple[int, list[dict[str, Any]]]:
    do_devedor = col(DocumentoPagamento.acordo_id).in_(select(Acordo.id).where(Acordo.devedor_id == devedor_id))
    total = await contar(s, DocumentoPagamento, do_devedor)
    lista = (
        await s.exec(
            select(DocumentoPagamento)
            .where(do_devedor)
            .order_by(col(DocumentoPagamento.id))
            .offset((pagina - 1) * por_pagina)
            .limit(por_pagina)
        )
    ).all()
    return total, [
        {
            "id": d.id,
            "acordo_id": d.acordo_id,
            "parcela": d.acordo_parcela_numero,
            "emissao": d.emissao,
            "nosso_numero": d.nosso_numero,
            "valor": str(d.valor),
            "vencimento": d.vencimento.isoformat(),
            "linha_digitavel": d.linha_digitavel,
            "pix": d.pix,
            "criado_em": d.criado_em.isoformat(),
        }
        for d in lista
    ]
