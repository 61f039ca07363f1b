"""`python -m bot quebrar-acordos`: agreements with an installment too late are broken, the original debt reopens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select

from bot.boleto_pix.baixa import acordo_quebrado, distribuir
from bot.calendario import fuso
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import (
    Acordo,
    AcordoOrigem,
    AcordoParcela,
    Devedor,
    Evento,
    Parcela,
    SituacaoAcordo,
    SituacaoAcordoParcela,
    SituacaoParcela,
)


async def quebrar_acordos(
    engine: AsyncEngine, dias_para_quebra: int, relogio: Callable[[], datetime], saida: TextIO
) -> int:
    """Check every active agreement once; running it again changes nothing (only active ones are looked at)."""
    agora, quebrados = relogio(), 0
    async with sessao(engine) as s:
        ativos = await s.exec(
            select(Acordo, Devedor)
            .join(Devedor, col(Acordo.devedor_id) == col(Devedor.id))
            .where(Acordo.situacao == SituacaoAcordo.ATIVO.value)
        )
        for acordo, devedor in ativos.all():
            parcelas = await s.exec(
                select(AcordoParcela).where(
                    AcordoParcela.acordo_id == acordo.id, AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA.value
                )
            )
            abertas = [p.vencimento for p in parcelas.all()]
            if not acordo_quebrado(abertas, agora.astimezone(fuso(devedor.uf)).date(), dias_para_quebra):
                continue
            acordo.situacao = SituacaoAcordo.QUEBRADO.value
            s.add(acordo)
            origem = (
                select(Parcela)
                .join(AcordoOrigem, col(AcordoOrigem.parcela_id) == col(Parcela.id))
                .where(AcordoOrigem.acordo_id == acordo.id, Parcela.situacao == SituacaoParcela.NEGOCIADA.value)
                .order_by(col(Parcela.vencimento), col(Parcela.id))
            )
            pago = (
                await s.exec(
                    select(func.coalesce(func.sum(PagamentoRecebido.valor), 0)).where(
                        PagamentoRecebido.acordo_id == acordo.id
                    )
                )
            ).one()
            abatido = _reabrir((await s.exec(origem)).all(), Decimal(str(pago)), agora)
            s.add_all(abatido)
            dados = {"acordo": acordo.id, "dias_para_quebra": dias_para_quebra, "abatido": str(Decimal(str(pago)))}
            s.add(
                Evento(
                    devedor_id=devedor.id or 0,
                    conversa_id=acordo.conversa_id,
                    tipo="acordo_quebrado",
                    dados=dados,
                    criado_em=agora,
                )
            )
            quebrados += 1
        await s.commit()
    print(f"{quebrados} acordo(s) quebrado(s); dívida original reaberta, abatido o que já foi pago.", file=saida)
    return 0


def _reabrir(originais: Sequence[Parcela], pago: Decimal, agora: datetime) -> Sequence[Parcela]:
    """The original installments open again, less what was paid on the agreement (oldest first): an installment
    the payments cover is paid, one they cover in part stays open for the rest (`valor_pago`)."""
    restantes = [p.em_aberto for p in originais]
    situacao = distribuir(restantes, pago)
    for indice, original in enumerate(originais):
        if situacao.pago[indice]:
            original.valor_pago = (original.valor_pago or Decimal("0.00")) + situacao.pago[indice]
        if situacao.paga(indice, restantes):
            original.situacao, original.pago_em = SituacaoParcela.PAGA.value, agora
        else:
            original.situacao = SituacaoParcela.ABERTA.value
    return originais
