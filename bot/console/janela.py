"""WhatsApp's 24-hour window: free text only within 24 h of the debtor's last message, else an approved template."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.config.console import ConsoleConfig
from bot.porta import Envio, TipoCanal

JANELA = timedelta(hours=24)


def janela_aberta(canal: str, ultima_entrada: datetime | None, agora: datetime) -> bool:
    """Free text may go out: any channel but WhatsApp, or a debtor message within the last 24 h."""
    if canal != TipoCanal.WHATSAPP:
        return True
    return ultima_entrada is not None and agora - ultima_entrada < JANELA


def como_modelo(envio: Envio, config: ConsoleConfig, valores: dict[str, str]) -> Envio:
    """The same send as the approved re-opening template, with its parameters in the configured order."""
    parametros = tuple(valores[nome] for nome in config.parametros_whatsapp)
    return replace(envio, modelo=config.modelo_whatsapp, parametros=parametros, chave=f"{envio.chave}-modelo")
