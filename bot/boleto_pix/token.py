"""Payment-page tokens: 192 random bits, URL-safe, and the link built from the public base URL."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

BYTES_TOKEN = 24  # 192 bits: well above the 128 an unguessable link needs
FORMATO_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def novo_token() -> str:
    """A fresh token; drawn by the adapter (the engine never draws randomness)."""
    return secrets.token_urlsafe(BYTES_TOKEN)


def link_pagamento(url_publica: str, token: str) -> str:
    return f"{url_publica.rstrip('/')}/p/{token}"


def valido_ate(vencimento: date, dias_validade: int) -> date:
    """The page (and the boleto) stays payable `dias_validade` days after the due date."""
    return vencimento + timedelta(days=dias_validade)
