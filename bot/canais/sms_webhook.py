"""What Zenvia posts to our SMS webhook (subscription events MESSAGE and MESSAGE_STATUS), read without I/O.

Zenvia signs nothing: the subscription is created with a secret header (`webhook.headers`), `X-Webhook-Token`,
compared in constant time. One event per request; its `id` makes it unique (Zenvia retries delivery).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.canais.whatsapp_webhook import CorpoInvalido, StatusRecebido, Unidade

CABECALHO_SEGREDO = "X-Webhook-Token"

# Zenvia's status codes → ours (the same words as WhatsApp's, so the message shows the most advanced one).
STATUS = {"SENT": "sent", "DELIVERED": "delivered", "READ": "read", "NOT_DELIVERED": "failed", "REJECTED": "failed"}

# Words that stop all messages when they are the whole SMS (the convention of Brazilian SMS: "SAIR", "PARAR").
PALAVRAS_DE_SAIDA = frozenset({"SAIR", "PARAR", "PARE", "STOP", "CANCELAR", "DESCADASTRAR"})


def _texto(no: Mapping[str, Any], chave: str) -> str | None:
    valor = no.get(chave)
    return valor if isinstance(valor, str) and valor.strip() else None


def unidade_sms(payload: Any) -> Unidade:
    """The stored unit of one event: a debtor's message (ordered by number) or a delivery status."""
    if not isinstance(payload, dict):
        raise CorpoInvalido("esperado um objeto JSON (evento da Zenvia)")
    tipo, id_evento = payload.get("type"), _texto(payload, "id")
    if id_evento is None:
        raise CorpoInvalido("evento sem id")
    if tipo == "MESSAGE":
        mensagem = payload.get("message")
        if not isinstance(mensagem, dict) or not _texto(mensagem, "id") or not _texto(mensagem, "from"):
            raise CorpoInvalido("message: sem id ou remetente (from)")
        if mensagem.get("direction", "IN") != "IN":
            raise CorpoInvalido("message.direction: esperado IN (uma mensagem recebida)")
        return Unidade("mensagem", str(mensagem["id"]), dict(payload))
    if tipo == "MESSAGE_STATUS":
        situacao = payload.get("messageStatus")
        if not _texto(payload, "messageId") or not isinstance(situacao, dict) or not _texto(situacao, "code"):
            raise CorpoInvalido("MESSAGE_STATUS sem messageId ou messageStatus.code")
        _instante(situacao.get("timestamp") or payload.get("timestamp"))
        return Unidade("status", f"{payload['messageId']}:{situacao['code']}", dict(payload))
    raise CorpoInvalido(f"type: esperado MESSAGE ou MESSAGE_STATUS, veio {tipo!r}")


def remetente_sms(corpo: Mapping[str, Any]) -> str:
    """The phone the message came from, digits only with the country code (as Zenvia writes it)."""
    return re.sub(r"\D", "", str(corpo["message"]["from"]))


def texto_sms(corpo: Mapping[str, Any]) -> str:
    """The text contents of a stored MESSAGE, joined; anything else (an MMS file) reads as empty."""
    conteudos = corpo["message"].get("contents")
    partes = [c.get("text") for c in conteudos if isinstance(c, dict)] if isinstance(conteudos, list) else []
    return "\n".join(p for p in partes if isinstance(p, str))


def pede_saida(texto: str) -> bool:
    """"SAIR", "parar.", " Pare! ": the whole SMS is one stop word (accents, case and punctuation aside)."""
    sem_acento = "".join(c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z]", "", sem_acento).upper() in PALAVRAS_DE_SAIDA


def _instante(texto: Any) -> datetime:
    if not isinstance(texto, str):
        raise CorpoInvalido(f"timestamp inválido: {texto!r}")
    try:
        instante = datetime.fromisoformat(texto.replace("Z", "+00:00"))
    except ValueError:
        raise CorpoInvalido(f"timestamp inválido: {texto!r}") from None
    return instante if instante.tzinfo else instante.replace(tzinfo=UTC)


def status_sms(corpo: Mapping[str, Any]) -> StatusRecebido:
    """A stored MESSAGE_STATUS as a delivery report: Zenvia's code mapped, a failure's cause kept."""
    situacao = corpo["messageStatus"]
    codigo = str(situacao["code"])
    causas = situacao.get("causes")
    causa = causas[0] if isinstance(causas, list) and causas and isinstance(causas[0], dict) else {}
    detalhe = _texto(causa, "reason") or _texto(situacao, "description")
    erro = _texto(causa, "channelErrorCode")
    instante = _instante(situacao.get("timestamp") or corpo.get("timestamp"))
    return StatusRecebido(str(corpo["messageId"]), STATUS.get(codigo, codigo.lower()), instante, erro, detalhe)
