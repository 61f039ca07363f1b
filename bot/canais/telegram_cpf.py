"""Telegram: an unknown chat identifies itself by CPF, then passes the flow's own identity check.

Nothing is disclosed before that check: a CPF that is malformed, not in the portfolio, or whose debtor already has
a Telegram chat gets one and the same generic answer, and a chat gets `MAX_TENTATIVAS` of those before it only
hears the unknown-contact message (no probing the portfolio). A matching CPF hands the chat to the flow, which
greets and asks its identity factors like on any channel; only when the flow records `identidade_ok` does the
chat become the debtor's `telegram_id`.
"""

from __future__ import annotations

import logging

from sqlmodel import select

from bot.canais.porta import TipoCanal
from bot.canais.recepcao import Recepcao
from bot.canais.textos import Aviso
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.identificacao import IdentificacaoTelegram
from bot.dados.modelos import Conversa, Devedor
from bot.formatos import cpf_valido, so_digitos

log = logging.getLogger(__name__)

CANAL = TipoCanal.TELEGRAM
MAX_TENTATIVAS = 3


async def em_identificacao(recepcao: Recepcao, chat_id: str) -> int | None:
    """The debtor whose CPF this chat typed, while the flow's identity check is running; None otherwise."""
    async with sessao(recepcao.engine) as s:
        linha = await s.get(IdentificacaoTelegram, chat_id)
    return linha.devedor_id if linha else None


async def identificar(recepcao: Recepcao, chat_id: str, texto: str, id_externo: str) -> None:
    """One message from a chat that is not (yet) any debtor's."""
    async with sessao(recepcao.engine) as s:
        linha = await s.get(IdentificacaoTelegram, chat_id)
        if linha is None:
            s.add(IdentificacaoTelegram(chat_id=chat_id, criada_em=recepcao.agora()))
            await s.commit()
            await recepcao.avisar(CANAL, chat_id, Aviso.PEDIR_CPF)
            return
        if linha.devedor_id is not None:
            devedor_id = linha.devedor_id
        elif not texto.strip():  # a sticker or a photo instead of the CPF: ask again, it is no attempt
            await recepcao.avisar(CANAL, chat_id, Aviso.PEDIR_CPF)
            return
        elif linha.tentativas >= MAX_TENTATIVAS:
            await recepcao.avisar(CANAL, chat_id, Aviso.DESCONHECIDO)
            return
        else:
            achado = await _por_cpf(recepcao, texto)
            if achado is None:
                linha.tentativas += 1
                s.add(linha)
                await s.commit()
                await recepcao.avisar(CANAL, chat_id, Aviso.CPF_NAO_CONFERE)
                return
            linha.devedor_id = devedor_id = achado
            s.add(linha)
            await s.commit()
            texto = "oi"  # the flow starts from its greeting, whatever the CPF message said
    if not texto.strip():
        await recepcao.avisar(CANAL, chat_id, Aviso.SO_TEXTO)
        return
    await recepcao.responder(CANAL, chat_id, devedor_id, Entrada(texto), id_externo)
    await vincular_se_confirmado(recepcao, chat_id, devedor_id)


async def vincular_se_confirmado(recepcao: Recepcao, chat_id: str, devedor_id: int) -> None:
    """The flow confirmed identity: the chat becomes the debtor's Telegram and the pending row goes away."""
    async with sessao(recepcao.engine) as s:
        consulta = select(Conversa).where(Conversa.devedor_id == devedor_id, Conversa.canal == CANAL.value)
        conversa = (await s.exec(consulta)).first()
        if conversa is None or not conversa.memoria.get("identidade_ok"):
            return
        devedor = await s.get(Devedor, devedor_id)
        linha = await s.get(IdentificacaoTelegram, chat_id)
        if devedor is None or linha is None:
            return
        devedor.telegram_id = chat_id
        s.add(devedor)
        await s.delete(linha)
        await s.commit()
    log.info("chat do Telegram ligado ao devedor %s depois da confirmação de identidade", devedor_id)


async def _por_cpf(recepcao: Recepcao, texto: str) -> int | None:
    """The debtor with this CPF, if it is free to be tied to a new chat (no chat yet, no Telegram conversation)."""
    digitos = so_digitos(texto)
    if not cpf_valido(digitos):
        return None
    async with sessao(recepcao.engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.cpf == digitos))).first()
        if devedor is None or devedor.id is None or devedor.telegram_id is not None:
            return None
        consulta = select(Conversa).where(Conversa.devedor_id == devedor.id, Conversa.canal == CANAL.value)
        if (await s.exec(consulta)).first() is not None:
            return None  # a Telegram conversation exists (another chat, an old session): never inherit it
        pendente = select(IdentificacaoTelegram).where(IdentificacaoTelegram.devedor_id == devedor.id)
        if (await s.exec(pendente)).first() is not None:
            return None  # another chat is checking this CPF right now
        return devedor.id
