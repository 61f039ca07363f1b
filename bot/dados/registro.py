"""A keyed sender with its own ledger (`envio_chave`), so the régua can ask after a crash whether a key went out.

The providers offer no lookup by idempotency key (the Cloud API, the Bot API and SMTP all answer only at send
time), so we keep one: a row before the call, its id right after. `localizar` then answers for the provider.
The batch functions let a dispatcher write a whole group of keys in one commit before the calls, and complete
them in the same commit that settles its outbox rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.banco import sessao
from bot.dados.cru import Preparados, Transacao, insercao, transacao
from bot.dados.envios import EnvioChave
from bot.porta import Envio, EnvioIncerto, ErroCanal, Remetente, SemConfirmacao


@dataclass
class RemetenteRegistrado:
    """Wraps a channel's `Remetente`; sends without a key pass straight through."""

    engine: AsyncEngine
    remetente: Remetente
    relogio: Callable[[], datetime]

    async def enviar(self, envio: Envio) -> str:
        """Send once per key: a key already accepted returns its id without calling the provider again."""
        if envio.chave is None:
            return await self.remetente.enviar(envio)
        anteriores = await iniciar(self.engine, envio.canal.value, [envio.chave], self.relogio())
        if envio.chave in anteriores:
            return _ja_entregue(envio.chave, anteriores[envio.chave])
        try:
            id_provedor = await self.remetente.enviar(envio)
        except SemConfirmacao as erro:  # it may have gone out: the key stays taken, a person decides
            raise EnvioIncerto(f"{envio.chave}: {erro}") from erro
        except ErroCanal:
            await esquecer(self.engine, envio.chave)  # the provider said no: nothing went out under this key
            raise
        async with transacao(self.engine) as t:
            await confirmar_na(t, {envio.chave: id_provedor}, self.relogio())
        return id_provedor

    async def localizar(self, chave: str) -> str | None:
        """The provider's id for this key, None if it was never handed over; `EnvioIncerto` if we cannot tell."""
        async with sessao(self.engine) as s:
            linha = await s.get(EnvioChave, chave)
        if linha is None:
            return None
        if linha.id_provedor is None:
            raise EnvioIncerto(f"{chave}: entregue ao provedor em {linha.iniciado_em:%d/%m/%Y %H:%M} sem resposta")
        return linha.id_provedor


def _ja_entregue(chave: str, id_provedor: str | None) -> str:
    if id_provedor is None:
        raise EnvioIncerto(f"{chave}: já entregue ao provedor antes, sem resposta registrada")
    return id_provedor


_CHAVE: Any = EnvioChave.__table__  # type: ignore[attr-defined]
# Built once, run on a plain connection (no ORM session): every reply and every wave of the régua writes keys.
_CONFIRMAR = (
    update(_CHAVE)
    .where(_CHAVE.c.chave == bindparam("b_chave"))
    .values(id_provedor=bindparam("b_id"), confirmado_em=bindparam("b_quando"))
)


_NOVA = Preparados(
    lambda dialeto: insercao(_CHAVE, dialeto)
    .values(chave=bindparam("b_chave"), canal=bindparam("b_canal"), iniciado_em=bindparam("b_quando"))
    .on_conflict_do_nothing()
    .returning(_CHAVE.c.chave)
)
_ANTERIORES = sa_select(_CHAVE.c.chave, _CHAVE.c.id_provedor).where(
    _CHAVE.c.chave.in_(bindparam("b_chaves", expanding=True))
)
_ANTERIOR = Preparados(sa_select(_CHAVE.c.id_provedor).where(_CHAVE.c.chave == bindparam("b_chave")))
_CONFIRMAR_CRU = Preparados(_CONFIRMAR)


async def iniciar(engine: AsyncEngine, canal: str, chaves: Sequence[str], quando: datetime) -> dict[str, str | None]:
    """Write these keys before the provider is called, in one commit. Keys already in the ledger are returned with
    their provider id (None: handed over before and no answer recorded); the caller must not send those.

    One key (a reply: every inbound message passes here) runs on the driver (`bot/dados/cru.py`); a wave's keys
    go in one multi-row statement, one round trip however many they are."""
    if len(chaves) == 1:
        return await _iniciar_uma(engine, canal, chaves[0], quando)
    if not chaves:
        return {}
    async with engine.begin() as c:
        dialeto = postgresql if c.dialect.name == "postgresql" else sqlite
        linhas = [{"chave": chave, "canal": canal, "iniciado_em": quando} for chave in chaves]
        comando = dialeto.insert(_CHAVE).values(linhas).on_conflict_do_nothing().returning(_CHAVE.c.chave)
        novas = set((await c.execute(comando)).scalars().all())
        velhas = [chave for chave in chaves if chave not in novas]
        if not velhas:
            return {}
        return {chave: id_provedor for chave, id_provedor in await c.execute(_ANTERIORES, {"b_chaves": velhas})}


async def _iniciar_uma(engine: AsyncEngine, canal: str, chave: str, quando: datetime) -> dict[str, str | None]:
    async with transacao(engine) as t:
        return await iniciar_na(t, canal, chave, quando)


async def iniciar_na(t: Transacao, canal: str, chave: str, quando: datetime) -> dict[str, str | None]:
    """`iniciar` of one key in a transaction on the driver (a reply's); it must commit before the provider call."""
    if await t.linha(_NOVA, {"b_chave": chave, "b_canal": canal, "b_quando": quando}) is not None:
        return {}
    anterior = await t.linha(_ANTERIOR, {"b_chave": chave})
    return {chave: None if anterior is None else anterior[0]}


async def confirmar_em(c: AsyncConnection, ids: Mapping[str, str], quando: datetime) -> None:
    """Record the provider's ids for these keys inside the caller's transaction (not committed)."""
    if ids:
        await c.execute(_CONFIRMAR, [{"b_chave": k, "b_id": i, "b_quando": quando} for k, i in ids.items()])


async def confirmar_na(t: Transacao, ids: Mapping[str, str], quando: datetime) -> None:
    """`confirmar_em` in a transaction on the driver (the hot path's)."""
    for chave, id_provedor in ids.items():
        await t.executar(_CONFIRMAR_CRU, {"b_chave": chave, "b_id": id_provedor, "b_quando": quando})


async def confirmar(s: AsyncSession, ids: Mapping[str, str], quando: datetime) -> None:
    """`confirmar_em` in an ORM session's transaction."""
    if ids:
        await confirmar_em(await s.connection(), ids, quando)


async def esquecer_em(s: AsyncSession, chaves: Collection[str]) -> None:
    """Drop keys inside the caller's transaction: the sends under them did not happen (or no longer count)."""
    if chaves:
        await s.exec(delete(EnvioChave).where(col(EnvioChave.chave).in_(chaves)))


async def esquecer(engine: AsyncEngine, chave: str) -> None:
    """Drop a key from the ledger: the send under it did not (or no longer counts to have) happened."""
    async with engine.begin() as c:
        await c.execute(delete(_CHAVE).where(_CHAVE.c.chave == chave))
