"""Telegram for the tests: the webhook secret, a text update from a chosen chat, the fake Bot API (`bot_api`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from tests.apoio.atualizacoes import carregar
from tests.apoio.falsos.bot_api import FalsoBotApi

SEGREDO = "segredo-tg"
CHAT = 777000111  # Maria's chat in tests/data/updates/telegram_*.json


def escrito(texto: str, numero: int, chat: int = CHAT) -> dict[str, Any]:
    update: dict[str, Any] = json.loads(json.dumps(carregar("telegram_texto.json")).replace(str(CHAT), str(chat)))
    update["update_id"] += 100 + numero
    update["message"]["message_id"] += numero
    update["message"]["text"] = texto
    return update


@pytest.fixture
async def bot_api() -> AsyncIterator[tuple[FalsoBotApi, str]]:
    """The fake Bot API on a loopback port, and its base URL; requests it holds are let go at the end."""
    falso = FalsoBotApi()
    async with TestServer(falso.app()) as servidor:
        yield falso, str(servidor.make_url("")).rstrip("/")
        falso.solto.set()
