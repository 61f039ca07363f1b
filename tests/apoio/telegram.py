"""Telegram updates for the tests: the webhook secret and a text message from a chosen chat."""

from __future__ import annotations

import json
from typing import Any

from tests.apoio.atualizacoes import carregar

SEGREDO = "segredo-tg"


CHAT = 777000111


def escrito(texto: str, numero: int, chat: int = CHAT) -> dict[str, Any]:
    update: dict[str, Any] = json.loads(json.dumps(carregar("telegram_texto.json")).replace(str(CHAT), str(chat)))
    update["update_id"] += 100 + numero
    update["message"]["message_id"] += numero
    update["message"]["text"] = texto
    return update
