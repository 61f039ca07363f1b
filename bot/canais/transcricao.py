"""Voice notes to text: the `Transcritor` port, an OpenAI-compatible adapter and a local faster-whisper backend.

Which one runs is `[canais.transcricao] servico`. Everything that can be wrong with it (a missing key, a model
directory that is not there, faster-whisper not installed) is found when the server starts, never at the first
voice note. A provider's failure is a `ErroTranscricao` with a pt-BR reason for the agent; the debtor is asked to
write instead and the audio stays for the agent.
"""

from __future__ import annotations

import asyncio
import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from bot.config.canais import ServicoTranscricao, TranscricaoConfig
from bot.config.erros import ConfigInvalida, ErroConfig


class ErroTranscricao(Exception):
    """The audio was not transcribed; `motivo` says why (in pt-BR, for the agent)."""

    def __init__(self, motivo: str, status: int | None = None) -> None:
        super().__init__(motivo)
        self.motivo = motivo
        self.status = status


class Transcritor(Protocol):
    servico: str

    async def transcrever(self, audio: bytes, mime: str, nome: str) -> str:
        """The audio's text; `ErroTranscricao` when the backend refuses or is away."""
        ...

    async def fechar(self) -> None: ...


# What each HTTP status of `/audio/transcriptions` means, said to the agent who reads why a note was not heard.
ERROS_HTTP = {
    400: "o serviço recusou o áudio (formato ou pedido inválido)",
    401: "o serviço recusou a chave (confira a variável de ambiente de canais.transcricao.env_chave)",
    413: "áudio grande demais para o serviço",
    429: "limite de uso do serviço atingido (tente mais tarde)",
}


@dataclass
class TranscritorOpenAI:
    """POST {url}/audio/transcriptions, multipart: file, model, language, response_format=json → {"text": ...}."""

    url: str
    chave: str
    modelo: str
    idioma: str
    espera: float
    servico: str = ServicoTranscricao.OPENAI.value
    _sessao: aiohttp.ClientSession | None = None

    async def transcrever(self, audio: bytes, mime: str, nome: str) -> str:
        if self._sessao is None or self._sessao.closed:
            self._sessao = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.espera))
        formulario = aiohttp.FormData()
        formulario.add_field("file", audio, filename=nome, content_type=mime)
        formulario.add_field("model", self.modelo)
        formulario.add_field("language", self.idioma)
        formulario.add_field("response_format", "json")
        endereco = self.url.rstrip("/") + "/audio/transcriptions"
        try:
            async with self._sessao.post(endereco, data=formulario, headers={"Authorization": f"Bearer {self.chave}"}
                                         ) as resposta:  # fmt: skip
                corpo = await _json(resposta)
                if resposta.status != 200:
                    raise ErroTranscricao(_motivo_http(resposta.status, corpo), resposta.status)
        except (aiohttp.ClientError, TimeoutError) as erro:
            raise ErroTranscricao(f"serviço de transcrição inacessível ({type(erro).__name__})") from erro
        texto = corpo.get("text") if isinstance(corpo, dict) else None
        if not isinstance(texto, str):
            raise ErroTranscricao("resposta do serviço sem o campo text")
        return texto.strip()

    async def fechar(self) -> None:
        if self._sessao is not None:
            await self._sessao.close()


async def _json(resposta: aiohttp.ClientResponse) -> Any:
    try:
        return await resposta.json(content_type=None)
    except ValueError:
        return None


def _motivo_http(status: int, corpo: Any) -> str:
    base = ERROS_HTTP.get(status) or (
        "serviço de transcrição fora do ar" if status >= 500 else "o serviço recusou o pedido"
    )
    erro = corpo.get("error") if isinstance(corpo, dict) else None
    detalhe = erro.get("message") if isinstance(erro, dict) else None
    return f"{base} (HTTP {status}" + (f": {detalhe})" if isinstance(detalhe, str) and detalhe else ")")


class TranscritorLocal:
    """faster-whisper over a model directory (CTranslate2 format), on a worker thread: the event loop stays free."""

    servico = ServicoTranscricao.LOCAL.value

    def __init__(self, modelo: Any, idioma: str) -> None:
        self.modelo, self.idioma = modelo, idioma

    async def transcrever(self, audio: bytes, mime: str, nome: str) -> str:
        return await asyncio.to_thread(self._transcrever, audio)

    def _transcrever(self, audio: bytes) -> str:
        try:
            segmentos, _ = self.modelo.transcribe(io.BytesIO(audio), language=self.idioma)
            return " ".join(s.text.strip() for s in segmentos).strip()
        except Exception as erro:  # the decoder's errors are many and undocumented: the reason is kept
            raise ErroTranscricao(f"faster-whisper não transcreveu: {type(erro).__name__}: {erro}") from erro

    async def fechar(self) -> None:
        return None


def criar_transcritor(
    config: TranscricaoConfig, raiz: Path, ambiente: Mapping[str, str], arquivo: str
) -> Transcritor | None:
    """The configured backend, or None (`servico = "nenhum"`); `ConfigInvalida` saying what is missing, at start-up."""
    if config.servico == ServicoTranscricao.NENHUM:
        return None
    if config.servico == ServicoTranscricao.OPENAI:
        chave = ambiente.get(config.env_chave, "").strip()
        if not chave:
            raise ConfigInvalida([ErroConfig(
                arquivo, "canais.transcricao.env_chave",
                f"a variável de ambiente {config.env_chave} não está definida (ou está vazia); esperado a chave do "
                "serviço de transcrição", valor=config.env_chave,
            )])  # fmt: skip
        return TranscritorOpenAI(str(config.url), chave, config.modelo, config.idioma, config.tempo_limite_segundos)
    return _local(config, raiz, arquivo)


def _local(config: TranscricaoConfig, raiz: Path, arquivo: str) -> TranscritorLocal:
    chave = "canais.transcricao.pasta_modelo"  # never empty with servico = "local" (TranscricaoConfig)
    pasta = (raiz / config.pasta_modelo).resolve()
    if not (pasta / "model.bin").is_file():
        motivo = "não existe" if not pasta.exists() else "não tem model.bin (não é um modelo do faster-whisper)"
        raise ConfigInvalida([ErroConfig(arquivo, chave, f"a pasta do modelo {pasta} {motivo}",
                                         valor=config.pasta_modelo)])  # fmt: skip
    try:
        from faster_whisper import WhisperModel  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ConfigInvalida(
            [
                ErroConfig(
                    arquivo,
                    "canais.transcricao.servico",
                    "servico = \"local\" precisa do faster-whisper: instale o extra voz (pip install -e '.[voz]')",
                )
            ]
        ) from None
    return TranscritorLocal(WhisperModel(str(pasta), device="cpu", compute_type="int8"), config.idioma)


def duracao_audio(conteudo: bytes) -> float | None:
    """Seconds of an audio file, read from its own headers by mutagen (Ogg Opus/Vorbis voice notes, MP3, M4A/AAC,
    WAV, FLAC...); None when the format is unknown or the file is damaged (then only `max_mb` bounds it)."""
    import mutagen

    try:
        arquivo = mutagen.File(io.BytesIO(conteudo))
    except (mutagen.MutagenError, ValueError, struct.error, EOFError):  # a damaged file: its length is unknown
        arquivo = None
    duracao = getattr(getattr(arquivo, "info", None), "length", None)
    if isinstance(duracao, int | float) and duracao > 0:
        return float(duracao)
    return _duracao_opus_bruta(conteudo)


def _duracao_opus_bruta(conteudo: bytes) -> float | None:
    """An Ogg Opus voice note mutagen refused (pages out of spec): the last page's granule counts 48 kHz samples,
    less the pre-skip of the OpusHead; None when it is not one."""
    cabeca, ultima = conteudo.find(b"OpusHead", 0, 512), conteudo.rfind(b"OggS")
    if not conteudo.startswith(b"OggS") or cabeca < 0 or len(conteudo) < max(cabeca + 12, ultima + 14):
        return None
    (granulo,) = struct.unpack_from("<q", conteudo, ultima + 6)
    (preskip,) = struct.unpack_from("<H", conteudo, cabeca + 10)
    return float(granulo - preskip) / 48000 if granulo > preskip else None
