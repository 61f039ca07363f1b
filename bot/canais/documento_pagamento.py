"""The boleto PDF that goes with a reply carrying a payment link: WhatsApp and Telegram send it as a document.

The engine only writes the link (`mensagens/link_pagamento.j2`); the channel sees our own page link in the text
and attaches the same document the page shows, under the page's token rules (an expired link gets no PDF).
The web chat and e-mail just show the link.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.canais.porta import Documento, TipoCanal
from bot.config.modelos import Config
from bot.pagamentos.pagina import pdf_do_token
from bot.pagamentos.token import FORMATO_TOKEN

log = logging.getLogger(__name__)

CANAIS_COM_ARQUIVO = frozenset({TipoCanal.WHATSAPP, TipoCanal.TELEGRAM})
MIME_PDF = "application/pdf"


def token_do_link(texto: str, url_publica: str) -> str | None:
    """The token of the first link to our payment page in `texto` (the whole token, nothing glued after it)."""
    padrao = re.escape(url_publica.rstrip("/")) + r"/p/(" + FORMATO_TOKEN.pattern + r")(?![A-Za-z0-9_-])"
    achado = re.search(padrao, texto)
    return achado.group(1) if achado else None


async def documento_da_resposta(
    engine: AsyncEngine, config: Config, relogio: Callable[[], datetime], canal: TipoCanal, texto: str
) -> Documento | None:
    """The PDF to send with this reply, or None (no link, a channel without files, or the link no longer valid)."""
    if canal not in CANAIS_COM_ARQUIVO:
        return None
    token = token_do_link(texto, config.web.url_publica)
    if token is None:
        return None
    try:
        gerado = await pdf_do_token(engine, config, relogio, token)
    except Exception:  # the text with the link still goes out: the PDF is a convenience
        log.exception("PDF do boleto não gerado para o envio por %s", canal)
        return None
    if gerado is None:
        log.warning("link de pagamento sem documento válido na resposta por %s: PDF não anexado", canal)
        return None
    return Documento(gerado[0], gerado[1], MIME_PDF)
