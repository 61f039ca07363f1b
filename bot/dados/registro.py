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
from sqlalchemy.ext.asyncio import AsyncEngine

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
# Built once, run on the driver (`bot/dados/cru.py`): every reply and every wave of the régua writes keys.
_NOVA = Preparados(
    lambda dialeto: insercao(_CHAVE, dialeto)
    .values(chave=bindparam("b_chave"), canal=bindparam("b_canal"), iniciado_em=bindparam("b_quando"))
    .on_conflict_do_nothing()
    .returning(_CHAVE.c.chave)
)
_ANTERIOR = Preparados(sa_select(_CHAVE.c.id_provedor).where(_CHAVE.c.chave == bindparam("b_chave")))
_CONFIRMAR = Preparados(
    update(_CHAVE)
    .where(_CHAVE.c.chave == bindparam("b_chave"))
    .values(id_provedor=bindparam("b_id"), confirmado_em=bindparam("b_quando"))
)
_ESQUECER = Preparados(delete(_CHAVE).where(_CHAVE.c.chave == bindparam("b_chave")))


async def iniciar(engine: AsyncEngine, canal: str, chaves: Sequence[str], quando: datetime) -> dict[str, str | None]:
    """Write these keys before the provider is called, in one commit. Keys already in the ledger are returned with
    their provider id (None: handed over before and no answer recorded); the caller must not send those."""
    if not chaves:
        return {}
    async with transacao(engine) as t:
        return await iniciar_na(t, canal, chaves, quando)


async def iniciar_na(t: Transacao, canal: str, chaves: Sequence[str], quando: datetime) -> dict[str, str | None]:
    """`iniciar` in a transaction on the driver (`bot/dados/cru.py`: a statement per key costs microseconds); it
    must commit before the provider is called."""
    anteriores: dict[str, str | None] = {}
    for chave in chaves:
        if await t.linha(_NOVA, {"b_chave": chave, "b_canal": canal, "b_quando": quando}) is None:
            anterior = await t.linha(_ANTERIOR, {"b_chave": chave})
            anteriores[chave] = None if anterior is None else anterior[0]
    return anteriores


async def confirmar_na(t: Transacao, ids: Mapping[str, str], quando: datetime) -> None:
    """Record the provider's ids for these keys inside the caller's transaction on the driver (not committed)."""
    valores = [{"b_chave": chave, "b_id": id_provedor, "b_quando": quando} for chave, id_provedor in ids.items()]
    await t.executar_muitos(_CONFIRMAR, valores)


async def esquecer_na(t: Transacao, chaves: Collection[str]) -> None:
    """Drop keys inside the caller's transaction on the driver: the sends under them did not happen (or no
    longer count)."""
    await t.executar_muitos(_ESQUECER, [{"b_chave": chave} for chave in chaves])


async def esquecer(engine: AsyncEngine, chave: str) -> None:
    """Drop a key from the ledger: the send under it did not (or no longer counts to have) happened."""
    async with transacao(engine) as t:
        await esquecer_na(t, [chave])
