"""The shipped project pointed at the local fakes: chat channels, SMS."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.projeto import Projeto, carregar_projeto

INALCANCAVEL = "http://127.0.0.1:9"  # the discard port: a channel without a fake fails fast


def com_canais(projeto: Projeto, graph_url: str = "", bot_api_url: str = "", **canais_extra: Any) -> Projeto:
    """The project with WhatsApp and Telegram pointed at local fakes (and `canais_extra`: pasta_anexos, ...)."""
    canais = projeto.config.canais.model_copy(
        update=canais_extra
        | {
            "whatsapp": projeto.config.canais.whatsapp.model_copy(
                update={"id_telefone": "106540352242922", "api_base_url": graph_url or INALCANCAVEL}
            ),
            "telegram": projeto.config.canais.telegram.model_copy(
                update={"api_base_url": f"{bot_api_url or INALCANCAVEL}/bot"}
            ),
        }
    )
    return replace(projeto, config=projeto.config.model_copy(update={"canais": canais}))


def com_sms(projeto: Projeto, url: str) -> Projeto:
    """The project with SMS on (Zenvia), sending to the fake at `url`."""
    canais = projeto.config.canais
    sms = canais.sms.model_copy(update={"remetente": "cobranca-loja", "api_base_url": url})
    config = projeto.config.model_copy(update={"canais": canais.model_copy(update={"sms": sms})})
    return replace(projeto, config=config)


RAIZ = Path(__file__).resolve().parents[2]  # the repository: tests/apoio/projetos.py


@lru_cache(maxsize=1)
def projeto_padrao() -> Projeto:
    return carregar_projeto(RAIZ / "config.toml")
