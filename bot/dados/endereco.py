"""The database URL a person typed (`--db`): checked before anything connects, with one pt-BR line when wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

EXEMPLOS = "sqlite+aiosqlite:///data/cobranca.db ou postgresql+asyncpg://usuario:senha@servidor:5432/cobranca"
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}


class EnderecoInvalido(ValueError):
    """What is wrong with the URL, in one line, with an example of a good one."""


@dataclass(frozen=True)
class Endereco:
    url: str
    arquivo: Path | None  # the SQLite file (None for PostgreSQL or an in-memory database)


def ler_endereco(url: str) -> Endereco:
    """Parse and check `url`; raises `EnderecoInvalido` saying what is wrong."""
    try:
        partes = make_url(url)
    except ArgumentError:
        raise EnderecoInvalido(f"--db não é uma URL de banco: {url!r}; exemplos: {EXEMPLOS}") from None
    banco, driver = partes.get_backend_name(), partes.get_driver_name()
    if banco not in DRIVERS:
        raise EnderecoInvalido(f"--db: banco {banco!r} não suportado (use SQLite ou PostgreSQL); exemplos: {EXEMPLOS}")
    if driver != DRIVERS[banco]:
        raise EnderecoInvalido(
            f"--db: o driver de {banco} é {DRIVERS[banco]} ({banco}+{DRIVERS[banco]}://...), não {driver!r}; "
            f"exemplos: {EXEMPLOS}"
        )
    if banco == "postgresql":
        if not partes.host or not partes.database:
            raise EnderecoInvalido(f"--db: falta o servidor ou o nome do banco em {partes!r}; exemplos: {EXEMPLOS}")
        return Endereco(url, None)
    if not partes.database or partes.database == ":memory:" or partes.database.startswith("file:"):
        return Endereco(url, None)
    return Endereco(url, Path(partes.database))
