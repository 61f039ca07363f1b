"""A channel's send rate shared by every instance sending from the same number: the token bucket in the database.

Taking tokens is one atomic `UPDATE … WHERE there are enough … RETURNING` of the channel's row, the same arithmetic
as `Balde.tomar`: PostgreSQL serialises concurrent updates of the row (each re-reads the level another just left),
SQLite serialises writers. However many dispatchers share the database, together they take fewer than `taxa`
tokens in any window of `Balde.janela` seconds. The clock is the instances' own (`time.time`, kept in step by NTP):
a clock a little behind the last taker's only refills nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, literal, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.dados.fichas import FichasEnvio
from bot.regua.balde import ARREDONDAMENTO, Balde, Nivel

_TABELA: Any = FichasEnvio.__table__  # type: ignore[attr-defined]
ESPERA_MINIMA = 0.001  # seconds: another instance took the tokens between our two statements; look again soon


@dataclass
class Cota:
    engine: AsyncEngine
    chave: str  # the channel
    taxa: int
    relogio: Callable[[], float] = time.time
    dormir: Callable[[float], Awaitable[None]] = asyncio.sleep
    balde: Balde = field(init=False)

    def __post_init__(self) -> None:
        self.balde = Balde(self.taxa)

    async def tomar(self, quantos: int) -> None:
        """Wait until `quantos` sends fit within the shared rate, and count them as leaving now."""
        while quantos > 0:
            parte = min(quantos, self.balde.capacidade)
            await self._tomar(parte)
            quantos -= parte

    async def _tomar(self, quantos: int) -> None:
        while True:
            agora = self.relogio()
            async with self.engine.begin() as conexao:
                if await self._retirar(conexao, agora, quantos):
                    return
                nivel = await self._nivel(conexao)
                if nivel is None:  # the channel's first use: its bucket starts full
                    await self._criar(conexao, agora)
                    continue
            await self.dormir(max(ESPERA_MINIMA, self.balde.espera(nivel, agora, quantos)))

    async def _retirar(self, conexao: AsyncConnection, agora: float, quantos: int) -> bool:
        t, b = _TABELA.c, self.balde
        instante = literal(agora)
        cheio = t.fichas + case((t.em < instante, (instante - t.em) * b.por_segundo), else_=0.0)
        disponivel = case((cheio > b.capacidade, float(b.capacidade)), else_=cheio)
        comando = (
            update(_TABELA)
            .where(t.chave == self.chave, disponivel >= quantos - ARREDONDAMENTO)
            .values(fichas=disponivel - quantos, em=case((t.em < instante, instante), else_=t.em))
            .returning(t.chave)
        )
        return (await conexao.execute(comando)).first() is not None

    async def _nivel(self, conexao: AsyncConnection) -> Nivel | None:
        consulta = sa_select(_TABELA.c.fichas, _TABELA.c.em).where(_TABELA.c.chave == self.chave)
        linha = (await conexao.execute(consulta)).first()
        return None if linha is None else Nivel(linha.fichas, linha.em)

    async def _criar(self, conexao: AsyncConnection, agora: float) -> None:
        cheio = self.balde.cheio(agora)
        dialeto = postgresql if conexao.dialect.name == "postgresql" else sqlite
        comando = dialeto.insert(_TABELA).values(chave=self.chave, fichas=cheio.fichas, em=cheio.em)
        await conexao.execute(comando.on_conflict_do_nothing())
