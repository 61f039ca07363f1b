"""A local SMTP server that keeps what it receives (fixture `smtp`), for the e-mail channel."""

from __future__ import annotations

import email
from email.message import Message
from typing import Any


class Caixa:
    def __init__(self) -> None:
        self.recebidas: list[Message] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@invalido.example"):
            return "550 5.1.1 caixa inexistente"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recebidas.append(email.message_from_bytes(envelope.content))
        return "250 OK"



def textos(mensagem: Message) -> dict[str, str]:
    """The decoded text of each leaf part of a received message, by content type."""
    partes: dict[str, str] = {}
    for parte in mensagem.walk():
        corpo = parte.get_payload(decode=True)
        if not parte.is_multipart():
            assert isinstance(corpo, bytes), parte.get_content_type()
            partes[parte.get_content_type()] = corpo.decode()
    return partes
