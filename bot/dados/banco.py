"""Engine, sessions and migrations: SQLite for a single box, PostgreSQL when agents share the bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.sqlite_laco import conectar

MIGRACOES = Path(__file__).parent / "migracoes"


def banco_fora(erro: BaseException) -> bool:
    """The database went away or stayed locked (a restart, a network cut), as opposed to a bad statement."""
    if isinstance(erro, DBAPIError):
        return erro.connection_invalidated or isinstance(erro, OperationalError | InterfaceError)
    return isinstance(erro, OSError)  # asyncpg's connection errors, raised as they are while connecting


def url_padrao() -> str:
    """The SQLite file under `data/` of the current folder."""
    return "sqlite+aiosqlite:///data/cobranca.db"


def criar_pasta_sqlite(url: str) -> None:
    """Create the folder of a SQLite file, which SQLite will not do itself."""
    partes = make_url(url)
    banco = partes.database or ":memory:"
    if partes.get_backend_name() == "sqlite" and banco != ":memory:" and not banco.startswith("file:"):
        Path(banco).parent.mkdir(parents=True, exist_ok=True)


def _pragmas_sqlite(conexao: Any, _registro: Any) -> None:
    # WAL lets the web console read while the bot writes; busy_timeout waits for the writer instead of
    # failing at once; SQLite ignores foreign keys unless asked, per connection.
    cursor = conexao.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def criar_engine(url: str) -> AsyncEngine:
    """An async engine; on SQLite every connection gets WAL and foreign keys, and runs on the loop's thread.

    A database server may restart under us: `pool_pre_ping` tests a pooled connection before handing it out, so
    connections that died with the old server are replaced instead of failing the next statement.
    """
    criar_pasta_sqlite(url)
    partes = make_url(url)
    if partes.get_backend_name() == "sqlite" and partes.database and not partes.query:
        engine = create_async_engine(url, async_creator=conectar(partes.database))  # see bot/dados/sqlite_laco.py
    elif partes.get_backend_name() == "sqlite":
        engine = create_async_engine(url)
    else:
        engine = create_async_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _pragmas_sqlite)
    return engine


@asynccontextmanager
async def sessao(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose objects stay readable after commit (no lazy refresh under asyncio)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session


def config_alembic(url: str) -> Config:
    """Alembic's configuration built in code: there is no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRACOES).replace("%", "%%"))
    config.attributes["url"] = url
    return config


def migrar(url: str) -> None:
    """`alembic upgrade head`, blocking until done.

    The migration environment runs its own event loop, which cannot nest: called from a running loop
    (inside `async def`), the upgrade runs in a worker thread while the caller waits.
    """
    criar_pasta_sqlite(url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config_alembic(url), "head")
        return
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(command.upgrade, config_alembic(url), "head").result()
