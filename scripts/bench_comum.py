"""Shared pieces of the benchmark: a generated portfolio, scratch databases, percentiles."""

from __future__ import annotations

import asyncio
import statistics
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.dados.banco import criar_engine, migrar, sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira


def cpf(numero: int) -> str:
    """A valid CPF from a sequence number (never all digits equal)."""
    base = [int(c) for c in f"{100000000 + numero:09d}"[-9:]]
    for tamanho in (9, 10):
        soma = sum(d * p for d, p in zip(base, range(tamanho + 1, 1, -1), strict=True))
        resto = soma % 11
        base.append(0 if resto < 2 else 11 - resto)
    return "".join(map(str, base))


def telefone(numero: int) -> str:
    """E.164 digits as WhatsApp's wa_id: 55 11 9XXXXXXXX."""
    return f"55119{10000000 + numero:08d}"


def carteira_csv(quantos: int, vencimento: str = "10/12/2026") -> str:
    linhas = ["cpf;nome;telefone;uf;contrato;parcela;valor;vencimento"]
    for i in range(quantos):
        tel = telefone(i)
        linhas.append(f"{cpf(i)};Pessoa Teste {i};({tel[2:4]}) {tel[4:9]}-{tel[9:]};SP;C{i};1;100,00;{vencimento}")
    return "\n".join(linhas) + "\n"


async def semear(url: str, quantos: int) -> None:
    engine = criar_engine(url)
    try:
        leitura = ler_carteira(carteira_csv(quantos), "bench.csv")
        async with sessao(engine) as s:
            await importar_carteira(s, leitura)
    finally:
        await engine.dispose()


async def _admin(servidor: str, comando: str) -> None:
    engine = create_async_engine(servidor, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conexao:
            await conexao.execute(text(comando))
    finally:
        await engine.dispose()


def banco_novo(pasta: Path, servidor: str | None) -> str:
    """A migrated scratch database: a SQLite file, or a new database on the PostgreSQL server given."""
    if servidor is None:
        url = f"sqlite+aiosqlite:///{pasta / f'bench-{uuid.uuid4().hex[:8]}.db'}"
    else:
        nome = f"bench_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(servidor, f"CREATE DATABASE {nome}"))
        url = make_url(servidor).set(database=nome).render_as_string(hide_password=False)
    migrar(url)
    return url


def apagar(url: str, servidor: str | None) -> None:
    if servidor is not None:
        nome = make_url(url).database
        asyncio.run(_admin(servidor, f"DROP DATABASE IF EXISTS {nome} WITH (FORCE)"))


def percentil(valores: Sequence[float], p: float) -> float:
    ordenados = sorted(valores)
    if not ordenados:
        return float("nan")
    return ordenados[min(len(ordenados) - 1, round(p / 100 * (len(ordenados) - 1)))]


def mediana(valores: Sequence[float]) -> float:
    return statistics.median(valores)
