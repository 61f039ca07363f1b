"""Alembic environment: async engines (aiosqlite, asyncpg), URL handed over by `banco.config_alembic`."""

from __future__ import annotations

import asyncio

import sqlmodel
from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

# Importing the table modules registers them in SQLModel.metadata.
from bot.dados import console, entrada, envios, identificacao, modelos, pagamentos, saida  # noqa: F401

config = context.config
target_metadata = sqlmodel.SQLModel.metadata


def _migrar(conexao: Connection) -> None:
    # SQLite cannot ALTER most things: batch mode recreates the table instead.
    context.configure(
        connection=conexao,
        target_metadata=target_metadata,
        render_as_batch=conexao.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrar_online(url: str) -> None:
    # A plain engine, not banco.criar_engine: batch mode must run with SQLite foreign keys off.
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conexao:
            await conexao.run_sync(_migrar)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("migrações offline (--sql) não são suportadas")
asyncio.run(_migrar_online(config.attributes["url"]))
