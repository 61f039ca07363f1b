"""Tables of the channels: raw inbound updates, delivery statuses, attachments and Telegram invitations.

`Atualizacao` is written before a webhook is acknowledged; its unique `(canal, id_externo)` is what makes a
redelivered update (or the same update reaching two processes) a no-op. A row is claimed atomically
(`situacao` from `pendente` to `processando`) by exactly one worker, under a lease: a claim older than the lease
is taken over by any instance, up to a number of attempts. Rows of one `remetente` (a debtor's chat on a
channel) are claimed strictly in stored order, one at a time.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante, uma_de
from bot.dados.tipos import Json


class SituacaoAtualizacao(StrEnum):
    PENDENTE = "pendente"
    PROCESSANDO = "processando"
    PROCESSADA = "processada"
    FALHOU = "falhou"


ABERTA = text("situacao IN ('pendente', 'processando')")


class Atualizacao(SQLModel, table=True):
    """One inbound unit from a provider (a message, a status or a Telegram update), as received."""

    __tablename__ = "atualizacao"
    __table_args__ = (
        UniqueConstraint("canal", "id_externo"),
        uma_de("situacao", SituacaoAtualizacao),
        # A sender's unfinished rows, oldest first (every claim asks): small however long the history grows.
        Index("ix_atualizacao_aberta", "remetente", "id", sqlite_where=ABERTA, postgresql_where=ABERTA),
        Index("ix_atualizacao_processada_em", "processada_em"),  # the retention purge
    )

    id: int | None = Field(default=None, primary_key=True)
    canal: str
    tipo: str  # "mensagem", "status" or "telegram"
    id_externo: str
    corpo: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    situacao: str = Field(default=SituacaoAtualizacao.PENDENTE.value, index=True)
    erro: str | None = None
    recebida_em: datetime = coluna_instante()
    processada_em: datetime | None = coluna_instante(nulo=True)
    remetente: str | None = None  # "whatsapp:<wa_id>", "telegram:<chat_id>"; None: no order
    reivindicada_em: datetime | None = coluna_instante(nulo=True)  # start of the current lease
    tentativas: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # claims so far


class StatusEntrega(SQLModel, table=True):
    """Every delivery status a provider reported for an outbound message, in any order, once each."""

    __tablename__ = "status_entrega"
    __table_args__ = (UniqueConstraint("canal", "id_externo", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    canal: str
    id_externo: str = Field(index=True)  # the outbound message's provider id (wamid)
    status: str  # sent, delivered, read, failed
    codigo: str | None = None  # provider error code of a failure (131047, 131026, ...)
    detalhe: str | None = None
    instante: datetime = coluna_instante()


class SituacaoAnexo(StrEnum):
    PENDENTE = "pendente"  # recorded, file not fetched yet
    GUARDADO = "guardado"  # file on disk (`caminho`, `tamanho`, `sha256`)
    RECUSADO = "recusado"  # type or size not accepted, or the provider's checksum did not match: final
    FALHOU = "falhou"  # the provider did not hand the file over (404, 5xx, timeout): tried again at `tentar_em`


class Anexo(SQLModel, table=True):
    """An image or document a debtor sent (a "comprovante"), kept for an agent to look at."""

    __tablename__ = "anexo"
    __table_args__ = (UniqueConstraint("canal", "id_midia"), uma_de("situacao", SituacaoAnexo))

    id: int | None = Field(default=None, primary_key=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    canal: str
    tipo: str  # image, document
    id_midia: str  # provider media id (WhatsApp media id, Telegram file_id)
    mime: str | None = None
    nome: str | None = None
    legenda: str | None = None
    recebido_em: datetime = coluna_instante()
    situacao: str = Field(default=SituacaoAnexo.PENDENTE.value, index=True)
    motivo: str | None = None  # why it was refused, or the last download failure
    caminho: str | None = None  # relative to canais.pasta_anexos; named by the content's sha256
    tamanho: int | None = None  # bytes
    sha256: str | None = None  # hex digest of the stored bytes
    tentativas: int = 0
    tentar_em: datetime | None = coluna_instante(nulo=True)  # next automatic download attempt after a failure


class ConviteTelegram(SQLModel, table=True):
    """A one-time `/start <token>` link sent by another channel that ties a Telegram chat to a debtor."""

    __tablename__ = "convite_telegram"

    token: str = Field(primary_key=True, max_length=64)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    criado_em: datetime = coluna_instante()
    usado_em: datetime | None = coluna_instante(nulo=True)
