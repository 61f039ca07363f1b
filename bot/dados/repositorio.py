"""Queries the conversation service and the agents' console need, joined explicitly (no lazy loads)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.cobrancas import TokenPagamento
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Contrato,
    Devedor,
    Parcela,
    SituacaoAcordo,
    SituacaoParcela,
    SituacaoTransferencia,
    Transferencia,
)
from bot.formatos import so_digitos


@dataclass(frozen=True, slots=True)
class ParcelaComContrato:
    parcela: Parcela
    contrato_numero: str
    contrato_descricao: str | None


@dataclass(frozen=True, slots=True)
class ItemFila:
    transferencia: Transferencia
    devedor: Devedor


async def devedor_por_cpf(session: AsyncSession, cpf: str) -> Devedor | None:
    """The debtor with this CPF, typed with or without punctuation."""
    consulta = select(Devedor).where(Devedor.cpf == so_digitos(cpf))
    return (await session.exec(consulta)).first()


async def devedor_por_telefone(session: AsyncSession, e164: str) -> list[Devedor]:
    """Debtors reachable at this E.164 number, oldest first.

    A list because families share phones: the caller must confirm identity when there is more than one.
    A number reported wrong (`telefone_invalido`) no longer leads to its debtor.
    """
    consulta = (
        select(Devedor)
        .where(Devedor.telefone == e164, col(Devedor.telefone_invalido).is_(False))
        .order_by(col(Devedor.id))
    )
    return list((await session.exec(consulta)).all())


async def parcelas_abertas(session: AsyncSession, devedor_id: int) -> list[ParcelaComContrato]:
    """The debtor's open installments, earliest due first, with their contract."""
    consulta = (
        select(Parcela, Contrato.numero, Contrato.descricao)
        .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
        .where(Contrato.devedor_id == devedor_id, Parcela.situacao == SituacaoParcela.ABERTA.value)
        .order_by(col(Parcela.vencimento), col(Contrato.numero), col(Parcela.numero))
    )
    return [ParcelaComContrato(*linha) for linha in (await session.exec(consulta)).all()]


async def fila(session: AsyncSession) -> list[ItemFila]:
    """Hand-offs waiting for an agent, oldest first."""
    consulta = (
        select(Transferencia, Devedor)
        .join(Devedor, col(Transferencia.devedor_id) == col(Devedor.id))
        .where(Transferencia.situacao == SituacaoTransferencia.AGUARDANDO.value)
        .order_by(col(Transferencia.criada_em), col(Transferencia.id))
    )
    return [ItemFila(*linha) for linha in (await session.exec(consulta)).all()]


async def acordo_ativo(session: AsyncSession, devedor_id: int) -> tuple[Acordo, list[AcordoParcela]] | None:
    """The debtor's newest active agreement with its installments in order, or None."""
    consulta = (
        select(Acordo)
        .where(Acordo.devedor_id == devedor_id, Acordo.situacao == SituacaoAcordo.ATIVO.value)
        .order_by(col(Acordo.id).desc())
    )
    acordo = (await session.exec(consulta)).first()
    if acordo is None:
        return None
    parcelas = await session.exec(
        select(AcordoParcela).where(AcordoParcela.acordo_id == acordo.id).order_by(col(AcordoParcela.numero))
    )
    return acordo, list(parcelas.all())


async def token_do_documento(s: AsyncSession, documento_id: int | None) -> str | None:
    """The payment page token of a document (None: it has no page)."""
    consulta = select(TokenPagamento.token).where(TokenPagamento.documento_id == documento_id)
    return (await s.exec(consulta)).first()
