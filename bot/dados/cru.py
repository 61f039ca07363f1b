"""The hot path's statements run straight on the driver: aiosqlite (inline on the loop) or asyncpg.

SQLAlchemy compiles each Core statement once per dialect — its SQL text, the order of its parameters and the
conversions of its column types — and `Transacao` runs it on the pooled connection's driver. Executing through
SQLAlchemy costs ~0.3–1 ms of CPU per statement on the inbound path (the async adapter, the greenlet, building
the result); a driver call costs tens of microseconds. The ORM stays everywhere the path is not hot.

A transaction on SQLite starts with `BEGIN IMMEDIATE`: it takes the write lock first (waiting on the loop, never
blocking it), so a read in it can never turn into a write that fails on a newer snapshot. Driver errors are
raised as SQLAlchemy's (`IntegrityError`, `OperationalError`, …), as the rest of the code expects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.util.concurrency import greenlet_spawn

log = logging.getLogger(__name__)

T = TypeVar("T")

Processador = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Preparado:
    """A statement compiled for one dialect: SQL text, parameter names in order, fixed values, conversions."""

    sql: str
    nomes: tuple[str, ...]
    fixos: Mapping[str, Any]
    entrada: Mapping[str, Callable[[Any], Any]]
    saida: tuple[Processador, ...]

    def parametros(self, valores: Mapping[str, Any]) -> tuple[Any, ...]:
        juntos = {**self.fixos, **valores}
        return tuple(self.entrada[nome](juntos[nome]) if nome in self.entrada else juntos[nome] for nome in self.nomes)

    def linha(self, bruta: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(valor if p is None else p(valor) for p, valor in zip(self.saida, bruta, strict=True))


def preparar(comando: ClauseElement, dialeto: Dialect) -> Preparado:
    """Compile once; named parameters (`bindparam`) are given at each run, the others are fixed here. An `IN` of
    fixed values is written with `literal()` items: a list would be expanded at each run."""
    compilado: Any = comando.compile(dialect=dialeto)
    if compilado._post_compile_expanded_state is not None or "POSTCOMPILE" in compilado.string:
        raise ValueError(f"comando com lista expandida a cada execução, não pode ser preparado: {compilado.string}")
    fixos = {nome: bind.effective_value for nome, bind in compilado.binds.items() if not bind.required}
    for coluna in [*compilado.insert_prefetch, *compilado.update_prefetch]:  # Python-side column defaults
        padrao = coluna.onupdate if coluna in compilado.update_prefetch else coluna.default
        if not padrao.is_scalar:
            raise ValueError(f"dê o valor de {coluna.key}: o padrão calculado da coluna não é aplicado aqui")
        fixos[coluna.key] = padrao.arg
    saida = tuple(coluna.type._cached_result_processor(dialeto, None) for coluna in compilado._result_columns)
    return Preparado(
        sql=compilado.string,
        nomes=tuple(compilado.positiontup or ()),
        fixos=fixos,
        entrada=dict(compilado._bind_processors),
        saida=saida,
    )


class Preparados:
    """A statement built on first use for the engine's dialect (module-level statements know no dialect). Given a
    function, the statement itself depends on the dialect (an `INSERT … ON CONFLICT` of SQLite or PostgreSQL)."""

    def __init__(self, comando: ClauseElement | Callable[[str], ClauseElement]) -> None:
        self.comando = comando
        self._por_dialeto: dict[str, Preparado] = {}

    def para(self, dialeto: Dialect) -> Preparado:
        preparado = self._por_dialeto.get(dialeto.name)
        if preparado is None:
            comando = self.comando if isinstance(self.comando, ClauseElement) else self.comando(dialeto.name)
            preparado = self._por_dialeto[dialeto.name] = preparar(comando, dialeto)
        return preparado


def insercao(tabela: Any, nome_do_dialeto: str) -> Any:
    """The dialect's own `INSERT` (with `on_conflict_do_nothing`) for `Preparados` built by a function."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql if nome_do_dialeto == "postgresql" else sqlite).insert(tabela)


@dataclass
class Transacao:
    """One transaction on a pooled connection's driver; statements are `Preparados` with their named values."""

    dialeto: Dialect
    adaptada: Any  # SQLAlchemy's adapted DB-API connection (translates the driver's errors)
    driver: Any  # aiosqlite.Connection or asyncpg.Connection
    engine: Engine  # for its `before_cursor_execute` listeners (statement counters, fault tests)

    def _anunciar(self, sql: str, parametros: Sequence[Any]) -> None:
        if self.engine._has_events:
            self.engine.dispatch.before_cursor_execute(None, None, sql, parametros, None, False)

    @property
    def postgres(self) -> bool:
        return self.dialeto.name == "postgresql"

    async def linhas(self, comando: Preparados, valores: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        preparado = comando.para(self.dialeto)
        parametros = preparado.parametros(valores or {})
        self._anunciar(preparado.sql, parametros)
        try:
            if self.postgres:
                brutas: Sequence[Any] = await self.driver.fetch(preparado.sql, *parametros)
            else:
                async with self.driver.execute(preparado.sql, parametros) as cursor:
                    brutas = await cursor.fetchall()
        except Exception as erro:
            raise self._traduzir(erro, preparado.sql, parametros) from erro
        return [preparado.linha(bruta) for bruta in brutas]

    async def linha(self, comando: Preparados, valores: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        linhas = await self.linhas(comando, valores)
        return linhas[0] if linhas else None

    async def executar(self, comando: Preparados, valores: Mapping[str, Any] | None = None) -> int:
        """Run a statement without rows; returns how many rows it changed."""
        preparado = comando.para(self.dialeto)
        parametros = preparado.parametros(valores or {})
        self._anunciar(preparado.sql, parametros)
        try:
            if self.postgres:
                situacao: str = await self.driver.execute(preparado.sql, *parametros)
                return int(situacao.rsplit(" ", 1)[-1]) if situacao[-1:].isdigit() else 0
            async with self.driver.execute(preparado.sql, parametros) as cursor:
                return int(cursor.rowcount)
        except Exception as erro:
            raise self._traduzir(erro, preparado.sql, parametros) from erro

    async def executar_muitos(self, comando: Preparados, valores: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement without rows once per set of values (asyncpg pipelines them: one round trip)."""
        if not valores:
            return
        preparado = comando.para(self.dialeto)
        parametros = [preparado.parametros(v) for v in valores]
        for um in parametros:
            self._anunciar(preparado.sql, um)
        try:
            if self.postgres:
                await self.driver.executemany(preparado.sql, parametros)
            else:
                async with self.driver.executemany(preparado.sql, parametros):
                    pass
        except Exception as erro:
            raise self._traduzir(erro, preparado.sql, parametros[0]) from erro

    async def _comando(self, sql: str) -> None:
        try:
            if self.postgres:
                await self.driver.execute(sql)
            else:
                async with self.driver.execute(sql):
                    pass
        except Exception as erro:
            raise self._traduzir(erro, sql, ()) from erro

    def _traduzir(self, erro: Exception, sql: str, parametros: Sequence[Any]) -> Exception:
        """The driver's error as SQLAlchemy raises it (so `banco_fora` and `IntegrityError` handlers see it)."""
        original: Exception = erro
        if self.postgres:
            try:
                self.adaptada._handle_exception(erro)  # raises the DB-API error asyncpg's adapter maps it to
            except Exception as do_adaptador:
                original = do_adaptador
        dbapi: Any = self.dialeto.loaded_dbapi
        if not isinstance(original, dbapi.Error):
            return erro
        perdida = self.dialeto.is_disconnect(original, self.adaptada, None)
        como_sqlalchemy: Exception = DBAPIError.instance(
            sql, tuple(parametros), original, dbapi.Error, connection_invalidated=perdida, dialect=self.dialeto
        )
        return como_sqlalchemy


@asynccontextmanager
async def transacao(engine: AsyncEngine, *, leitura: bool = False) -> AsyncIterator[Transacao]:
    """A connection from the engine's pool, one transaction on its driver: committed on success, else rolled
    back; a connection the database dropped is discarded from the pool. `leitura`: it only reads (on SQLite, no
    write lock is taken)."""
    sincrono = engine.sync_engine
    # The pool itself, not an `AsyncConnection`: half the cost of a short transaction was that wrapper. Checkout
    # and checkin run in a greenlet, as SQLAlchemy's own do (a new connection is opened by the async creator).
    bruta = await greenlet_spawn(sincrono.pool.connect)
    t = Transacao(engine.dialect, bruta.dbapi_connection, bruta.driver_connection, sincrono)
    try:
        await t._comando("BEGIN" if t.postgres or leitura else "BEGIN IMMEDIATE")
        yield t
        await t._comando("COMMIT")
    except BaseException as erro:
        await _desfazer(t)
        if (isinstance(erro, DBAPIError) and erro.connection_invalidated) or (t.postgres and t.driver.is_closed()):
            # As SQLAlchemy does on a disconnect: every connection opened before is renewed at its next checkout.
            sincrono.pool._invalidate(bruta, erro)
            await greenlet_spawn(bruta.invalidate, erro)
        raise
    finally:
        await greenlet_spawn(bruta.close)


async def _desfazer(t: Transacao) -> None:
    """Roll back what is open (nothing, if the failure was the BEGIN or the COMMIT itself)."""
    try:
        if t.postgres:
            if t.driver.is_in_transaction():
                await t.driver.execute("ROLLBACK")
        elif t.driver.in_transaction:
            await t.driver.rollback()
    except Exception as erro:  # the connection is gone: the pool checks it at the next checkout
        log.debug("rollback impossível (%s): a conexão será testada antes do próximo uso", erro)


@dataclass
class _Passo:
    ordem: int
    passo: Callable[[Transacao], Awaitable[Any]]
    isolado: bool
    futuro: asyncio.Future[Any]


class Agrupados:
    """Group commit for the hot path's short transactions (claiming an inbound update, the conversation step,
    finishing it, a reply's key and its provider id): on SQLite the steps that arrive while one transaction runs go
    together in the next, one BEGIN, one COMMIT and one pooled connection for all of them. Each caller gets its own
    result only after the commit that holds its writes.

    A step given `isolado` runs under a SAVEPOINT: when it raises (a step that turns out to need the ORM, a message
    seen before, a conversation changed meanwhile), only its own writes are undone and the others go on. Any other
    failure of the shared transaction runs its steps again one by one, each in its own transaction, so a step that
    fails (a deadlock, the database away) fails only itself. Steps run in `ordem` (PostgreSQL advisory locks taken
    in one order by every instance cannot deadlock one another): a step must need no more than its own writes.
    """

    def __init__(self, engine: AsyncEngine, maximo: int = 64, juntar: bool | None = None) -> None:
        self.engine = engine
        self.maximo = maximo
        # SQLite has one writer, so its transactions queue anyway: one for many is pure gain. On PostgreSQL the
        # workers' transactions run side by side on their own connections, and queueing their statements on one
        # measured 5-10 % slower (docs/desempenho.md): there each step keeps a transaction of its own.
        self.juntar = engine.dialect.name == "sqlite" if juntar is None else juntar
        self.transacoes = 0  # transactions begun, for the tests
        self._espera: list[_Passo] = []
        self._tarefa: asyncio.Task[None] | None = None

    async def rodar(self, passo: Callable[[Transacao], Awaitable[T]], ordem: int = 0, isolado: bool = False) -> T:
        if not self.juntar:
            self.transacoes += 1
            async with transacao(self.engine) as t:
                return await passo(t)
        futuro: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._espera.append(_Passo(ordem, passo, isolado, futuro))
        if self._tarefa is None or self._tarefa.done():
            self._tarefa = asyncio.create_task(self._esvaziar())
        return await futuro

    async def _esvaziar(self) -> None:
        lote: list[_Passo] = []
        try:
            while self._espera:
                lote = sorted(self._espera[: self.maximo], key=lambda item: item.ordem)
                del self._espera[: self.maximo]
                if len(lote) == 1 or not await self._juntos(lote):
                    for item in lote:
                        await self._sozinho(item)
        except BaseException:  # cancelled with the loop: nobody may wait forever
            for item in [*lote, *self._espera]:
                if not item.futuro.done():
                    item.futuro.cancel()
            self._espera.clear()
            raise

    async def _juntos(self, lote: list[_Passo]) -> bool:
        self.transacoes += 1
        desfechos: list[tuple[Any, Exception | None]] = []
        try:
            async with transacao(self.engine) as t:
                for item in lote:
                    desfechos.append(await (self._salvo(t, item.passo) if item.isolado else _desfecho(t, item.passo)))
                    if desfechos[-1][1] is not None and not item.isolado:
                        raise desfechos[-1][1]
        except Exception as falha:
            log.debug("transação agrupada de %s passos falhou (%s): um por um", len(lote), falha)
            return False
        for item, (resultado, erro) in zip(lote, desfechos, strict=True):
            _entregar(item.futuro, resultado, erro)
        return True

    @staticmethod
    async def _salvo(t: Transacao, passo: Callable[[Transacao], Awaitable[Any]]) -> tuple[Any, Exception | None]:
        await t._comando("SAVEPOINT passo")
        resultado, erro = await _desfecho(t, passo)
        await t._comando("ROLLBACK TO SAVEPOINT passo" if erro is not None else "RELEASE SAVEPOINT passo")
        if erro is not None:
            await t._comando("RELEASE SAVEPOINT passo")
        return resultado, erro

    async def _sozinho(self, item: _Passo) -> None:
        self.transacoes += 1
        try:
            async with transacao(self.engine) as t:
                resultado = await item.passo(t)
        except Exception as erro:
            _entregar(item.futuro, None, erro)
            return
        _entregar(item.futuro, resultado, None)


async def _desfecho(t: Transacao, passo: Callable[[Transacao], Awaitable[Any]]) -> tuple[Any, Exception | None]:
    try:
        return await passo(t), None
    except Exception as erro:
        return None, erro


def _entregar(futuro: asyncio.Future[Any], resultado: Any, erro: Exception | None) -> None:
    if futuro.done():  # its caller was cancelled
        return
    if erro is not None:
        futuro.set_exception(erro)
    else:
        futuro.set_result(resultado)
