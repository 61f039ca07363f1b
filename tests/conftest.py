"""Shared fixtures: the shipped project, a copy to break, and a driver for the pure engine."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.conversa.fatos import Decisao, DevedorFatos, Entrada, Fatos, Memoria, Resposta
from bot.conversa.motor import Motor
from bot.dados.banco import criar_engine, migrar, sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.negociacao.saldo import ParcelaAberta
from bot.projeto import Projeto, carregar_projeto

RAIZ = Path(__file__).resolve().parent.parent
AGORA = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 11h in São Paulo


@lru_cache(maxsize=1)
def projeto_padrao() -> Projeto:
    return carregar_projeto(RAIZ / "config.toml")


@pytest.fixture
def projeto() -> Projeto:
    return projeto_padrao()


@pytest.fixture(scope="session")
def banco_migrado(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets a copy."""
    arquivo = tmp_path_factory.mktemp("modelo") / "cobranca.db"
    migrar(f"sqlite+aiosqlite:///{arquivo}")
    return arquivo


@pytest.fixture
async def engine(banco_migrado: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    arquivo = tmp_path / "cobranca.db"
    shutil.copy(banco_migrado, arquivo)
    engine = criar_engine(f"sqlite+aiosqlite:///{arquivo}")
    yield engine
    await engine.dispose()


def banco_de_exemplo(pasta: Path) -> str:
    """A migrated SQLite file with the example portfolio imported; returns its URL."""
    url = f"sqlite+aiosqlite:///{pasta / 'teste.db'}"
    migrar(url)

    async def semear() -> None:
        engine = criar_engine(url)
        leitura = ler_carteira((RAIZ / "exemplos" / "carteira.csv").read_text(encoding="utf-8"), "carteira.csv")
        async with sessao(engine) as s:
            await importar_carteira(s, leitura)
        await engine.dispose()

    asyncio.run(semear())
    return url


@pytest.fixture
def url(tmp_path: Path) -> str:
    return banco_de_exemplo(tmp_path)


@pytest.fixture
def copia(tmp_path: Path) -> Path:
    """A copy of config.toml, fluxos/ and mensagens/ that a test may break."""
    shutil.copy(RAIZ / "config.toml", tmp_path / "config.toml")
    shutil.copytree(RAIZ / "fluxos", tmp_path / "fluxos")
    shutil.copytree(RAIZ / "mensagens", tmp_path / "mensagens")
    return tmp_path


def fatos_maria(
    dias_atraso: tuple[int, ...] = (40, 10),
    valor: str = "150.00",
    nascimento: date | None = date(1980, 5, 12),
) -> Fatos:
    hoje = AGORA.date()
    parcelas = tuple(
        ParcelaAberta(i + 1, "C-100", i + 1, Decimal(valor), hoje - timedelta(days=d), "Mensalidade academia")
        for i, d in enumerate(dias_atraso)
    )
    return Fatos(
        conversa_id=7,
        devedor=DevedorFatos("Maria da Silva Santos", "39053344705", "SP", nascimento, "varejo"),
        parcelas=parcelas,
    )


@dataclass
class Dialogo:
    """Drives the engine like an adapter would, keeping state and memory between messages."""

    motor: Motor
    fatos: Fatos
    agora: datetime = AGORA
    estado: str | None = None
    memoria: Memoria = field(default_factory=Memoria)
    decisoes: list[Decisao] = field(default_factory=list)

    def diz(self, texto: str, opcao: str | None = None) -> list[Resposta]:
        decisao = self.motor.passo(self.estado, self.memoria, Entrada(texto, opcao), self.fatos, self.agora)
        self.estado, self.memoria = decisao.estado, decisao.memoria
        self.decisoes.append(decisao)
        return list(decisao.respostas)

    def texto(self, texto: str, opcao: str | None = None) -> str:
        return "\n".join(r.texto for r in self.diz(texto, opcao))

    @property
    def efeitos(self) -> list[object]:
        return [e for d in self.decisoes for e in d.efeitos]


@pytest.fixture
def dialogo(projeto: Projeto) -> Iterator[Dialogo]:
    yield Dialogo(projeto.motor, fatos_maria())
