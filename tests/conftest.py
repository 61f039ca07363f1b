"""Shared fixtures: the shipped project, a copy to break, databases, the clock, and a driver for the pure engine."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dados.banco import criar_engine, migrar, sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.projeto import Projeto
from tests.apoio.bancos import Bancos, apagar_banco, criar_banco, em_postgresql, url_de
from tests.apoio.projetos import RAIZ, projeto_padrao
from tests.apoio.relogio import Relogio

# Fixtures shared across areas live with their support code; registered here so no test module imports another.
pytest_plugins = [
    "tests.apoio.console",
    "tests.apoio.chat_web",
    "tests.apoio.whatsapp",
    "tests.apoio.telegram",
    "tests.apoio.navegador",
    "tests.apoio.falsos.zenvia",
]


@pytest.fixture
def projeto() -> Projeto:
    return projeto_padrao()


def _semear(url: str) -> None:
    async def semear() -> None:
        engine = criar_engine(url)
        leitura = ler_carteira((RAIZ / "exemplos" / "carteira.csv").read_text(encoding="utf-8"), "carteira.csv")
        async with sessao(engine) as s:
            await importar_carteira(s, leitura)
        await engine.dispose()

    asyncio.run(semear())


def _modelo(pasta: Path, semeado: bool) -> Iterator[str | Path]:
    """A migrated (and maybe seeded) template: a SQLite file, or a database on the PostgreSQL under test."""
    if em_postgresql():
        nome = criar_banco()
        url = url_de(nome)
    else:
        nome, url = "", f"sqlite+aiosqlite:///{pasta / 'modelo.db'}"
    migrar(url)
    if semeado:
        _semear(url)
    yield nome or pasta / "modelo.db"
    if nome:
        apagar_banco(nome)


@pytest.fixture(scope="session")
def banco_migrado(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | Path]:
    """Migrated once; each test gets a copy."""
    yield from _modelo(tmp_path_factory.mktemp("modelo"), semeado=False)


@pytest.fixture(scope="session")
def banco_semeado(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | Path]:
    """Migrated with the example portfolio imported, once; each test gets a copy."""
    yield from _modelo(tmp_path_factory.mktemp("semeado"), semeado=True)


@pytest.fixture
def bancos(tmp_path: Path) -> Iterator[Bancos]:
    """Scratch databases for one test, on SQLite or on the PostgreSQL named by COBRANCA_TESTE_DB."""
    fabrica = Bancos(tmp_path)
    yield fabrica
    fabrica.limpar()


@pytest.fixture
async def engine(banco_migrado: str | Path, bancos: Bancos) -> AsyncIterator[AsyncEngine]:
    engine = criar_engine(bancos.copia(banco_migrado, "cobranca"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine_semeado(url: str) -> AsyncIterator[AsyncEngine]:
    """The example portfolio's database, as an engine (the `engine` fixture is an empty one)."""
    engine = criar_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture
def url(banco_semeado: str | Path, bancos: Bancos) -> str:
    """A database with the example portfolio, copied from the session's template."""
    return bancos.copia(banco_semeado, "teste")


@pytest.fixture
def relogio() -> Relogio:
    """The wall clock the app under test reads, at AGORA until the test moves it."""
    return Relogio()


@pytest.fixture
def copia(tmp_path: Path) -> Path:
    """A copy of config.toml, fluxos/ and mensagens/ that a test may break."""
    shutil.copy(RAIZ / "config.toml", tmp_path / "config.toml")
    shutil.copytree(RAIZ / "fluxos", tmp_path / "fluxos")
    shutil.copytree(RAIZ / "mensagens", tmp_path / "mensagens")
    return tmp_path
