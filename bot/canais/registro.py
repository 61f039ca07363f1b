"""A keyed sender with its own ledger (`envio_chave`), so the régua can ask after a crash whether a key went out.

The providers offer no lookup by idempotency key (the Cloud API, the Bot API and SMTP all answer only at send
time), so we keep one: a row before the call, its id right after. `localizar` then answers for the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from bot.canais.porta import Envio, EnvioIncerto, ErroCanal, Remetente, SemConfirmacao
from bot.dados.banco import sessao
from bot.dados.envios import EnvioChave


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
        anterior = await self._iniciar(envio)
        if anterior is not None:
            return anterior
        try:
            id_provedor = await self.remetente.enviar(envio)
        except SemConfirmacao as erro:  # it may have gone out: the key stays taken, a person decides
            raise EnvioIncerto(f"{envio.chave}: {erro}") from erro
        except ErroCanal:
            await esquecer(self.engine, envio.chave)  # the provider said no: nothing went out under this key
            raise
        async with sessao(self.engine) as s:
            linha = await s.get(EnvioChave, envio.chave)
            assert linha is not None
            linha.id_provedor, linha.confirmado_em = id_provedor, self.relogio()
            s.add(linha)
            await s.commit()
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

    async def _iniciar(self, envio: Envio) -> str | None:
        assert envio.chave is not None
        async with sessao(self.engine) as s:
            try:
                s.add(EnvioChave(chave=envio.chave, canal=envio.canal.value, iniciado_em=self.relogio()))
                await s.commit()
                return None
            except IntegrityError:
                await s.rollback()
            linha = await s.get(EnvioChave, envio.chave)
        if linha is None or linha.id_provedor is None:
            raise EnvioIncerto(f"{envio.chave}: já entregue ao provedor antes, sem resposta registrada")
        return linha.id_provedor


async def esquecer(engine: AsyncEngine, chave: str) -> None:
    """Drop a key from the ledger: the send under it did not (or no longer counts to have) happened."""
    async with sessao(engine) as s:
        await s.exec(delete(EnvioChave).where(col(EnvioChave.chave) == chave))
        await s.commit()
