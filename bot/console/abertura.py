"""An agent's message that opens a conversation (the debtor has not written for a day) obeys the contact policy.

The same rules as the régua's reminders (hours and holidays in the debtor's zone, caps, spacing, opt-out, pauses):
a person writing first is a contact like any other. Replies to a debtor who just wrote are not restricted.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendario import fuso
from bot.config.regua import Politica
from bot.console.janela import JANELA
from bot.console.operacoes import Recusa, destino
from bot.dados.modelos import Conversa, Devedor, Evento
from bot.disparo.contato import pode_contatar
from bot.disparo.situacao import CONTATO_POR_PESSOA


def abre_conversa(ultima_entrada: datetime | None, agora: datetime) -> bool:
    """The debtor never wrote in this conversation, or last wrote a day or more ago."""
    return ultima_entrada is None or agora - ultima_entrada >= JANELA


async def conferir_abertura(s: AsyncSession, politica: Politica, conversa_id: int, agora: datetime) -> None:
    """Raise a Recusa saying why and until when, when the policy does not allow opening the conversation now.

    Allowed, the opening is recorded in the session (committed with the agent's message) as a contact."""
    if not abre_conversa((await destino(s, conversa_id)).ultima_entrada, agora):
        return
    conversa = await s.get(Conversa, conversa_id)
    assert conversa is not None
    devedor = await s.get(Devedor, conversa.devedor_id)
    assert devedor is not None
    livre, motivo, quando = await pode_contatar(s, devedor, conversa.canal, agora, politica, por_pessoa=True)
    if livre:  # a contact like a reminder: it counts toward the caps and spacing (stored with the message)
        s.add(Evento(devedor_id=devedor.id or 0, conversa_id=conversa_id, tipo=CONTATO_POR_PESSOA, criado_em=agora))
        return
    inicio = "o devedor não escreve há mais de 24 h e a política de contato não permite escrever primeiro"
    if quando is None:
        raise Recusa(409, f"{inicio}: {motivo}. Não será permitido por este canal.")
    hora = quando.astimezone(fuso(devedor.uf)).strftime("%d/%m/%Y às %H:%M")
    raise Recusa(409, f"{inicio} agora: {motivo}. Permitido a partir de {hora} (horário do devedor).")
