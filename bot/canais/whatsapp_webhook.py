"""What the WhatsApp Cloud API posts to our webhook, read without I/O.

A webhook body may batch several messages and statuses (and pywa handles only the first status of a batch,
pywa #229), so the body is split here into units, each with the provider id that makes it unique.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CABECALHO_ASSINATURA = "X-Hub-Signature-256"


class CorpoInvalido(ValueError):
    """The body is JSON but not a WhatsApp Business webhook."""


@dataclass(frozen=True)
class Unidade:
    tipo: str  # "mensagem" or "status"
    id_externo: str
    corpo: dict[str, Any]


@dataclass(frozen=True)
class Midia:
    id: str
    mime: str | None
    nome: str | None
    legenda: str | None


@dataclass(frozen=True)
class MensagemRecebida:
    id: str
    de: str  # wa_id: digits, country code first, as WhatsApp knows the number
    tipo: str
    texto: str
    opcao: str | None = None
    midia: Midia | None = None


@dataclass(frozen=True)
class StatusRecebido:
    id: str  # the wamid of our outbound message
    status: str
    instante: datetime
    codigo: str | None = None
    detalhe: str | None = None


def assinatura_valida(segredo: str, corpo: bytes, cabecalho: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time."""
    esperado = "sha256=" + hmac.new(segredo.encode(), corpo, hashlib.sha256).hexdigest()
    return hmac.compare_digest(esperado.encode(), cabecalho.strip().encode())


def unidades(payload: Any) -> list[Unidade]:
    """Every message and every status of a webhook body, in order."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise CorpoInvalido("esperado object = whatsapp_business_account")
    return list(_unidades(payload))


def _valores(payload: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for entrada in payload.get("entry") or []:
        for mudanca in (entrada or {}).get("changes") or []:
            if isinstance(mudanca, dict) and mudanca.get("field") == "messages":
                yield mudanca.get("value") or {}


def _unidades(payload: Mapping[str, Any]) -> Iterator[Unidade]:
    for valor in _valores(payload):
        for mensagem in valor.get("messages") or []:
            if not isinstance(mensagem, dict) or not mensagem.get("id") or not mensagem.get("from"):
                raise CorpoInvalido("mensagem sem id ou remetente")
            yield Unidade("mensagem", str(mensagem["id"]), dict(mensagem))
        for status in valor.get("statuses") or []:
            if not isinstance(status, dict) or not status.get("id") or not status.get("status"):
                raise CorpoInvalido("status sem id ou situação")
            yield Unidade("status", f"{status['id']}:{status['status']}", dict(status))


def _texto_e_opcao(corpo: Mapping[str, Any]) -> tuple[str, str | None]:
    tipo = corpo.get("type")
    if tipo == "text":
        return str((corpo.get("text") or {}).get("body", "")), None
    if tipo == "interactive":
        interativo = corpo.get("interactive") or {}
        escolha = interativo.get("button_reply") or interativo.get("list_reply") or {}
        return str(escolha.get("title", "")), (str(escolha["id"]) if escolha.get("id") else None)
    if tipo == "button":  # quick reply of a template
        botao = corpo.get("button") or {}
        return str(botao.get("text", "")), (str(botao["payload"]) if botao.get("payload") else None)
    return "", None


def ler_mensagem(corpo: Mapping[str, Any]) -> MensagemRecebida:
    tipo = str(corpo.get("type", "unsupported"))
    texto, opcao = _texto_e_opcao(corpo)
    midia = None
    if tipo in ("image", "document") and isinstance(corpo.get(tipo), dict):
        dados = corpo[tipo]
        midia = Midia(str(dados.get("id", "")), dados.get("mime_type"), dados.get("filename"), dados.get("caption"))
    return MensagemRecebida(str(corpo["id"]), str(corpo["from"]), tipo, texto, opcao, midia)


def ler_status(corpo: Mapping[str, Any]) -> StatusRecebido:
    erros = corpo.get("errors") or [{}]
    erro = erros[0] if isinstance(erros[0], dict) else {}
    codigo = erro.get("code")
    detalhe = (erro.get("error_data") or {}).get("details") or erro.get("title")
    instante = datetime.fromtimestamp(int(corpo.get("timestamp", 0)), UTC)
    return StatusRecebido(
        str(corpo["id"]), str(corpo["status"]), instante, str(codigo) if codigo is not None else None, detalhe
    )
