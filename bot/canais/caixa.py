"""The inbound box: updates stored before the webhook answers, then claimed under a lease by one worker at a time.

Rows of one sender (`remetente`, a debtor's chat on a channel) are claimed strictly in stored order and never two
at once: the claim takes the sender's oldest unfinished row only if it is pending (or its lease ran out). On
PostgreSQL every claim and every "finish and take the next" of a sender runs under a transaction-level advisory
lock keyed on the sender, so two instances cannot both miss a row stored between their steps; SQLite has a single
writer and needs no lock. A row claimed `tentativas` times without finishing is given up as `falhou`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.banco import sessao
from bot.dados.entrada import Atualizacao, SituacaoAtualizacao

log = logging.getLogger(__name__)

PENDENTE, PROCESSANDO = SituacaoAtualizacao.PENDENTE.value, SituacaoAtualizacao.PROCESSANDO.value

Unidade = tuple[str, str, dict[str, Any], str | None]  # tipo, id_externo, corpo, remetente
Guardada = tuple[int, str | None]  # id, remetente


@dataclass(frozen=True)
class Prazo:
    """How long a claim holds (`duracao`) and how many claims a row gets before it is given up."""

    duracao: timedelta = timedelta(minutes=2)
    tentativas: int = 5


def chave_trava(remetente: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_xact_lock` (Python's `hash` changes between processes)."""
    return int.from_bytes(hashlib.blake2b(remetente.encode(), digest_size=8).digest(), "big", signed=True)


def _linhas(canal: str, unidades: Sequence[Unidade], agora: datetime) -> list[dict[str, Any]]:
    return [
        {"canal": canal, "tipo": tipo, "id_externo": id_externo, "corpo": corpo, "remetente": remetente,
         "situacao": PENDENTE, "recebida_em": agora, "tentativas": 0}
        for tipo, id_externo, corpo, remetente in unidades
    ]  # fmt: skip


async def _inserir(engine: AsyncEngine, linhas: list[dict[str, Any]]) -> dict[tuple[str, str], Guardada]:
    """One INSERT for all rows (an id repeated in the batch or already stored is skipped): the new ones by key."""
    unicas = list({(linha["canal"], linha["id_externo"]): linha for linha in reversed(linhas)}.values())[::-1]
    if not unicas:
        return {}
    tabela = Atualizacao.__table__  # type: ignore[attr-defined]
    async with engine.begin() as conexao:
        resultado = await conexao.execute(
            _insercao(engine, unicas).returning(tabela.c.canal, tabela.c.id_externo, tabela.c.id, tabela.c.remetente)
        )
        return {(canal, id_externo): (int(i), r) for canal, id_externo, i, r in resultado.all()}


def _insercao(engine: AsyncEngine, linhas: list[dict[str, Any]]) -> Any:
    tabela = Atualizacao.__table__  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        comando: Any = postgresql.insert(tabela)
    else:
        comando = sqlite.insert(tabela)
    return comando.values(linhas).on_conflict_do_nothing(index_elements=["canal", "id_externo"])


def _novas(canal: str, unidades: Sequence[Unidade], inseridas: dict[tuple[str, str], Guardada]) -> list[Guardada]:
    novas = [inseridas.pop((canal, u[1])) for u in unidades if (canal, u[1]) in inseridas]
    if len(novas) < len(unidades):
        log.info("%s: %s atualização(ões) repetida(s), já recebida(s) antes", canal, len(unidades) - len(novas))
    return novas


async def guardar(engine: AsyncEngine, canal: str, unidades: Sequence[Unidade], agora: datetime) -> list[Guardada]:
    """Store the units in one statement; returns (id, remetente) of the new ones in order (repeats are skipped)."""
    return _novas(canal, unidades, await _inserir(engine, _linhas(canal, unidades, agora)))


@dataclass
class Gravador:
    """Group commit: the units of webhook requests arriving together are stored by one INSERT, one at a time.

    Each request still gets its 200 only after the transaction holding its rows commits; concurrent requests no
    longer compete for SQLite's single write lock (and its back-off sleeps) one by one.
    """

    engine: AsyncEngine
    espera: list[tuple[str, Sequence[Unidade], datetime, asyncio.Future[list[Guardada]]]] = field(default_factory=list)
    tarefa: asyncio.Task[None] | None = None

    async def guardar(self, canal: str, unidades: Sequence[Unidade], agora: datetime) -> list[Guardada]:
        futuro: asyncio.Future[list[Guardada]] = asyncio.get_running_loop().create_future()
        self.espera.append((canal, unidades, agora, futuro))
        if self.tarefa is None or self.tarefa.done():
            self.tarefa = asyncio.create_task(self._gravar())
        return await futuro

    async def _gravar(self) -> None:
        while self.espera:
            lote, self.espera = self.espera, []
            try:
                inseridas = await _inserir(self.engine, [x for c, u, a, _ in lote for x in _linhas(c, u, a)])
            except Exception as erro:  # each waiting request answers 500: the provider delivers again
                for *_, futuro in lote:
                    futuro.set_exception(erro)
                continue
            for canal, unidades, _, futuro in lote:
                futuro.set_result(_novas(canal, unidades, inseridas))


async def _travar(s: AsyncSession, remetente: str) -> None:
    assert s.bind is not None
    if s.bind.dialect.name == "postgresql":
        await s.exec(select(func.pg_advisory_xact_lock(chave_trava(remetente))))


def _vencida(agora: datetime, prazo: Prazo) -> Any:
    limite = agora - prazo.duracao
    return or_(col(Atualizacao.reivindicada_em).is_(None), col(Atualizacao.reivindicada_em) < limite)


def _reivindicavel(agora: datetime, prazo: Prazo) -> Any:
    return or_(
        col(Atualizacao.situacao) == PENDENTE,
        (col(Atualizacao.situacao) == PROCESSANDO) & _vencida(agora, prazo),
    )


async def _tomar(s: AsyncSession, linha: Atualizacao, agora: datetime, prazo: Prazo) -> bool | None:
    """Claim the row: True; out of attempts, given up: False; None if someone else changed it first."""
    assert linha.id is not None
    desistir = linha.tentativas >= prazo.tentativas
    valores: dict[str, Any] = {"situacao": PROCESSANDO, "reivindicada_em": agora, "tentativas": linha.tentativas + 1}
    if desistir:
        erro = f"desistência após {linha.tentativas} tentativas sem concluir (prazo {prazo.duracao})"
        valores = {"situacao": SituacaoAtualizacao.FALHOU.value, "erro": erro, "processada_em": agora}
        log.error("%s %s: %s", linha.canal, linha.id_externo, erro)
    resultado = await s.exec(
        update(Atualizacao)
        .where(col(Atualizacao.id) == linha.id, _reivindicavel(agora, prazo))
        .where(col(Atualizacao.tentativas) == linha.tentativas)
        .values(**valores)
    )
    if resultado.rowcount != 1:
        return None
    for nome, valor in valores.items():
        setattr(linha, nome, valor)
    return not desistir


async def _fechar(s: AsyncSession, atualizacao_id: int, agora: datetime, erro: str | None) -> None:
    situacao = SituacaoAtualizacao.FALHOU if erro else SituacaoAtualizacao.PROCESSADA
    await s.exec(
        update(Atualizacao)
        .where(col(Atualizacao.id) == atualizacao_id, col(Atualizacao.situacao) == PROCESSANDO)
        .values(situacao=situacao.value, erro=erro, processada_em=agora)
    )


async def proxima(
    engine: AsyncEngine, remetente: str, agora: datetime, prazo: Prazo, feita: tuple[int, str | None] | None = None
) -> Atualizacao | None:
    """Finish `feita` (id, error) and claim the sender's next row in one transaction; None when none is ours."""
    async with sessao(engine) as s:
        await _travar(s, remetente)
        if feita is not None:
            await _fechar(s, feita[0], agora, feita[1])
        while True:
            consulta = (
                select(Atualizacao)
                .where(Atualizacao.remetente == remetente)
                .where(col(Atualizacao.situacao).in_((PENDENTE, PROCESSANDO)))
                .order_by(col(Atualizacao.id))
                .limit(1)
            )
            linha = (await s.exec(consulta)).first()
            if linha is None or (linha.situacao == PROCESSANDO and not _expirou(linha, agora, prazo)):
                await s.commit()  # nothing left, or another worker holds the sender's oldest row
                return None
            tomada = await _tomar(s, linha, agora, prazo)
            if tomada is not False:  # claimed, or lost a race: whoever won goes on with the sender
                await s.commit()
                return linha if tomada else None


def _expirou(linha: Atualizacao, agora: datetime, prazo: Prazo) -> bool:
    return linha.reivindicada_em is None or linha.reivindicada_em < agora - prazo.duracao


async def reivindicar(engine: AsyncEngine, atualizacao_id: int, agora: datetime, prazo: Prazo) -> Atualizacao | None:
    """Claim one update that needs no order (a delivery status); None if it is not ours to run."""
    async with sessao(engine) as s:
        linha = await s.get(Atualizacao, atualizacao_id)
        if linha is None or linha.situacao not in (PENDENTE, PROCESSANDO):
            return None
        if linha.situacao == PROCESSANDO and not _expirou(linha, agora, prazo):
            return None
        tomada = await _tomar(s, linha, agora, prazo)
        await s.commit()
        return linha if tomada is True else None


async def concluir(engine: AsyncEngine, atualizacao_id: int, agora: datetime, erro: str | None = None) -> None:
    async with sessao(engine) as s:
        await _fechar(s, atualizacao_id, agora, erro)
        await s.commit()


async def a_retomar(engine: AsyncEngine, agora: datetime, prazo: Prazo, limite: int = 5000) -> list[Guardada]:
    """Rows any instance left behind: still pending, or claimed and not finished within the lease."""
    async with sessao(engine) as s:
        consulta = (
            select(Atualizacao.id, Atualizacao.remetente)
            .where(_reivindicavel(agora, prazo))
            .order_by(col(Atualizacao.id))
            .limit(limite)
        )
        return [(i, r) for i, r in (await s.exec(consulta)).all() if i is not None]
