"""The payment page's own outcomes: the page opened and its PDF downloaded, each an `Evento` with its instant."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dados.banco import sessao
from bot.dados.modelos import Evento
from bot.dados.passos import TipoPasso

# Link previews fetch the page when the message is sent, before (or without) the debtor opening it:
# counting them would make every sent link look opened.
ROBOS = re.compile(
    r"whatsapp|facebookexternalhit|facebot|telegrambot|twitterbot|slackbot|discordbot|bot\b|crawler|spider|preview",
    re.I,
)


def e_robo(agente: str | None) -> bool:
    """Whether a User-Agent is a link-preview fetcher or a crawler rather than a person's browser."""
    return bool(agente) and ROBOS.search(agente or "") is not None


async def registrar_visita(
    engine: AsyncEngine,
    tipo: TipoPasso,
    devedor_id: int,
    conversa_id: int,
    documento_id: int,
    agente: str | None,
    agora: datetime,
) -> bool:
    """Record one view of the page or download of the PDF; False (nothing stored) for a preview robot."""
    if tipo not in (TipoPasso.PAGINA_ABERTA, TipoPasso.PDF_BAIXADO):
        raise ValueError(f"visita de tipo inesperado: {tipo}")
    if e_robo(agente):
        return False
    dados = {"documento": documento_id}
    async with sessao(engine) as s:
        s.add(Evento(devedor_id=devedor_id, conversa_id=conversa_id, tipo=tipo.value, dados=dados, criado_em=agora))
        await s.commit()
    return True
