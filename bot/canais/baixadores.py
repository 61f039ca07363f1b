"""Fetching a debtor's file from each provider, with its real client: the `Baixador`s of `bot/canais/midia.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.canais.midia import Midia, MidiaGrande, MidiaIndisponivel

if TYPE_CHECKING:  # each provider's library loads only when its channel is on (bot/canais/webhooks.py)
    from pywa_async.client import WhatsApp
    from telegram import Bot


class BaixadorWhatsapp:
    """Cloud API: GET /{media-id} gives a short-lived URL, size and sha256; GET that URL (bearer token) the bytes."""

    def __init__(self, cliente: Callable[[], WhatsApp]) -> None:
        self._cliente = cliente  # built at the first download: pywa loads only when a debtor sends a file

    @property
    def cliente(self) -> WhatsApp:
        return self._cliente()

    async def baixar(self, id_midia: str, limite: int) -> Midia:
        import httpx
        from pywa_async.errors import WhatsAppError

        try:
            info = await self.cliente.get_media_url(id_midia)
        except WhatsAppError as erro:
            raise MidiaIndisponivel(f"WhatsApp {erro.code}: {erro.message}") from erro
        except httpx.TransportError as erro:
            raise MidiaIndisponivel(f"WhatsApp inacessível: {type(erro).__name__}") from erro
        if info.file_size and info.file_size > limite:
            raise MidiaGrande(info.file_size)
        conteudo = bytearray()
        try:
            async for parte in self.cliente.stream_media(info.url):
                conteudo += parte
                if len(conteudo) > limite:  # the metadata may lie or be missing: stop reading anyway
                    raise MidiaGrande(None)
        except httpx.HTTPStatusError as erro:
            raise MidiaIndisponivel(f"WhatsApp: download respondeu HTTP {erro.response.status_code}") from erro
        except httpx.TransportError as erro:
            raise MidiaIndisponivel(f"WhatsApp: download falhou ({type(erro).__name__})") from erro
        return Midia(bytes(conteudo), info.mime_type, info.sha256)


class BaixadorTelegram:
    """Bot API: getFile gives the file's path (and size); the bytes come from {base}/file/bot<token>/<path>."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def baixar(self, id_midia: str, limite: int) -> Midia:
        from telegram.error import BadRequest, TelegramError

        try:
            arquivo = await self.bot.get_file(id_midia)
            if arquivo.file_size and arquivo.file_size > limite:
                raise MidiaGrande(arquivo.file_size)
            conteudo = await arquivo.download_as_bytearray()
        except BadRequest as erro:
            if "too big" in erro.message.lower():  # the Bot API serves files up to 20 MB
                raise MidiaGrande(None) from erro
            raise MidiaIndisponivel(f"Telegram: {erro.message}") from erro
        except TelegramError as erro:
            raise MidiaIndisponivel(f"Telegram: {erro.message}") from erro
        if len(conteudo) > limite:
            raise MidiaGrande(len(conteudo))
        return Midia(bytes(conteudo))
