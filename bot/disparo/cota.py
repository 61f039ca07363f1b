"""A channel's send rate shared by every instance sending from the same number: the token bucket in the database.

Taking tokens is one atomic `UPDATE … WHERE there are enough … RETURNING` of the channel's row, the same arithmetic
as `Balde.tomar`: PostgreSQL serialises concurrent updates of the row (each re-reads the level another just left),
SQLite serialises writers. However many dispatchers share the database, together they take fewer than `taxa`
tokens in any window of `Balde.janela` seconds. The clock is the instances' own (`time.time`, kept in step by NTP):
a clock a little behind the last taker's only refills nothing.

Within one process the takers queue (first come, first served) and wait as long as the level they last saw says,
before asking: with a single instance the first ask succeeds; with several it may not (another took meanwhile),
and the taker reads the level and waits again. An old level can only make the wait too short (other instances
only take tokens), never a send early: the take itself checks the level in the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, bindparam, case, type_coerce, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import NullType

from bot.dados.cru import Preparados, insercao, transacao
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
    _vez: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)  # this process's takers, one at a time
    _visto: Nivel | None = field(init=False, default=None)  # the level as this instance last saw it

    def __post_init__(self) -> None:
        self.balde = Balde(self.taxa)

    async def tomar(self, quantos: int) -> None:
        """Wait until `quantos` sends fit within the shared rate, and count them as leaving now."""
        while quantos > 0:
            parte = min(quantos, self.balde.capacidade)
            await self._tomar(parte)
            quantos -= parte

    async def _tomar(self, quantos: int) -> None:
        async with self._vez:
            while True:
                agora = self.relogio()
                if (espera := self._espera_prevista(agora, quantos)) > 0:
                    await self.dormir(espera)  # not there as of the level last seen; other instances only take more
                    continue
                async with transacao(self.engine) as t:
                    depois = await t.linha(_RETIRAR, self._valores(agora, quantos))
                    if depois is not None:
                        self._visto = Nivel(*depois)
                        return
                    linha = await t.linha(_NIVEL, {"b_chave": self.chave})
                    if linha is None:  # the channel's first use: its bucket starts full
                        cheio = self.balde.cheio(agora)
                        await t.executar(_CRIAR, {"b_chave": self.chave, "b_fichas": cheio.fichas, "b_em": cheio.em})
                        continue
                    self._visto = Nivel(*linha)
                await self.dormir(max(ESPERA_MINIMA, self.balde.espera(self._visto, agora, quantos)))

    def _espera_prevista(self, agora: float, quantos: int) -> float:
        """Seconds until the level last seen has the tokens; none when it is short by no more than the take
        tolerates (the clock's rounding would otherwise ask for sleeps too short to move it)."""
        if self._visto is None:
            return 0.0
        espera = self.balde.espera(self._visto, agora, quantos)
        return espera if espera * self.balde.por_segundo > ARREDONDAMENTO else 0.0

    def _valores(self, agora: float, quantos: int) -> dict[str, Any]:
        b = self.balde
        return {"b_chave": self.chave, "b_agora": agora, "b_quantos": float(quantos),
                "b_minimo": quantos - ARREDONDAMENTO, "b_capacidade": float(b.capacidade),
                "b_por_segundo": b.por_segundo}  # fmt: skip


# The level as the driver reads it (a float from SQLite and asyncpg alike): SQLAlchemy's float conversion for
# asyncpg needs the result's type code, which a statement prepared once does not have.
_SEM_CONVERSAO = (type_coerce(_TABELA.c.fichas, NullType()), type_coerce(_TABELA.c.em, NullType()))


def _retirar() -> Any:
    """Take `b_quantos` tokens if they are there (`Balde.tomar` in SQL); returns the level left, or no row."""
    t = _TABELA.c
    instante, capacidade = bindparam("b_agora", type_=Float), bindparam("b_capacidade", type_=Float)
    cheio = t.fichas + case((t.em < instante, (instante - t.em) * bindparam("b_por_segundo", type_=Float)), else_=0.0)
    disponivel = case((cheio > capacidade, capacidade), else_=cheio)
    depois = disponivel - bindparam("b_quantos", type_=Float)
    return (
        update(_TABELA)
        .where(t.chave == bindparam("b_chave"), disponivel >= bindparam("b_minimo", type_=Float))
        .values(fichas=depois, em=case((t.em < instante, instante), else_=t.em))
        .returning(*_SEM_CONVERSAO)
    )


_RETIRAR = Preparados(_retirar())
_NIVEL = Preparados(sa_select(*_SEM_CONVERSAO).where(_TABELA.c.chave == bindparam("b_chave")))
_CRIAR = Preparados(
    lambda dialeto: insercao(_TABELA, dialeto)
    .values(chave=bindparam("b_chave"), fichas=bindparam("b_fichas"), em=bindparam("b_em"))
    .on_conflict_do_nothing()
)
