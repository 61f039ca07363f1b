"""Alembic environment: async engines (aiosqlite, asyncpg), URL handed over by `banco.config_alembic`."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

import sqlmodel
from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

import bot.dados.integracao  # noqa: F401  (issue 18: API tokens, outbound events)

# Importing the table modules registers them in SQLModel.metadata.
from bot.dados import (  # noqa: F401
    atendentes,
    cobrancas,
    entrada,
    envios,
    experimentos,
    fichas,
    identificacao,
    modelos,
    saida,
    situacao_modelos,
    voz,
)

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


# Every process migrates at start; they queue on a lock (a PostgreSQL advisory lock, or a lock file next to the
# SQLite file), so the first upgrades and the others find the schema at head.
TRAVA_MIGRACAO = 0x636F6272  # "cobr"


@contextmanager
def _trava_sqlite(url: str) -> Iterator[None]:
    partes = make_url(url)
    banco = partes.database or ""
    if partes.get_backend_name() != "sqlite" or banco in ("", ":memory:") or banco.startswith("file:"):
        yield
        return
    with open(f"{banco}.migracao.lock", "a+b") as arquivo:
        fcntl.flock(arquivo, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(arquivo, fcntl.LOCK_UN)


async def _migrar_online(url: str) -> None:
    # A plain engine, not banco.criar_engine: batch mode must run with SQLite foreign keys off.
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conexao:
            postgresql = conexao.dialect.name == "postgresql"
            if postgresql:
                await conexao.execute(text(f"SELECT pg_advisory_lock({TRAVA_MIGRACAO})"))
                await conexao.commit()
            await conexao.run_sync(_migrar)
            if postgresql:
                await conexao.execute(text(f"SELECT pg_advisory_unlock({TRAVA_MIGRACAO})"))
                await conexao.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("migrações offline (--sql) não são suportadas")
with _trava_sqlite(config.attributes["url"]):
    asyncio.run(_migrar_online(config.attributes["url"]))
