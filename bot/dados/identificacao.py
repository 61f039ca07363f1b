"""Telegram chats identifying themselves by CPF: the state lives here, not in memory (any process may answer)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante


class EtapaIdentificacao(StrEnum):
    CPF = "cpf"  # waiting for the CPF
    NASCIMENTO = "nascimento"  # a well-formed CPF was typed: waiting for the birth date


class IdentificacaoTelegram(SQLModel, table=True):
    """An unknown chat we asked for a CPF, then its birth date. `devedor_id` is the debtor the CPF matched (None
    when it matched nobody free: the chat is asked the same either way); the row goes away when both factors
    match (then `devedor.telegram_id` holds the chat)."""

    __tablename__ = "identificacao_telegram"

    chat_id: str = Field(primary_key=True)
    devedor_id: int | None = Field(default=None, foreign_key="devedor.id")
    etapa: str = Field(default=EtapaIdentificacao.CPF.value, sa_column_kwargs={"server_default": "cpf"})
    tentativas: int = 0  # CPF + birth date pairs that matched nothing: capped, so a chat cannot probe the portfolio
    criada_em: datetime = coluna_instante()
