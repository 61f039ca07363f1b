"""Keep an active agreement payable: its first open installment always has a document whose page still opens.

Called after a payment (the next installment gets its document) and before the bot answers the debtor (a
"2ª via" after the page expired gets a fresh document, token and business-day due date, never the dead link).
With a PSP the codes come from it through the `Provedor` port (`Emissor`); the local provider computes them here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendario import fuso, proximo_dia_util
from bot.config.modelos import Config
from bot.dados.banco import sessao
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Devedor,
    DocumentoPagamento,
    SituacaoAcordo,
    SituacaoAcordoParcela,
)
from bot.dados.pagamentos import TokenPagamento
from bot.pagamentos.emissao import Emissor
from bot.pagamentos.local import emitir_documento
from bot.pagamentos.token import novo_token, valido_ate

log = logging.getLogger(__name__)

# The engine numbers a conversation's agreements 001…499 after the 7-digit conversation prefix of the nosso
# número; documents issued later (next installments, renewals) take 500…999 of the same prefix.
SUFIXO_INICIAL = 500
SUFIXO_FINAL = 999


def vencimento_novo(vencimento_parcela: date, hoje: date, uf: str) -> date:
    """The installment's own due date while it is ahead; once past, tomorrow; always a bank business day."""
    return proximo_dia_util(max(vencimento_parcela, hoje + timedelta(days=1)), uf)


def proximo_sufixo(existentes: list[str]) -> int:
    """The next free suffix (last 3 digits) of the prefix's later documents; ValueError when all are used."""
    usados = [int(n[7:]) for n in existentes if int(n[7:]) >= SUFIXO_INICIAL]
    proximo = max(usados, default=SUFIXO_INICIAL - 1) + 1
    if proximo > SUFIXO_FINAL:
        raise ValueError(f"nossos números esgotados para o prefixo (últimos 3 dígitos até {SUFIXO_FINAL})")
    return proximo


@dataclass(frozen=True)
class Documentos:
    engine: AsyncEngine
    config: Config
    emissor: Emissor | None = None  # a PSP; None with the local provider

    async def garantir(self, acordo_id: int, agora: datetime) -> int | None:
        """The id of a payable document for the agreement's first open installment, issuing one if needed.

        None when the agreement is not active, nothing is open, or a PSP is configured without a way to call it.
        A concurrent caller issuing the same document makes this one retry and find it.
        """
        if self.config.pagamentos.provedor != "local" and self.emissor is None:
            return None
        for _tentativa in range(2):
            try:
                documento_id, emitir = await self._garantir(acordo_id, agora)
            except IntegrityError:
                continue
            if emitir and documento_id is not None and self.emissor is not None:
                await self.emissor.emitir(documento_id, agora, avisar=False)
            return documento_id
        return None

    async def _garantir(self, acordo_id: int, agora: datetime) -> tuple[int | None, bool]:
        """The document and whether the PSP still has to issue its charge (new, or an earlier call failed)."""
        async with sessao(self.engine) as s:
            acordo = await s.get(Acordo, acordo_id)
            if acordo is None or acordo.situacao != SituacaoAcordo.ATIVO.value:
                return None, False
            devedor = await s.get(Devedor, acordo.devedor_id)
            assert devedor is not None
            consulta = (
                select(AcordoParcela)
                .where(AcordoParcela.acordo_id == acordo_id, AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA)
                .order_by(col(AcordoParcela.numero))
            )
            parcela = (await s.exec(consulta)).first()
            if parcela is None:
                return None, False
            hoje = agora.astimezone(fuso(devedor.uf)).date()
            atual = await documento_atual(s, acordo_id, parcela.numero)
            if atual is not None and atual.id is not None and await _valido(s, atual.id, hoje):
                return atual.id, not atual.pix
            documento = await self._novo(s, acordo, parcela, devedor.uf, hoje, agora)
            await s.commit()
            log.info("acordo %s parcela %s: novo documento %s", acordo_id, parcela.numero, documento.nosso_numero)
            return documento.id, True

    async def _novo(
        self, s: AsyncSession, acordo: Acordo, parcela: AcordoParcela, uf: str, hoje: date, agora: datetime
    ) -> DocumentoPagamento:
        prefixo = f"{acordo.conversa_id % 10_000_000:07d}"
        existentes = select(DocumentoPagamento.nosso_numero).where(
            col(DocumentoPagamento.nosso_numero).startswith(prefixo)
        )
        nosso_numero = f"{prefixo}{proximo_sufixo(list((await s.exec(existentes)).all())):03d}"
        total = len((await s.exec(select(AcordoParcela.id).where(AcordoParcela.acordo_id == acordo.id))).all())
        vencimento = vencimento_novo(parcela.vencimento, hoje, uf)
        pagamentos = self.config.pagamentos
        emitido = emitir_documento(
            pagamentos, parcela.valor, vencimento, nosso_numero, f"Acordo parcela {parcela.numero}/{total}", uf
        )
        local = pagamentos.provedor == "local"  # with a PSP its own codes replace these (not payable here)
        documento = DocumentoPagamento(
            acordo_id=acordo.id or 0,
            acordo_parcela_numero=parcela.numero,
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
        validade = valido_ate(vencimento, pagamentos.dias_validade_documento)
        s.add(TokenPagamento(token=novo_token(), documento_id=documento.id, valido_ate=validade, criado_em=agora))
        return documento


async def documento_atual(s: AsyncSession, acordo_id: int, parcela: int) -> DocumentoPagamento | None:
    """The installment's latest document: renewals supersede the earlier ones."""
    consulta = (
        select(DocumentoPagamento)
        .where(DocumentoPagamento.acordo_id == acordo_id, DocumentoPagamento.acordo_parcela_numero == parcela)
        .order_by(col(DocumentoPagamento.id).desc())
    )
    return (await s.exec(consulta)).first()


async def _valido(s: AsyncSession, documento_id: int, hoje: date) -> bool:
    """Its page still opens today (a document without a page token never expires)."""
    token = (await s.exec(select(TokenPagamento).where(TokenPagamento.documento_id == documento_id))).first()
    return token is None or hoje <= token.valido_ate
