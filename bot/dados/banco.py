"""Engine, sessions and migrations: SQLite for a single box, PostgreSQL when agents share the bot."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.dados.integracao  # noqa: F401  (its flush listener writes the outbound events of every session)
from bot.dados.sqlite_laco import conectar

if TYPE_CHECKING:  # alembic loads only when a migration runs (serve on an up-to-date database skips it)
    from alembic.config import Config

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

    A database server may restart under us: the first statement on a connection of the old server fails as
    `banco_fora`, and the whole pool is renewed.
    """
    criar_pasta_sqlite(url)
    partes = make_url(url)
    if partes.get_backend_name() == "sqlite" and partes.database and not partes.query:
        # See bot/dados/sqlite_laco.py. Idle connections cost nothing but their page cache: keep enough that a
        # burst never opens (and closes) new ones, each starting with a cold cache and its pragmas.
        engine = create_async_engine(url, async_creator=conectar(partes.database), pool_size=32, max_overflow=32)
    elif partes.get_backend_name() == "sqlite":
        engine = create_async_engine(url)
    else:
        # No `pool_pre_ping`: with asyncpg it costs three round trips at every checkout (a transaction around
        # `;`), most of a short transaction's time. A connection that died with a restarted server fails its first
        # statement instead; SQLAlchemy (and `cru.transacao`) then discard every connection of the pool opened
        # before, and the callers already treat `banco_fora` as "try again" (the inbox lease, the outbox, 500 to
        # a webhook the provider delivers again).
        engine = create_async_engine(url)
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRACOES).replace("%", "%%"))
    config.attributes["url"] = url
    return config


def migrar(url: str) -> None:
    """`alembic upgrade head`, blocking until done.

    The migration environment runs its own event loop, which cannot nest: called from a running loop
    (inside `async def`), the upgrade runs in a worker thread while the caller waits. A SQLite file already at
    the newest revision is recognised without loading alembic (a server restarting on its own database).
    """
    criar_pasta_sqlite(url)
    if sqlite_em_dia(url):
        return
    from alembic import command

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config_alembic(url), "head")
        return
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(command.upgrade, config_alembic(url), "head").result()


_REVISAO = re.compile(r'^revision: str = "(\w+)"', re.M)
_ANTERIOR = re.compile(r'^down_revision: [^=]+= "(\w+)"', re.M)


def revisao_final() -> str | None:
    """The one head of the migration files (None if there are several: alembic must sort that out)."""
    revisoes, anteriores = set(), set()
    for arquivo in (MIGRACOES / "versions").glob("*.py"):
        texto = arquivo.read_text(encoding="utf-8")
        revisoes.update(_REVISAO.findall(texto))
        anteriores.update(_ANTERIOR.findall(texto))
    cabecas = revisoes - anteriores
    return cabecas.pop() if len(cabecas) == 1 else None


def sqlite_em_dia(url: str) -> bool:
    """A SQLite file whose `alembic_version` is the newest revision; False whenever in doubt."""
    partes = make_url(url)
    if partes.get_backend_name() != "sqlite" or not partes.database or partes.database == ":memory:":
        return False
    caminho = Path(partes.database)
    if not caminho.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"file:{caminho}?mode=ro", uri=True, timeout=5)) as conexao:
            linhas = conexao.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return False
    return len(linhas) == 1 and linhas[0][0] == revisao_final()
