"""A valid `[pagamentos]` block (local provider), as the TOML loader would hand it over."""

from __future__ import annotations

from typing import Any

CONFIG: dict[str, Any] = {
    "agencia": "1234",
    "conta": "12345-6",
    "convenio": "1234567",
    "carteira": "17",
    "pix_chave": "cobranca@exemplo.com.br",
    "pix_nome": "Águas Claras Comércio",
    "pix_cidade": "São Paulo",
}
