"""Tables of the agents' console: people, their sessions and login failures, notes, promises and the audit log.

Kept apart from `modelos` so the console can evolve without touching the bot's own tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante, uma_de
from bot.dados.tipos import Dinheiro, Json


class Papel(StrEnum):
    AGENTE = "agente"
    GESTOR = "gestor"


class Usuario(SQLModel, table=True):
    """A person who logs into the console; `senha_hash` is an argon2id hash, never the password."""

    __tablename__ = "usuario"
    __table_args__ = (uma_de("papel", Papel),)

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=64)
    nome: str
    papel: str
    senha_hash: str
    ativo: bool = True
    criado_em: datetime = coluna_instante()


class SessaoConsole(SQLModel, table=True):
    """A logged-in browser. Only the SHA-256 of the cookie value is stored, so a leaked table opens nothing."""

    __tablename__ = "sessao_console"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    usuario_id: int = Field(foreign_key="usuario.id", index=True)
    csrf: str
    criada_em: datetime = coluna_instante()
    expira_em: datetime = coluna_instante()


class FalhaLogin(SQLModel, table=True):
    """One wrong password (or unknown login): counted per login to lock it out for a while."""

    __tablename__ = "falha_login"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(index=True, max_length=64)
    criada_em: datetime = coluna_instante()


class Nota(SQLModel, table=True):
    __tablename__ = "nota"

    id: int | None = Field(default=None, primary_key=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    usuario_id: int = Field(foreign_key="usuario.id")
    texto: str
    criada_em: datetime = coluna_instante()


class PromessaPagamento(SQLModel, table=True):
    """What the debtor promised an agent to pay and when (followed up by the régua)."""

    __tablename__ = "promessa_pagamento"

    id: int | None = Field(default=None, primary_key=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    usuario_id: int = Field(foreign_key="usuario.id")
    valor: Decimal = Field(sa_type=Dinheiro)
    data: date
    criada_em: datetime = coluna_instante()


class Auditoria(SQLModel, table=True):
    """Every action of a person: who, when, what, on which conversation. Never updated or deleted."""

    __tablename__ = "auditoria"

    id: int | None = Field(default=None, primary_key=True)
    usuario_id: int | None = Field(default=None, foreign_key="usuario.id", index=True)
    acao: str = Field(index=True)
    conversa_id: int | None = Field(default=None, foreign_key="conversa.id", index=True)
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    criada_em: datetime = coluna_instante()


class AlertaTransferencia(SQLModel, table=True):
    """A hand-off left waiting past `[console] alerta_minutos`; unique per hand-off, so gestores are alerted once."""

    __tablename__ = "alerta_transferencia"

    id: int | None = Field(default=None, primary_key=True)
    transferencia_id: int = Field(foreign_key="transferencia.id", unique=True)
    criado_em: datetime = coluna_instante()


class SituacaoAprovacao(StrEnum):
    PENDENTE = "pendente"
    APROVADA = "aprovada"
    RECUSADA = "recusada"
    USADA = "usada"  # offered to the debtor: an approval serves once


class AprovacaoOferta(SQLModel, table=True):
    """A plan outside the offer book an agent asked a gestor to approve; only an approved one reaches the debtor."""

    __tablename__ = "aprovacao_oferta"
    __table_args__ = (uma_de("situacao", SituacaoAprovacao),)

    id: int | None = Field(default=None, primary_key=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    pedida_por: int = Field(foreign_key="usuario.id")
    plano: dict[str, Any] = Field(sa_type=Json)  # `Plano.para_dict()`
    limites: list[str] = Field(default_factory=list, sa_type=Json)  # the book's limits the plan exceeds, pt-BR
    justificativa: str
    situacao: str = Field(default=SituacaoAprovacao.PENDENTE.value, index=True)
    decidida_por: int | None = Field(default=None, foreign_key="usuario.id")
    decidida_em: datetime | None = coluna_instante(nulo=True)
    criada_em: datetime = coluna_instante()
