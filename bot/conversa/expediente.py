"""When the team answers: the régua's contact hours for the debtor's UF (weekdays, no holidays), told in words."""

from __future__ import annotations

from datetime import datetime

from bot.calendario import fuso
from bot.config.regua import Politica
from bot.regua.politica_contato import proximo_permitido

MENSAGEM_FORA_DO_HORARIO = "fora_do_horario"
_DIAS = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


def proximo_atendimento(politica: Politica, uf: str, agora: datetime) -> datetime | None:
    """The instant the team is next at work in the debtor's zone, or None when it is at work now."""
    quando, motivo = proximo_permitido(politica, uf, agora, ())
    return None if motivo is None else quando


def quando_em_palavras(quando: datetime, agora: datetime, uf: str) -> str:
    """`hoje, às 9h`, `amanhã, às 9h`, `segunda, às 9h30` or `02/01, às 9h`, in the debtor's zone."""
    zona = fuso(uf)
    local, hoje = quando.astimezone(zona), agora.astimezone(zona).date()
    hora = f"{local.hour}h{local.minute:02d}" if local.minute else f"{local.hour}h"
    dias = (local.date() - hoje).days
    if dias == 0:
        dia = "hoje"
    elif dias == 1:
        dia = "amanhã"
    elif dias < 7:
        dia = _DIAS[local.weekday()]
    else:
        dia = f"{local:%d/%m}"
    return f"{dia}, às {hora}"


def retorno_da_equipe(politica: Politica, uf: str, agora: datetime) -> str:
    """What templates call `retorno_equipe`: when a person will answer ("agora" within business hours)."""
    quando = proximo_atendimento(politica, uf, agora)
    return "agora" if quando is None else quando_em_palavras(quando, agora, uf)
