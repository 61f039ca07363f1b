"""Test databases: a SQLite file per test, or a fresh PostgreSQL database when COBRANCA_TESTE_DB names a server.

`COBRANCA_TESTE_DB=postgresql+asyncpg://postgres@127.0.0.1:5433/postgres` makes every database fixture create its
own database on that server (copied from a migrated template, so migrations run once per session) and drop it
after the test. Unset, the suite runs on SQLite files under each test's tmp_path.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

SERVIDOR = os.environ.get("COBRANCA_TESTE_DB", "")
T = TypeVar("T")


def em_postgresql() -> bool:
    return SERVIDOR.startswith("postgresql")


def _em_outra_thread(fabrica: Callable[[], Coroutine[object, object, T]]) -> T:
    """Run a coroutine to completion whether or not the caller is inside an event loop."""
    resultado: list[T] = []
    erros: list[BaseException] = []

    def alvo() -> None:
        try:
            resultado.append(asyncio.run(fabrica()))
        except BaseException as erro:
            erros.append(erro)

    fio = threading.Thread(target=alvo)
    fio.start()
    fio.join()
    if erros:
        raise erros[0]
    return resultado[0]


def url_de(nome: str) -> str:
    return make_url(SERVIDOR).set(database=nome).render_as_string(hide_password=False)


async def _administrar(*comandos: str) -> None:
    engine = create_async_engine(SERVIDOR, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conexao:
            for comando in comandos:
                await conexao.execute(text(comando))
    finally:
        await engine.dispose()


def criar_banco(modelo: str | None = None) -> str:
    """A new, empty (or copied from `modelo`) database on the server; returns its name."""
    nome = f"teste_{uuid.uuid4().hex[:16]}"
    copia = f" TEMPLATE {modelo}" if modelo else ""
    _em_outra_thread(lambda: _administrar(f"CREATE DATABASE {nome}{copia}"))
    return nome


def apagar_banco(nome: str) -> None:
    _em_outra_thread(lambda: _administrar(f"DROP DATABASE IF EXISTS {nome} WITH (FORCE)"))


class Bancos:
    """Hands out database URLs for one test and removes them afterwards."""

    def __init__(self, pasta: Path) -> None:
        self.pasta = pasta
        self.criados: list[str] = []

    def vazio(self, nome: str = "vazio") -> str:
        """An empty database nobody migrated yet."""
        if not em_postgresql():
            return f"sqlite+aiosqlite:///{self.pasta / f'{nome}.db'}"
        self.criados.append(criar_banco())
        return url_de(self.criados[-1])

    def copia(self, modelo: str | Path, nome: str = "copia") -> str:
        """A copy of a template: a database name on PostgreSQL, a file on SQLite."""
        if not em_postgresql():
            destino = self.pasta / f"{nome}.db"
            destino.write_bytes(Path(modelo).read_bytes())
            return f"sqlite+aiosqlite:///{destino}"
        self.criados.append(criar_banco(str(modelo)))
        return url_de(self.criados[-1])

    def limpar(self) -> None:
        for nome in self.criados:
            apagar_banco(nome)
        self.criados.clear()
