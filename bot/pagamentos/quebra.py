"""`python -m bot quebrar-acordos`: agreements with an installment too late are broken, the original debt reopens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.calendario import fuso
from bot.dados.banco import sessao
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
from bot.pagamentos.baixa import acordo_quebrado


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
            origem = select(Parcela).join(AcordoOrigem, col(AcordoOrigem.parcela_id) == col(Parcela.id))
            for original in (await s.exec(origem.where(AcordoOrigem.acordo_id == acordo.id))).all():
                if original.situacao == SituacaoParcela.NEGOCIADA:
                    original.situacao = SituacaoParcela.ABERTA.value
                    s.add(original)
            dados = {"acordo": acordo.id, "dias_para_quebra": dias_para_quebra}
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
    print(f"{quebrados} acordo(s) quebrado(s); dívida original reaberta.", file=saida)
    return 0
