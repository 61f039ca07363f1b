"""The contact policy for messages outside the régua: bot follow-ups and agents' messages that open a conversation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.regua import CANAIS_DA_REGUA, Politica
from bot.dados.modelos import Devedor
from bot.disparo import situacao as fatos
from bot.porta import TipoCanal
from bot.regua.politica_contato import Adiado, Liberado, decidir

_SEM_PRAZO = datetime.max.replace(tzinfo=UTC)  # an agent's message does not expire: say when, however far
_HISTORICO = timedelta(days=8)  # enough for the weekly cap


async def pode_contatar(
    s: AsyncSession,
    devedor: Devedor,
    canal: TipoCanal | str,
    agora: datetime,
    politica: Politica,
    por_pessoa: bool = False,
) -> tuple[bool, str | None, datetime | None]:
    """(allowed now, why not, the next allowed instant — None when never: opt-out, no address on that channel).

    The same rules as the régua's reminders: hours and holidays in the debtor's zone, caps across channels,
    spacing, opt-out and pauses. With `por_pessoa` (an agent writing) the agent's own ownership is no pause.
    """
    assert devedor.id is not None
    canal = TipoCanal(canal)
    alvo = (await fatos.devedores(s, politica, agora, devedor.id))[devedor.id]
    if canal in CANAIS_DA_REGUA and alvo.destino(canal) is None:
        return False, f"sem endereço para {canal.value}", None
    if por_pessoa and alvo.pausa == fatos.PAUSA_PESSOA:
        alvo = replace(alvo, pausa=None)
    envios = (await fatos.contatos(s, agora - _HISTORICO, pendentes=False, devedor_id=devedor.id)).get(devedor.id, [])
    decisao = decidir(politica, devedor.uf, agora, envios, alvo.impedimento(), _SEM_PRAZO)
    if isinstance(decisao, Liberado):
        return True, None, agora
    if isinstance(decisao, Adiado):
        return False, decisao.motivo, decisao.quando
    return False, decisao.motivo, None
