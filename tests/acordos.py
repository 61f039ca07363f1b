"""Test data: an active agreement of two R$ 100 installments (24/11 and 24/12/2026) for a debtor, without documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.modelos import Acordo, AcordoParcela, Conversa

VENCIMENTOS = (date(2026, 11, 24), date(2026, 12, 24))


async def acordo_em_duas_parcelas(s: AsyncSession, devedor_id: int, chave: str, canal: str = "web") -> int:
    """Add the agreement (and the conversation it was closed in) to the session, flushed; returns its id."""
    conversa = Conversa(devedor_id=devedor_id, canal=canal, estado="pagamento")
    s.add(conversa)
    await s.flush()
    assert conversa.id is not None
    acordo = Acordo(devedor_id=devedor_id, conversa_id=conversa.id, faixa="f", opcao=1, tipo="parcelado",
                    valor_original=Decimal(200), desconto=Decimal(0), valor_negociado=Decimal(200),
                    total=Decimal(200), juros_mensal_percentual="0", chave=chave)  # fmt: skip
    s.add(acordo)
    await s.flush()
    assert acordo.id is not None
    for numero, vencimento in enumerate(VENCIMENTOS, start=1):
        s.add(AcordoParcela(acordo_id=acordo.id, numero=numero, valor=Decimal(100), vencimento=vencimento))
    return acordo.id
