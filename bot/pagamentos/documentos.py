"""The one owner of payment documents: every boleto + PIX is numbered, issued and renewed here.

Who asks: the conversation when an agreement is confirmed (`emitir`, in the agreement's own transaction), the
bot before it answers a debtor with an active agreement and the console's "enviar link" (`garantir`: the first
open installment's document, renewed once its page expired), and a payment that opens the next installment.

- **Numbering.** Each document takes the next row of `numero_documento`; the row's id is its nosso número
  (10 digits), and the PIX txid is the convênio followed by it. Numbers are never reused, and the unique
  columns of `documento_pagamento` (nosso número, txid, and installment + `emissao`) make a second issue of
  the same number, or two documents for one installment at once, fail instead of charging twice.
- **Codes.** With the embedded provider the boleto and PIX are computed here, in the same transaction; with a
  PSP the row is stored without codes and `Emissor` asks the PSP for them after the commit.
- **Renewal.** A document whose page expired is replaced by a new one (new number, token and a bank business
  day ahead). With a PSP each renewal is a new charge, so the bot renews only when the debtor asks for the
  document (`renovar=False` otherwise), and the background retrier leaves expired documents alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.boleto_pix.token import novo_token, valido_ate
from bot.calendario import fuso, proximo_dia_util
from bot.config.arquivo import Config
from bot.config.pagamentos import PagamentosConfig
from bot.dados.banco import sessao
from bot.dados.cobrancas import NumeroDocumento, TokenPagamento
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Devedor,
    DocumentoPagamento,
    SituacaoAcordo,
    SituacaoAcordoParcela,
)
from bot.pagamentos.emissao import Emissor
from bot.pagamentos.local import emitir_documento

log = logging.getLogger(__name__)

MAIOR_NOSSO_NUMERO = 9_999_999_999  # 10 digits: the complement of a 7-digit BB convênio


class NumerosEsgotados(RuntimeError):
    """Every 10-digit nosso número was handed out."""


def vencimento_novo(vencimento_parcela: date, hoje: date, uf: str) -> date:
    """The installment's own due date while it is ahead; once past, tomorrow; always a bank business day."""
    return proximo_dia_util(max(vencimento_parcela, hoje + timedelta(days=1)), uf)


async def nosso_numero_novo(s: AsyncSession, agora: datetime) -> str:
    """The next nosso número (10 digits), taken in the caller's transaction; a rolled-back one is skipped."""
    numero = NumeroDocumento(criado_em=agora)
    s.add(numero)
    await s.flush()
    assert numero.id is not None
    if numero.id > MAIOR_NOSSO_NUMERO:
        raise NumerosEsgotados(f"nossos números esgotados: o contador passou de {MAIOR_NOSSO_NUMERO}")
    return f"{numero.id:010d}"


async def emitir(
    s: AsyncSession,
    config: PagamentosConfig,
    acordo: Acordo,
    parcela: AcordoParcela,
    vencimento: date,
    uf: str,
    agora: datetime,
    anterior: DocumentoPagamento | None = None,
) -> DocumentoPagamento:
    """Store a new document (the installment's first, or a renewal of `anterior`) and its page token; not committed.

    `vencimento` must be a bank business day. With a PSP the codes stay empty until `Emissor` fills them.
    The new `emissao` follows the document the caller read, not whatever is there now: a caller that read the
    same state as a concurrent one collides with it on the unique columns instead of issuing one more.
    Raises IntegrityError (at flush) when another caller issued this installment's document at the same time.
    """
    assert acordo.id is not None
    emissao = (anterior.emissao if anterior is not None else 0) + 1
    total = (await s.exec(select(func.count()).where(AcordoParcela.acordo_id == acordo.id))).one()
    nosso_numero = await nosso_numero_novo(s, agora)
    emitido = emitir_documento(
        config, parcela.valor, vencimento, nosso_numero, f"Acordo {acordo.id} parcela {parcela.numero}/{total}", uf
    )
    local = config.provedor == "local"  # with a PSP its own codes replace these (not payable here)
    documento = DocumentoPagamento(
        acordo_id=acordo.id,
        acordo_parcela_numero=parcela.numero,
        emissao=emissao,
        nosso_numero=emitido.nosso_numero,
        txid=emitido.txid,
        valor=emitido.valor,
        vencimento=vencimento,
        codigo_barras=emitido.boleto.codigo_barras if local else "",
        linha_digitavel=emitido.boleto.linha_formatada if local else "",
        pix=emitido.pix if local else "",
        criado_em=agora,
    )
    s.add(documento)
    await s.flush()
    assert documento.id is not None
    validade = valido_ate(vencimento, config.dias_validade_documento)
    s.add(TokenPagamento(token=novo_token(), documento_id=documento.id, valido_ate=validade, criado_em=agora))
    log.info("acordo %s parcela %s: documento %s (emissão %s)", acordo.id, parcela.numero, nosso_numero, emissao)
    return documento


@dataclass(frozen=True)
class Garantido:
    """The first open installment's document and whether it was issued by this call."""

    documento: DocumentoPagamento
    novo: bool


async def garantir_em(
    s: AsyncSession, config: PagamentosConfig, acordo: Acordo, uf: str, agora: datetime, renovar: bool = True
) -> Garantido | None:
    """The active agreement's first open installment's payable document, issued or renewed when needed.

    None when nothing is open, or when the current document expired and `renovar` is False. Not committed.
    """
    assert acordo.id is not None
    if acordo.situacao != SituacaoAcordo.ATIVO.value:
        return None
    consulta = (
        select(AcordoParcela)
        .where(AcordoParcela.acordo_id == acordo.id, AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA)
        .order_by(col(AcordoParcela.numero))
    )
    parcela = (await s.exec(consulta)).first()
    if parcela is None:
        return None
    hoje = agora.astimezone(fuso(uf)).date()
    atual = await documento_atual(s, acordo.id, parcela.numero)
    if atual is not None and await pagina_valida(s, atual, hoje):
        return Garantido(atual, False)
    if atual is not None and not renovar:
        return None
    if atual is None and parcela.vencimento >= hoje:  # the installment's first document: due on its own day
        vencimento = proximo_dia_util(parcela.vencimento, uf)
    else:  # a renewal, or a first document issued after the day: payable from tomorrow
        vencimento = vencimento_novo(parcela.vencimento, hoje, uf)
    return Garantido(await emitir(s, config, acordo, parcela, vencimento, uf, agora, anterior=atual), True)


@dataclass(frozen=True)
class Documentos:
    """`garantir_em` in its own transaction, plus the PSP charge of a document that still has no codes."""

    engine: AsyncEngine
    config: Config
    emissor: Emissor | None = None  # a PSP; None with the local provider

    async def garantir(self, acordo_id: int, agora: datetime, renovar: bool = True) -> int | None:
        """The id of a payable document for the agreement's first open installment, issuing one if needed.

        None when the agreement is not active, nothing is open, the document expired and `renovar` is False,
        or a PSP is configured without a way to call it. A concurrent caller issuing the same document makes
        this one retry and find it.
        """
        if self.config.pagamentos.provedor != "local" and self.emissor is None:
            return None
        for _tentativa in range(2):
            try:
                garantido = await self._garantir(acordo_id, agora, renovar)
            except IntegrityError:
                continue
            if garantido is None:
                return None
            documento_id, sem_codigos = garantido
            if sem_codigos and self.emissor is not None:
                await self.emissor.emitir(documento_id, agora, avisar=False)
            return documento_id
        return None

    async def _garantir(self, acordo_id: int, agora: datetime, renovar: bool) -> tuple[int, bool] | None:
        async with sessao(self.engine) as s:
            acordo = await s.get(Acordo, acordo_id)
            devedor = await s.get(Devedor, acordo.devedor_id) if acordo else None
            if acordo is None or devedor is None:
                return None
            garantido = await garantir_em(s, self.config.pagamentos, acordo, devedor.uf, agora, renovar)
            if garantido is None:
                return None
            if garantido.novo:
                await s.commit()
            assert garantido.documento.id is not None
            return garantido.documento.id, not garantido.documento.pix


async def documento_atual(s: AsyncSession, acordo_id: int, parcela: int) -> DocumentoPagamento | None:
    """The installment's latest document: renewals supersede the earlier ones."""
    consulta = (
        select(DocumentoPagamento)
        .where(DocumentoPagamento.acordo_id == acordo_id, DocumentoPagamento.acordo_parcela_numero == parcela)
        .order_by(col(DocumentoPagamento.emissao).desc())
    )
    return (await s.exec(consulta)).first()


async def pagina_valida(s: AsyncSession, documento: DocumentoPagamento, hoje: date) -> bool:
    """Its page still opens today, in the debtor's zone (a document without a page token never expires)."""
    consulta = select(col(TokenPagamento.valido_ate)).where(TokenPagamento.documento_id == documento.id)
    ate = (await s.exec(consulta)).first()
    return ate is None or hoje <= ate
