"""Payment tables: page tokens, payments received (one row per provider payment id) and PSP charges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dados.modelos import agora_utc
from bot.dados.tipos import Dinheiro, InstanteUTC, Json


class TokenPagamento(SQLModel, table=True):
    """The unguessable key of a document's payment page `/p/<token>`; one per document."""

    __tablename__ = "token_pagamento"

    token: str = Field(primary_key=True, max_length=64)
    documento_id: int = Field(foreign_key="documento_pagamento.id", unique=True)
    valido_ate: date  # last day (debtor's time zone) the page opens
    criado_em: datetime = Field(default_factory=agora_utc, sa_type=InstanteUTC)


GRANDE = BigInteger().with_variant(Integer(), "sqlite")


class NumeroDocumento(SQLModel, table=True):
    """The nosso número counter: one row per number handed out; the row's id is the number.

    Every document (bot, console, renewal, any provider) takes its number here, so two never share one, even
    when issued at the same instant by different servers; `documento_pagamento`'s unique columns back it up.
    """

    __tablename__ = "numero_documento"

    # 64-bit on PostgreSQL (10-digit numbers pass int32); SQLite needs INTEGER for the rowid's autoincrement.
    id: int | None = Field(default=None, sa_column=Column(GRANDE, primary_key=True, autoincrement=True))
    criado_em: datetime = Field(default_factory=agora_utc, sa_type=InstanteUTC)


class PagamentoRecebido(SQLModel, table=True):
    """A confirmed payment; (provedor, id_provedor) makes a redelivered confirmation a no-op."""

    __tablename__ = "pagamento_recebido"
    __table_args__ = (UniqueConstraint("provedor", "id_provedor"),)

    id: int | None = Field(default=None, primary_key=True)
    provedor: str
    id_provedor: str
    origem: str  # simulado, retorno (CSV), webhook
    documento_id: int = Field(foreign_key="documento_pagamento.id", index=True)
    acordo_id: int = Field(foreign_key="acordo.id", index=True)
    acordo_parcela_numero: int
    valor: Decimal = Field(sa_type=Dinheiro)
    pago_em: date
    criado_em: datetime = Field(default_factory=agora_utc, sa_type=InstanteUTC)


class CobrancaPsp(SQLModel, table=True):
    """A charge issued at a PSP for a document; the key is sent as externalReference so a retry finds it."""

    __tablename__ = "cobranca_psp"
    __table_args__ = (UniqueConstraint("provedor", "chave"),)

    id: int | None = Field(default=None, primary_key=True)
    provedor: str
    chave: str
    documento_id: int | None = Field(default=None, foreign_key="documento_pagamento.id", index=True)
    id_externo: str | None = None
    situacao: str
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    criado_em: datetime = Field(default_factory=agora_utc, sa_type=InstanteUTC)
    # Background retries (bot.pagamentos.reemissao): how many were claimed and when the next is due; None when
    # issued or given up. Born due one wait ahead, so a call interrupted by a crash is retried as well.
    tentativas: int = 0
    tentar_em: datetime | None = Field(default=None, sa_type=InstanteUTC, index=True)
