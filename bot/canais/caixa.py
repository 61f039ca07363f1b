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

from sqlalchemy import BigInteger, bindparam, case, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.dados.banco import sessao
from bot.dados.cru import Agrupados, Preparados, Transacao, insercao, transacao
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
    """All rows in one transaction (an id repeated in the batch or already stored is skipped): the new ones by key."""
    unicas = list({(linha["canal"], linha["id_externo"]): linha for linha in reversed(linhas)}.values())[::-1]
    novas: dict[tuple[str, str], Guardada] = {}
    if not unicas:
        return novas
    async with transacao(engine) as t:
        for linha in unicas:
            if (guardada := await t.linha(_GUARDAR, linha)) is not None:
                novas[(linha["canal"], linha["id_externo"])] = (int(guardada[0]), guardada[1])
    return novas


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


_TABELA: Any = Atualizacao.__table__  # type: ignore[attr-defined]
# Built once and run on the driver (`bot/dados/cru.py`): every webhook, message and delivery status passes here.
_GUARDAR = Preparados(
    lambda dialeto: (
        insercao(_TABELA, dialeto)
        .values({c: bindparam(c) for c in ("canal", "tipo", "id_externo", "corpo", "remetente", "situacao")})
        .values(recebida_em=bindparam("recebida_em"), tentativas=bindparam("tentativas"))
        .on_conflict_do_nothing(index_elements=["canal", "id_externo"])
        .returning(_TABELA.c.id, _TABELA.c.remetente)
    )
)
_FECHAR = Preparados(
    update(_TABELA)
    .where(_TABELA.c.id == bindparam("alvo"), _TABELA.c.situacao == PROCESSANDO)
    .values(situacao=bindparam("nova"), erro=bindparam("erro"), processada_em=bindparam("agora"))
)
_TRAVAR = Preparados(sa_select(func.pg_advisory_xact_lock(bindparam("chave", type_=BigInteger))))
_ANOTAR = Preparados(update(_TABELA).where(_TABELA.c.id == bindparam("alvo")).values(erro=bindparam("erro")))
_COLUNAS = tuple(coluna.name for coluna in _TABELA.c)


def _vencida(agora: datetime, prazo: Prazo) -> Any:
    limite = agora - prazo.duracao
    return or_(col(Atualizacao.reivindicada_em).is_(None), col(Atualizacao.reivindicada_em) < limite)


def _reivindicavel(agora: datetime, prazo: Prazo) -> Any:
    return or_(
        col(Atualizacao.situacao) == PENDENTE,
        (col(Atualizacao.situacao) == PROCESSANDO) & _vencida(agora, prazo),
    )


_INSTANTE = _TABELA.c.reivindicada_em.type
_DESISTIR = _TABELA.c.tentativas >= bindparam("maximo")


def _tomada(alvo: Any) -> Preparados:
    """Claim the row `alvo` (or give it up, out of attempts) in one statement, if it is claimable."""
    return Preparados(
        update(_TABELA)
        .where(
            _TABELA.c.id == alvo,
            or_(
                _TABELA.c.situacao == PENDENTE,
                (_TABELA.c.situacao == PROCESSANDO)
                & or_(_TABELA.c.reivindicada_em.is_(None), _TABELA.c.reivindicada_em < bindparam("limite")),
            ),
        )
        .values(
            situacao=case((_DESISTIR, SituacaoAtualizacao.FALHOU.value), else_=PROCESSANDO),
            reivindicada_em=case((_DESISTIR, _TABELA.c.reivindicada_em), else_=bindparam("agora", type_=_INSTANTE)),
            tentativas=case((_DESISTIR, _TABELA.c.tentativas), else_=_TABELA.c.tentativas + 1),
            processada_em=case((_DESISTIR, bindparam("agora", type_=_INSTANTE)), else_=_TABELA.c.processada_em),
        )
        .returning(*_TABELA.c)
    )


# The sender's oldest unfinished row; and one row by id (a delivery status, which needs no order).
_TOMAR_PRIMEIRA = _tomada(
    sa_select(_TABELA.c.id)
    .where(_TABELA.c.remetente == bindparam("r"), _TABELA.c.situacao.in_([literal(PENDENTE), literal(PROCESSANDO)]))
    .order_by(_TABELA.c.id)
    .limit(1)
    .scalar_subquery()
)
_TOMAR_ESTA = _tomada(bindparam("alvo"))


def _parametros(agora: datetime, prazo: Prazo, **outros: Any) -> dict[str, Any]:
    return {"agora": agora, "limite": agora - prazo.duracao, "maximo": prazo.tentativas, **outros}


async def _tomar(t: Transacao, comando: Preparados, parametros: dict[str, Any], prazo: Prazo) -> Atualizacao | None:
    """The row the claim changed (None: none): `processando` if ours, `falhou` if it was given up (noted)."""
    if (tomada := await t.linha(comando, parametros)) is None:
        return None
    linha = Atualizacao(**dict(zip(_COLUNAS, tomada, strict=True)))
    if linha.situacao != PROCESSANDO:
        linha.erro = f"desistência após {linha.tentativas} tentativas sem concluir (prazo {prazo.duracao})"
        log.error("%s %s: %s", linha.canal, linha.id_externo, linha.erro)
        await t.executar(_ANOTAR, {"alvo": linha.id, "erro": linha.erro})
    return linha


async def _fechar(t: Transacao, atualizacao_id: int, agora: datetime, erro: str | None) -> None:
    situacao = SituacaoAtualizacao.FALHOU if erro else SituacaoAtualizacao.PROCESSADA
    await t.executar(_FECHAR, {"alvo": atualizacao_id, "nova": situacao.value, "erro": erro, "agora": agora})


async def proxima(
    agrupados: Agrupados,
    remetente: str,
    agora: datetime,
    prazo: Prazo,
    feita: tuple[int, str | None] | None = None,
) -> Atualizacao | None:
    """Finish `feita` (id, error) and claim the sender's next row in one transaction; None when none is ours.

    None also when the oldest unfinished row is held by another worker (its lease still running) or was just
    claimed by someone else: whoever holds it goes on with the sender. On SQLite the transaction is shared with
    the other workers' steps of the moment (`Agrupados`, ordered by the senders' lock keys).
    """

    async def passo(t: Transacao) -> Atualizacao | None:
        if t.postgres:
            await t.linha(_TRAVAR, {"chave": chave_trava(remetente)})
        if feita is not None:
            await _fechar(t, feita[0], agora, feita[1])
        while (linha := await _tomar(t, _TOMAR_PRIMEIRA, _parametros(agora, prazo, r=remetente), prazo)) is not None:
            if linha.situacao == PROCESSANDO:
                return linha
        return None

    return await agrupados.rodar(passo, chave_trava(remetente))


async def reivindicar(agrupados: Agrupados, atualizacao_id: int, agora: datetime, prazo: Prazo) -> Atualizacao | None:
    """Claim one update that needs no order (a delivery status); None if it is not ours to run."""

    async def passo(t: Transacao) -> Atualizacao | None:
        return await _tomar(t, _TOMAR_ESTA, _parametros(agora, prazo, alvo=atualizacao_id), prazo)

    linha = await agrupados.rodar(passo)
    return linha if linha is not None and linha.situacao == PROCESSANDO else None


async def concluir(agrupados: Agrupados, atualizacao_id: int, agora: datetime, erro: str | None = None) -> None:
    async def passo(t: Transacao) -> None:
        await _fechar(t, atualizacao_id, agora, erro)

    await agrupados.rodar(passo)


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


async def purgar(engine: AsyncEngine, antes_de: datetime) -> int:
    """Delete the updates processed before `antes_de` (the debtor's message stays in its conversation); rows that
    failed stay for a person to look at. Returns how many went."""
    comando = _TABELA.delete().where(
        _TABELA.c.situacao == SituacaoAtualizacao.PROCESSADA.value, _TABELA.c.processada_em < antes_de
    )
    async with engine.begin() as c:
        return int((await c.execute(comando)).rowcount or 0)
