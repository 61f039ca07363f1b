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


# Cloud API error code of a message refused outside the 24 h window: send an approved template instead.
JANELA_FECHADA = frozenset({131047})


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
    """Every message and every status of a webhook body, in order, then any template status update."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise CorpoInvalido("esperado object = whatsapp_business_account")
    return list(_unidades(payload)) + list(_modelos(payload))


CAMPO_MODELOS = "message_template_status_update"
# The webhook's `event` says what happened; what we keep is the status it leaves the template in, as
# `GET /message_templates` would say it: reinstated or unarchived, it can be sent again; a lock only stops edits.
SITUACAO_DO_EVENTO = {"REINSTATED": "APPROVED", "UNARCHIVED": "APPROVED"}
SEM_MUDAR_SITUACAO = frozenset({"LOCKED", "UNLOCKED"})


@dataclass(frozen=True)
class ModeloAtualizado:
    """Meta's word on one of our templates: approved, rejected (with the reason), paused, disabled..."""

    nome: str
    idioma: str
    situacao: str
    id_meta: str
    categoria: str | None
    motivo: str | None
    instante: datetime


def _modelos(payload: Mapping[str, Any]) -> Iterator[Unidade]:
    for bruta in _lista(payload.get("entry"), "entry"):
        entrada = _objeto(bruta, "entry[]")
        for mudanca in _lista(entrada.get("changes"), "entry[].changes"):
            if _objeto(mudanca, "entry[].changes[]").get("field") != CAMPO_MODELOS:
                continue
            valor = _objeto(mudanca.get("value") or {}, "entry[].changes[].value")
            id_meta, evento = _escrito(valor.get("message_template_id")), _texto(valor, "event")
            if not id_meta or not evento or not _texto(valor, "message_template_name"):
                raise CorpoInvalido(f"{CAMPO_MODELOS} sem message_template_id, message_template_name ou event")
            instante = _instante({"timestamp": entrada.get("time", 0)})
            corpo = dict(valor) | {"time": int(instante.timestamp())}
            yield Unidade("modelo", f"modelo:{id_meta}:{evento}:{corpo['time']}", corpo)


def ler_modelo(corpo: Mapping[str, Any]) -> ModeloAtualizado:
    """A stored template status update."""
    motivo = _texto(corpo, "reason")
    return ModeloAtualizado(
        nome=str(corpo["message_template_name"]),
        # The webhook writes the language as "pt-BR" (a locale), the management API and our catalogue as "pt_BR".
        idioma=(_texto(corpo, "message_template_language") or "pt_BR").replace("-", "_"),
        situacao=SITUACAO_DO_EVENTO.get(str(corpo["event"]), str(corpo["event"])),
        id_meta=_escrito(corpo.get("message_template_id")),
        categoria=_texto(corpo, "message_template_category"),
        motivo=None if motivo in (None, "NONE") else motivo,
        instante=datetime.fromtimestamp(int(corpo["time"]), UTC),
    )


def _lista(no: Any, caminho: str) -> list[Any]:
    if no is None:
        return []
    if not isinstance(no, list):
        raise CorpoInvalido(f"{caminho}: esperada uma lista, veio {type(no).__name__}")
    return no


def _objeto(no: Any, caminho: str) -> Mapping[str, Any]:
    if not isinstance(no, dict):
        raise CorpoInvalido(f"{caminho}: esperado um objeto, veio {type(no).__name__}")
    return no


def _valores(payload: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for entrada in _lista(payload.get("entry"), "entry"):
        for mudanca in _lista(_objeto(entrada, "entry[]").get("changes"), "entry[].changes"):
            if _objeto(mudanca, "entry[].changes[]").get("field") == "messages":
                yield _objeto(mudanca.get("value") or {}, "entry[].changes[].value")


def _texto(no: Mapping[str, Any], chave: str) -> str | None:
    valor = no.get(chave)
    return valor if isinstance(valor, str) and valor else None


def _unidades(payload: Mapping[str, Any]) -> Iterator[Unidade]:
    for valor in _valores(payload):
        for mensagem in _lista(valor.get("messages"), "messages"):
            if not isinstance(mensagem, dict) or not _texto(mensagem, "id") or not _texto(mensagem, "from"):
                raise CorpoInvalido("mensagem sem id ou remetente")
            yield Unidade("mensagem", mensagem["id"], dict(mensagem))
        for status in _lista(valor.get("statuses"), "statuses"):
            if not isinstance(status, dict) or not _texto(status, "id") or not _texto(status, "status"):
                raise CorpoInvalido("status sem id ou situação")
            _instante(status)
            yield Unidade("status", f"{status['id']}:{status['status']}", dict(status))


def _sub(no: Mapping[str, Any], chave: str) -> Mapping[str, Any]:
    """A nested object, or an empty one when the field is missing or of another type."""
    valor = no.get(chave)
    return valor if isinstance(valor, dict) else {}


def _escrito(valor: Any) -> str:
    return str(valor) if isinstance(valor, str | int) and not isinstance(valor, bool) else ""


def _instante(status: Mapping[str, Any]) -> datetime:
    """The status's Unix timestamp (seconds, as text or a number); CorpoInvalido when it is none."""
    bruto = status.get("timestamp", 0)
    texto = _escrito(bruto)
    if not texto.isascii() or not texto.isdigit():
        raise CorpoInvalido(f"status com timestamp inválido: {bruto!r}")
    try:
        return datetime.fromtimestamp(int(texto), UTC)
    except (OverflowError, OSError, ValueError):
        raise CorpoInvalido(f"status com timestamp inválido: {bruto!r}") from None


def _texto_e_opcao(corpo: Mapping[str, Any]) -> tuple[str, str | None]:
    tipo = corpo.get("type")
    if tipo == "text":
        return _escrito(_sub(corpo, "text").get("body")), None
    if tipo == "interactive":
        interativo = _sub(corpo, "interactive")
        escolha = _sub(interativo, "button_reply") or _sub(interativo, "list_reply")
        return _escrito(escolha.get("title")), _escrito(escolha.get("id")) or None
    if tipo == "button":  # quick reply of a template
        botao = _sub(corpo, "button")
        return _escrito(botao.get("text")), _escrito(botao.get("payload")) or None
    return "", None


def ler_mensagem(corpo: Mapping[str, Any]) -> MensagemRecebida:
    """A stored message unit; fields of an unexpected type read as absent (the debtor still gets an answer)."""
    tipo = _escrito(corpo.get("type")) or "unsupported"
    texto, opcao = _texto_e_opcao(corpo)
    midia = None
    if tipo in ("image", "document", "audio") and isinstance(corpo.get(tipo), dict):
        dados = corpo[tipo]
        midia = Midia(
            _escrito(dados.get("id")), _texto(dados, "mime_type"), _texto(dados, "filename"), _texto(dados, "caption")
        )
    return MensagemRecebida(str(corpo["id"]), str(corpo["from"]), tipo, texto, opcao, midia)


def ler_status(corpo: Mapping[str, Any]) -> StatusRecebido:
    erros = corpo.get("errors")
    erro = erros[0] if isinstance(erros, list) and erros and isinstance(erros[0], dict) else {}
    codigo = _escrito(erro.get("code"))
    detalhe = _texto(_sub(erro, "error_data"), "details") or _texto(erro, "title")
    return StatusRecebido(
        str(corpo["id"]),
        str(corpo["status"]),
        _instante(corpo),
        codigo if codigo.isascii() and codigo.isdigit() else None,
        detalhe,
    )
