"""The boleto PDF that goes with a reply carrying a payment document: WhatsApp and Telegram send it as a file.

The reply says which document it shows (`Resposta.documento`, stored as `Mensagem.documento_id`); the channel
attaches that document's PDF under the page's token rules (an expired page gets no PDF). The web chat and e-mail
just show the link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.arquivo import Config
from bot.pagamentos.pagina import pdf_do_documento
from bot.porta import Documento, TipoCanal

log = logging.getLogger(__name__)

CANAIS_COM_ARQUIVO = frozenset({TipoCanal.WHATSAPP, TipoCanal.TELEGRAM})
MIME_PDF = "application/pdf"


async def anexo_do_documento(
    engine: AsyncEngine, config: Config, relogio: Callable[[], datetime], canal: TipoCanal, documento_id: int | None
) -> Documento | None:
    """The PDF to send with a reply showing document `documento_id`, or None (no document, a channel without
    files, or a page no longer valid)."""
    if documento_id is None or canal not in CANAIS_COM_ARQUIVO:
        return None
    try:
        gerado = await pdf_do_documento(engine, config, relogio, documento_id)
    except Exception:  # the text with the link still goes out: the PDF is a convenience
        log.exception("PDF do boleto não gerado para o envio por %s", canal)
        return None
    if gerado is None:
        log.warning("documento %s sem página válida na resposta por %s: PDF não anexado", documento_id, canal)
        return None
    return Documento(gerado[0], gerado[1], MIME_PDF)
