"""A debtor's voice note: fetched and kept for the agent, transcribed, and answered like the same words typed.

The transcript goes through the conversation service exactly as text does (`Entrada.falada` only makes the engine
ask back before a costly intent). It is stored once per file (`transcricao`), so a retried update neither pays the
service twice nor answers twice: the spoken message's id is the provider's id plus `:voz`.
Without a transcriber the debtor gets today's polite "write to me, please" and the agent hears the audio.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.canais.midia import MB, Anexos
from bot.canais.recebido import ArquivoRecebido, Respondedor
from bot.canais.transcricao import ErroTranscricao, Transcritor, duracao_audio
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, SituacaoAnexo
from bot.dados.voz import SituacaoTranscricao, Transcricao
from bot.mensagens.avisos_canal import Aviso
from bot.porta import TipoCanal

log = logging.getLogger(__name__)

SUFIXO = ":voz"  # the transcript's message id: the provider's id of the voice note plus this
TIPOS_AUDIO = frozenset({"audio", "voice"})
RESPOSTAS = {
    SituacaoTranscricao.FALHOU.value: Aviso.AUDIO_FALHOU,
    SituacaoTranscricao.RECUSADA.value: Aviso.AUDIO_LONGO,
}


@dataclass(frozen=True)
class Limite:
    """What may be sent to be transcribed: bytes and seconds (`[canais.transcricao]`)."""

    bytes: int
    segundos: int


def recusa(tamanho: int, duracao: float | None, limite: Limite) -> str | None:
    """Why this audio is not transcribed (too big, too long), or None."""
    if tamanho > limite.bytes:
        return f"áudio de {tamanho / MB:.1f} MB; limite {limite.bytes // MB} MB"
    if duracao is not None and duracao > limite.segundos:
        return f"áudio de {duracao:.0f} s; limite {limite.segundos} s"
    return None


async def ouvir(
    recepcao: Respondedor,
    canal: TipoCanal,
    destino: str,
    devedor_id: int,
    id_externo: str,
    arquivo: ArquivoRecebido,
    duracao: float | None = None,
) -> None:
    """Answer a voice note (already recorded as a message): its transcript through the conversation, or a kind
    reply asking for text. `duracao`: seconds, when the provider said (Telegram does)."""
    anexos = recepcao.anexos
    if anexos is None or anexos.transcritor is None:
        if anexos is not None:
            await anexos.receber(canal.value, arquivo.id_midia)  # kept for the agent's player
        await recepcao.avisar(canal, destino, Aviso.SO_TEXTO)
        return
    transcricao = await _transcricao(anexos, anexos.transcritor, canal, arquivo, duracao)
    if transcricao is None:
        await recepcao.avisar(canal, destino, Aviso.AUDIO_FALHOU)
        return
    if transcricao.situacao != SituacaoTranscricao.FEITA.value or not transcricao.texto:
        await recepcao.avisar(canal, destino, RESPOSTAS.get(transcricao.situacao, Aviso.AUDIO_FALHOU))
        return
    entrada = Entrada(transcricao.texto, falada=True)
    await recepcao.responder(canal, destino, devedor_id, entrada, id_externo + SUFIXO)


async def _transcricao(
    anexos: Anexos, transcritor: Transcritor, canal: TipoCanal, arquivo: ArquivoRecebido, duracao: float | None
) -> Transcricao | None:

    """The note's stored transcript, made now if there is none; None when the file itself could not be had."""
    async with sessao(anexos.engine) as s:
        anexo = (await s.exec(select(Anexo).where(Anexo.canal == canal.value,
                                                  Anexo.id_midia == arquivo.id_midia))).one()  # fmt: skip
        assert anexo.id is not None
        feita = (await s.exec(select(Transcricao).where(Transcricao.anexo_id == anexo.id))).first()
    if feita is not None:
        return feita
    veredito = await anexos.buscar(anexo.id)
    async with sessao(anexos.engine) as s:
        baixado = await s.get(Anexo, anexo.id)
    assert baixado is not None and baixado.id is not None
    anexo, anexo_id, caminho = baixado, baixado.id, anexos.arquivo(baixado)
    if veredito.situacao != SituacaoAnexo.GUARDADO or caminho is None:
        log.info("áudio %s não transcrito: %s", anexo.id, veredito.motivo)
        return None
    conteudo = await asyncio.to_thread(caminho.read_bytes)
    duracao = duracao if duracao is not None else await asyncio.to_thread(duracao_audio, conteudo)
    limite = Limite(anexos.audio_max, anexos.audio_max_segundos)
    linha = Transcricao(anexo_id=anexo_id, situacao=SituacaoTranscricao.FEITA.value, servico=transcritor.servico,
                        duracao=duracao, criada_em=anexos.relogio())  # fmt: skip
    if (motivo := recusa(len(conteudo), duracao, limite)) is not None:
        linha.situacao, linha.motivo = SituacaoTranscricao.RECUSADA.value, motivo
    else:
        try:
            linha.texto = await transcritor.transcrever(conteudo, anexo.mime or "audio/ogg", _nome(anexo))
        except ErroTranscricao as erro:
            log.warning("áudio %s não transcrito (%s): %s", anexo.id, transcritor.servico, erro.motivo)
            linha.situacao, linha.motivo = SituacaoTranscricao.FALHOU.value, erro.motivo
        if linha.situacao == SituacaoTranscricao.FEITA.value and not linha.texto:
            linha.situacao, linha.motivo = SituacaoTranscricao.FALHOU.value, "transcrição vazia (áudio sem fala?)"
    return await _guardar(anexos, linha)


def _nome(anexo: Anexo) -> str:
    """The file name sent to the service: the extension tells it the format."""
    extensao = anexo.caminho.rsplit(".", 1)[-1] if anexo.caminho and "." in anexo.caminho else "ogg"
    return f"audio-{anexo.id}.{extensao}"


async def _guardar(anexos: Anexos, linha: Transcricao) -> Transcricao:
    """Store the transcript; another worker that got there first wins (its row is returned)."""
    async with sessao(anexos.engine) as s:
        s.add(linha)
        try:
            await s.commit()
        except IntegrityError:
            await s.rollback()
            return (await s.exec(select(Transcricao).where(Transcricao.anexo_id == linha.anexo_id))).one()
        await s.refresh(linha)
        return linha
