"""Shared fixtures: the shipped project, a copy to break, and a driver for the pure engine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from bot.conversa.fatos import Decisao, DevedorFatos, Entrada, Fatos, Memoria, Resposta
from bot.conversa.motor import Motor
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
