"""The port every outbound channel implements, and the typed errors that tell the caller what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class TipoCanal(StrEnum):
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    EMAIL = "email"
    SMS = "sms"
    WEB = "web"


@dataclass(frozen=True)
class Botao:
    id: str
    titulo: str


@dataclass(frozen=True)
class Documento:
    """A file sent with a message (the boleto PDF): WhatsApp document message, Telegram sendDocument."""

    conteudo: bytes
    nome: str
    mime: str


@dataclass(frozen=True)
class Envio:
    """One outbound message. `modelo` (an approved WhatsApp template, or an e-mail subject) is used when set."""

    canal: TipoCanal
    destino: str  # E.164 phone, Telegram chat id or e-mail address
    texto: str
    botoes: tuple[Botao, ...] = ()
    modelo: str | None = None
    parametros: tuple[str, ...] = ()
    html: str | None = None
    chave: str | None = field(default=None)  # idempotency key, e.g. the outbox row
    documento: Documento | None = None  # sent after the text by channels that carry files; others show the link


class ErroCanal(Exception):
    """A provider refused or failed a send. Subclasses say what the caller should do."""

    def __init__(self, mensagem: str, codigo: str | None = None) -> None:
        super().__init__(mensagem)
        self.codigo = codigo


class TentarDepois(ErroCanal):
    """Transient (timeout, 5xx, throughput limits such as 130429/131056): retry later with backoff."""


class JanelaFechada(ErroCanal):
    """WhatsApp 131047: more than 24 h since the debtor's last message; send an approved template instead."""


class Indeliveravel(ErroCanal):
    """Permanent (131026, blocked bot, invalid address): do not retry; mark the destination."""


class SemConfirmacao(ErroCanal):
    """The request may have reached the provider but no answer came (read timeout, dropped connection).

    Not `TentarDepois`: sending again could deliver the message twice. A keyed send becomes `EnvioIncerto`.
    """


class EnvioIncerto(Exception):
    """A keyed send was handed to the provider and no answer was recorded: it may or may not have gone out."""


class Remetente(Protocol):
    """Sends one message and returns the provider's message id."""

    async def enviar(self, envio: Envio) -> str: ...


class Cliente(Remetente, Protocol):
    """A channel's client with a life cycle: opened when the server starts, closed when it stops."""

    async def abrir(self) -> None: ...

    async def fechar(self) -> None: ...
