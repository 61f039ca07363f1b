"""Telegram: an unknown chat identifies itself by CPF and birth date before the flow says a single word.

Two factors, one and the same answer whatever the portfolio holds: any well-formed CPF is followed by the
question for the birth date, so typing a CPF never shows whether it is a debtor's. Only when both match a debtor
who is free to be tied to a new chat (no Telegram chat or conversation yet, a birth date on file) does the chat
become the debtor's `telegram_id`; the flow then starts at its first state with identity confirmed. A CPF that
is malformed, unknown, taken or whose birth date does not match costs one of `MAX_TENTATIVAS` attempts and gets
the same words; after those the chat only hears the unknown-contact message (no probing the portfolio).

Nobody can hold or guess a debtor's sign-in: a chat that gave a CPF and never answers lets go of it after
`PRAZO_PENDENTE`; wrong birth dates for one CPF are counted across all chats, and `MAX_FALHAS_POR_CPF` of them
within `JANELA` lock that CPF out of Telegram sign-in (an `identificacao_telegram_bloqueada` event tells the
team, who can reach the debtor on the official channels); every lock ends with its `JANELA`, so the real
debtor can always start over.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.canais.recebido import AvisoDoCanal, Contexto, Fala, Recebido
from bot.conversa.fatos import Entrada, Memoria
from bot.conversa.nlu.entidades import extrair_entidades
from bot.dados.banco import sessao
from bot.dados.identificacao import EtapaIdentificacao, IdentificacaoTelegram
from bot.dados.modelos import Conversa, Devedor, Evento
from bot.formatos import cpf_valido, so_digitos
from bot.mensagens.avisos_canal import Aviso
from bot.porta import TipoCanal

log = logging.getLogger(__name__)

CANAL = TipoCanal.TELEGRAM
MAX_TENTATIVAS = 3
MAX_FALHAS_POR_CPF = 5
PRAZO_PENDENTE = timedelta(minutes=15)
JANELA = timedelta(hours=24)
FALHA = "identificacao_telegram_falha"
BLOQUEIO = "identificacao_telegram_bloqueada"


async def identificar(contexto: Contexto, chat_id: str, texto: str, id_externo: str) -> Recebido:
    """One message (or button press, with empty `texto`) from a chat that is not any debtor's: what to ask next,
    or, once both factors match, the debtor's first words to the conversation."""
    agora = contexto.agora()
    async with sessao(contexto.engine) as s:
        linha = await s.get(IdentificacaoTelegram, chat_id)
        if linha is not None and _vencida(linha, agora):
            await s.delete(linha)  # a birth date never given, or a lock whose day is over: start over
            await s.commit()
            linha = None
        if linha is None:
            s.add(IdentificacaoTelegram(chat_id=chat_id, criada_em=agora))
            await s.commit()
            aviso = Aviso.PEDIR_CPF
        elif linha.tentativas >= MAX_TENTATIVAS:
            aviso = Aviso.DESCONHECIDO
        elif not texto.strip():  # a sticker, a photo or an old button: ask again, it is no attempt
            aviso = Aviso.PEDIR_NASCIMENTO if linha.etapa == EtapaIdentificacao.NASCIMENTO else Aviso.PEDIR_CPF
        elif linha.etapa == EtapaIdentificacao.CPF:
            aviso = await _cpf(s, linha, texto, agora)
        else:
            nascimento = _data(texto, agora.date())
            if nascimento is None:
                aviso = Aviso.PEDIR_NASCIMENTO
            else:
                devedor_id = await _conferir(s, linha, nascimento, contexto)
                if devedor_id is not None:
                    return Fala(CANAL, chat_id, devedor_id, Entrada("oi"), id_externo)
                aviso = Aviso.DESCONHECIDO if linha.tentativas >= MAX_TENTATIVAS else Aviso.CPF_NAO_CONFERE
    return AvisoDoCanal(CANAL, chat_id, aviso)


def _vencida(linha: IdentificacaoTelegram, agora: datetime) -> bool:
    """A pending birth date older than `PRAZO_PENDENTE`, or a spent chat whose `JANELA` is over."""
    if linha.tentativas >= MAX_TENTATIVAS:
        return agora - linha.criada_em > JANELA
    return linha.etapa == EtapaIdentificacao.NASCIMENTO and agora - linha.criada_em > PRAZO_PENDENTE


async def _cpf(s: AsyncSession, linha: IdentificacaoTelegram, texto: str, agora: datetime) -> Aviso:
    """A well-formed CPF always moves on to the birth date (remembering the debtor, if any); a malformed one costs."""
    digitos = so_digitos(texto)
    if not cpf_valido(digitos):
        linha.tentativas += 1
        s.add(linha)
        await s.commit()
        return Aviso.DESCONHECIDO if linha.tentativas >= MAX_TENTATIVAS else Aviso.CPF_NAO_CONFERE
    linha.devedor_id = await _livre(s, digitos, agora)
    linha.etapa = EtapaIdentificacao.NASCIMENTO.value
    linha.criada_em = agora  # the birth date is awaited from now, for PRAZO_PENDENTE at most
    s.add(linha)
    await s.commit()
    return Aviso.PEDIR_NASCIMENTO


async def _conferir(s: AsyncSession, linha: IdentificacaoTelegram, nascimento: date, contexto: Contexto) -> int | None:
    """Both factors match: the chat becomes the debtor's, with a conversation whose identity is confirmed."""
    devedor = await s.get(Devedor, linha.devedor_id) if linha.devedor_id is not None else None
    if devedor is None or devedor.id is None or devedor.nascimento != nascimento:
        if devedor is not None and devedor.id is not None:
            await _falha_do_cpf(s, devedor.id, contexto.agora())
        linha.tentativas += 1
        linha.devedor_id = None
        linha.etapa = EtapaIdentificacao.CPF.value
        s.add(linha)
        await s.commit()
        return None
    agora = contexto.agora()
    devedor.telegram_id = linha.chat_id
    memoria = Memoria(identidade_ok=True, fatores_ok=("cpf", "nascimento"), ultima_atividade=agora)
    inicio = contexto.inicio
    s.add(devedor)
    s.add(
        Conversa(
            devedor_id=devedor.id,
            canal=CANAL.value,
            estado=inicio,
            memoria=dict(memoria.para_dict()),
            iniciada_em=agora,
            atualizada_em=agora,
        )
    )
    await s.delete(linha)
    await s.commit()
    log.info("chat do Telegram ligado ao devedor %s depois de CPF e data de nascimento", devedor.id)
    return devedor.id


async def _falhas(s: AsyncSession, devedor_id: int, tipo: str, agora: datetime) -> int:
    consulta = select(func.count()).where(
        Evento.devedor_id == devedor_id, Evento.tipo == tipo, Evento.criado_em > agora - JANELA
    )
    return int((await s.exec(consulta)).one())


async def _falha_do_cpf(s: AsyncSession, devedor_id: int, agora: datetime) -> None:
    """Count a wrong birth date against the CPF, whatever the chat; at the limit, lock it and tell the team."""
    s.add(Evento(devedor_id=devedor_id, tipo=FALHA, dados={}, criado_em=agora))
    await s.flush()
    if await _falhas(s, devedor_id, FALHA, agora) >= MAX_FALHAS_POR_CPF and not await _falhas(
        s, devedor_id, BLOQUEIO, agora
    ):
        s.add(Evento(devedor_id=devedor_id, tipo=BLOQUEIO, dados={"falhas": MAX_FALHAS_POR_CPF}, criado_em=agora))
        log.warning(
            "identificação pelo Telegram do devedor %s bloqueada por %s: datas erradas demais", devedor_id, JANELA
        )


async def _livre(s: AsyncSession, cpf: str, agora: datetime) -> int | None:
    """The debtor with this CPF, if it can be tied to a new chat: no chat yet, no Telegram conversation, a birth
    date to check, no other chat checking it right now and no lock for wrong birth dates."""
    devedor = (await s.exec(select(Devedor).where(Devedor.cpf == cpf))).first()
    if devedor is None or devedor.id is None or devedor.telegram_id is not None or devedor.nascimento is None:
        return None
    consulta = select(Conversa).where(Conversa.devedor_id == devedor.id, Conversa.canal == CANAL.value)
    if (await s.exec(consulta)).first() is not None:
        return None  # a Telegram conversation exists (another chat, an old session): never inherit it
    pendente = select(IdentificacaoTelegram).where(
        IdentificacaoTelegram.devedor_id == devedor.id, IdentificacaoTelegram.criada_em > agora - PRAZO_PENDENTE
    )
    if (await s.exec(pendente)).first() is not None:
        return None
    if await _falhas(s, devedor.id, FALHA, agora) >= MAX_FALHAS_POR_CPF:
        return None
    return devedor.id


def _data(texto: str, hoje: date) -> date | None:
    """ "14/03/1985", "14 de março de 1985" or "14031985"."""
    lida = extrair_entidades(texto, hoje).data
    if lida is not None:
        return lida
    digitos = so_digitos(texto)
    if len(digitos) != 8:
        return None
    try:
        return date(int(digitos[4:]), int(digitos[2:4]), int(digitos[:2]))
    except ValueError:
        return None
