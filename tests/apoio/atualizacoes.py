"""Real provider payloads stored in tests/data/updates (WhatsApp and Telegram), loaded by name."""

from __future__ import annotations

import json
from typing import Any

from tests.apoio.projetos import RAIZ

UPDATES = RAIZ / "tests" / "data" / "updates"


def carregar(nome: str) -> dict[str, Any]:
    dados: dict[str, Any] = json.loads((UPDATES / nome).read_text(encoding="utf-8"))
    return dados
