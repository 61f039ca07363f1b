"""Telegram chats identifying themselves by CPF: the state lives here, not in memory (any process may answer)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.dados.modelos import _instante


class IdentificacaoTelegram(SQLModel, table=True):
    """An unknown chat we asked for a CPF. `devedor_id` set: the CPF matched and the flow's identity check runs;
    the row goes away when the check passes (then `devedor.telegram_id` holds the chat)."""

    __tablename__ = "identificacao_telegram"

    chat_id: str = Field(primary_key=True)
    devedor_id: int | None = Field(default=None, foreign_key="devedor.id")
    tentativas: int = 0  # CPFs typed that matched nothing: capped, so a chat cannot probe the portfolio
    criada_em: datetime = _instante()
