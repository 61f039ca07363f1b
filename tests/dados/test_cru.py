"""Statements on the driver (bot/dados/cru.py) read and write what SQLAlchemy does, and fail as it does."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import bindparam, event, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dados.banco import criar_engine, migrar
from bot.dados.cru import Agrupados, Preparados, Transacao, insercao, transacao
from bot.dados.entrada import Atualizacao
from bot.dados.modelos import Conversa

TABELA = Atualizacao.__table__  # type: ignore[attr-defined]
INSERIR = Preparados(
    lambda dialeto: (
        insercao(TABELA, dialeto)
        .values(
            canal=bindparam("canal"),
            tipo="mensagem",
            id_externo=bindparam("id"),
            corpo=bindparam("corpo"),
            situacao="pendente",
            recebida_em=bindparam("quando"),
            tentativas=0,
        )
        .returning(TABELA.c.id, TABELA.c.recebida_em, TABELA.c.corpo)
    )
)
ABERTAS = Preparados(
    select(TABELA.c.id_externo)
    .where(TABELA.c.situacao.in_([literal("pendente"), literal("processando")]))
    .order_by(TABELA.c.id)
)
FECHAR = Preparados(update(TABELA).where(TABELA.c.id_externo == bindparam("id")).values(situacao="processada"))
QUANDO = datetime(2026, 12, 3, 14, 30, 15, 123456, tzinfo=UTC)


async def test_valores_como_o_sqlalchemy_grava_e_le(engine: AsyncEngine) -> None:
    corpo = {"texto": "ação já paguei", "valor": 12.5, "lista": [1, None]}
    async with transacao(engine) as t:
        inserida = await t.linha(INSERIR, {"canal": "whatsapp", "id": "w1", "corpo": corpo, "quando": QUANDO})
        assert inserida is not None
        id_, quando, lido = inserida
        await t.linha(INSERIR, {"canal": "whatsapp", "id": "w2", "corpo": {}, "quando": QUANDO})
        assert await t.executar(FECHAR, {"id": "w2"}) == 1
        assert await t.executar(FECHAR, {"id": "nenhuma"}) == 0
    assert (quando, lido) == (QUANDO, corpo)
    async with engine.connect() as c:  # what the ORM reads back is what the driver wrote
        linha = (await c.execute(select(TABELA).where(TABELA.c.id == id_))).one()
    assert (linha.recebida_em, linha.corpo, linha.situacao) == (QUANDO, corpo, "pendente")
    assert linha.tentativas == 0  # the column's default, which SQLAlchemy applies in Python
    async with transacao(engine) as t:
        assert await t.linhas(ABERTAS) == [("w1",)]


async def test_erro_do_banco_vem_como_o_do_sqlalchemy_e_nada_fica(engine: AsyncEngine) -> None:
    valores = {"canal": "whatsapp", "id": "repetida", "corpo": {}, "quando": QUANDO}
    async with transacao(engine) as t:
        await t.linha(INSERIR, valores)
    with pytest.raises(IntegrityError):
        async with transacao(engine) as t:
            await t.executar(FECHAR, {"id": "repetida"})
            await t.linha(INSERIR, valores)  # the same (canal, id_externo)
    async with transacao(engine) as t:  # the update before the error was rolled back; the connection still works
        assert await t.linhas(ABERTAS) == [("repetida",)]


async def test_ouvintes_do_engine_veem_cada_comando(engine: AsyncEngine) -> None:
    vistos: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: vistos.append(a[2].split()[0]))
    async with transacao(engine) as t:
        await t.linhas(ABERTAS)
        await t.executar(FECHAR, {"id": "x"})
    assert vistos == ["SELECT", "UPDATE"]


def test_o_que_nao_se_prepara_e_recusado_com_o_motivo(engine: AsyncEngine) -> None:
    lista = Preparados(select(TABELA.c.id).where(TABELA.c.situacao.in_(["pendente", "processando"])))
    with pytest.raises(ValueError, match="lista expandida"):
        lista.para(engine.dialect)
    conversa = Conversa.__table__  # type: ignore[attr-defined]
    relogio = Preparados(update(conversa).where(conversa.c.id == bindparam("id")).values(estado="x"))
    with pytest.raises(ValueError, match="dê o valor de atualizada_em"):  # its onupdate reads the wall clock
        relogio.para(engine.dialect)


async def test_sqlite_espera_a_trava_de_escrita_sem_bloquear_o_laco(tmp_path: Path) -> None:
    """SQLite only (its own file, in both rounds): the single writer's lock."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'trava.db'}"
    migrar(url)
    engine = criar_engine(url)
    outro = sqlite3.connect(tmp_path / "trava.db", isolation_level=None)
    outro.execute("BEGIN IMMEDIATE")  # another writer holds the lock: BEGIN IMMEDIATE must wait for it
    ordem: list[str] = []

    async def liberar() -> None:  # runs only if the waiting transaction yields the loop
        await asyncio.sleep(0.05)
        ordem.append("liberada")
        outro.execute("COMMIT")

    tarefa = asyncio.create_task(liberar())
    try:
        async with transacao(engine) as t:
            ordem.append("dentro")
            await t.linha(INSERIR, {"canal": "sms", "id": "s1", "corpo": {}, "quando": QUANDO + timedelta(1)})
    finally:
        await tarefa
        outro.close()
        await engine.dispose()
    assert ordem == ["liberada", "dentro"]


async def test_agrupados_varios_passos_numa_transacao_cada_um_com_o_seu_resultado(engine: AsyncEngine) -> None:
    agrupados = Agrupados(engine, juntar=True)  # on PostgreSQL too, where the product runs them apart

    async def inserir(t: Transacao, wamid: str) -> int:
        inserida = await t.linha(INSERIR, {"canal": "whatsapp", "id": wamid, "corpo": {}, "quando": QUANDO})
        assert inserida is not None
        return int(inserida[0])

    ids = await asyncio.gather(*(agrupados.rodar(partial(inserir, wamid=f"g{i}")) for i in range(10)))
    assert len(set(ids)) == 10
    assert agrupados.transacoes < 10  # the ones that arrived together shared a commit
    async with transacao(engine) as t:
        assert [i for (i,) in await t.linhas(ABERTAS)] == [f"g{i}" for i in range(10)]


async def test_agrupados_um_passo_que_falha_nao_leva_os_outros(engine: AsyncEngine) -> None:
    agrupados = Agrupados(engine, juntar=True)  # on PostgreSQL too, where the product runs them apart
    async with transacao(engine) as t:
        await t.linha(INSERIR, {"canal": "whatsapp", "id": "existe", "corpo": {}, "quando": QUANDO})
    vistos: list[str] = []

    async def inserir(t: Transacao, wamid: str) -> str:
        vistos.append(wamid)
        await t.linha(INSERIR, {"canal": "whatsapp", "id": wamid, "corpo": {}, "quando": QUANDO})
        return wamid

    resultados = await asyncio.gather(
        *(agrupados.rodar(partial(inserir, wamid=w), ordem=n) for n, w in enumerate(["a", "existe", "b"])),
        return_exceptions=True,
    )
    assert resultados[0] == "a" and resultados[2] == "b"
    assert isinstance(resultados[1], IntegrityError)  # only the step with the repeated key fails
    # together first, in `ordem`, up to the failure; then one by one, each in its own transaction
    assert vistos == ["a", "existe", "a", "existe", "b"]
    async with transacao(engine) as t:
        assert sorted(i for (i,) in await t.linhas(ABERTAS)) == ["a", "b", "existe"]


async def test_agrupados_cancelado_nao_deixa_ninguem_esperando(engine: AsyncEngine) -> None:
    agrupados = Agrupados(engine, juntar=True)
    comecou = asyncio.Event()

    async def demorado(t: Transacao) -> None:
        comecou.set()
        await asyncio.Event().wait()  # holds the transaction until cancelled

    async def rapido(t: Transacao) -> int:
        return 1

    primeiro = asyncio.ensure_future(agrupados.rodar(demorado))
    await comecou.wait()
    segundo = asyncio.ensure_future(agrupados.rodar(rapido))  # waits for the next transaction
    assert agrupados._tarefa is not None
    agrupados._tarefa.cancel()
    for esperando in (primeiro, segundo):
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(esperando, 5)


async def test_agrupados_passo_isolado_que_falha_desfaz_so_o_seu(engine: AsyncEngine) -> None:
    agrupados = Agrupados(engine, juntar=True)  # on PostgreSQL too, where the product runs them apart

    async def inserir(t: Transacao, wamid: str, desistir: bool = False) -> str:
        await t.linha(INSERIR, {"canal": "whatsapp", "id": wamid, "corpo": {}, "quando": QUANDO})
        if desistir:  # as the conversation step does when it needs the ORM: after writing
            raise LookupError(wamid)
        return wamid

    passos = [partial(inserir, wamid="x"), partial(inserir, wamid="y", desistir=True), partial(inserir, wamid="z")]
    resultados = await asyncio.gather(
        *(agrupados.rodar(passo, ordem=n, isolado=True) for n, passo in enumerate(passos)), return_exceptions=True
    )
    assert resultados[0] == "x" and resultados[2] == "z" and isinstance(resultados[1], LookupError)
    assert agrupados.transacoes == 1  # one commit, nothing run twice
    async with transacao(engine) as t:
        assert [i for (i,) in await t.linhas(ABERTAS)] == ["x", "z"]  # "y" was rolled back to its savepoint
