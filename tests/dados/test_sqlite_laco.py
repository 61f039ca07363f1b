"""SQLite on the loop's thread: a writer waiting for the lock yields, so the holder can finish."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.dados.banco import criar_engine
from bot.dados.sqlite_laco import ConexaoNoLaco


async def test_escritor_espera_a_trava_sem_bloquear_o_laco(tmp_path: Path) -> None:
    caminho = tmp_path / "trava.db"
    engine = criar_engine(f"sqlite+aiosqlite:///{caminho}")
    async with engine.begin() as conexao:
        await conexao.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    outro = sqlite3.connect(caminho, isolation_level=None)
    outro.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's single write lock
    liberado: list[bool] = []

    async def liberar() -> None:  # runs only if the waiting writer yields the loop
        outro.execute("INSERT INTO t VALUES (1)")
        outro.execute("COMMIT")
        liberado.append(True)

    tarefa = asyncio.create_task(liberar())
    try:
        async with engine.begin() as conexao:
            await conexao.exec_driver_sql("INSERT INTO t VALUES (2)")
        async with engine.connect() as conexao:
            valores = (await conexao.exec_driver_sql("SELECT x FROM t ORDER BY x")).scalars().all()
    finally:
        await tarefa
        outro.close()
        await engine.dispose()
    assert liberado == [True]
    assert valores == [1, 2]


async def test_erro_que_nao_e_trava_sobe_na_hora(tmp_path: Path) -> None:
    conexao = await ConexaoNoLaco(lambda: sqlite3.connect(tmp_path / "x.db"), 64)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await conexao.execute("SELECT * FROM nada")
    await conexao.close()
    with pytest.raises(ValueError, match="no active connection"):
        await conexao.execute("SELECT 1")
