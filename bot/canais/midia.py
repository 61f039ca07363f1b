"""Files debtors send (a "comprovante"): fetched from the provider, checked, kept by content hash for an agent.

What is accepted is decided by `avaliar` (pure: size, the provider's checksum, the type read from the bytes
themselves, never the name or the sender's claim). Fetching is a `Baixador` per channel (`bot/canais/baixadores.py`).
A provider that does not hand the file over (404, 5xx, timeout) loses nothing: the `anexo` row says why and
`Anexos.retomar` tries again later, with growing waits; an agent can ask for a new try from the console.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, or_, select

from bot.canais.transcricao import Transcritor
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, SituacaoAnexo
from bot.mensagens.avisos_canal import Aviso

log = logging.getLogger(__name__)

MB = 1024 * 1024
# The only types kept, recognised by their first bytes: what phones send as a receipt (photos, screenshots, PDFs).
ASSINATURAS = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
ESPERAS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
RECENTE = timedelta(minutes=1)  # a "pendente" younger than this is being fetched by the update that brought it


@dataclass(frozen=True)
class Midia:
    """A file as the provider handed it over, with what the provider declared about it."""

    conteudo: bytes
    mime: str | None = None
    sha256: str | None = None  # WhatsApp gives one (hex or base64); Telegram does not


class MidiaIndisponivel(Exception):
    """The provider did not hand the file over (404, 5xx, timeout): worth trying again later."""


class MidiaGrande(Exception):
    """The file is bigger than `canais.anexo_max_mb` (known from the provider's metadata or while reading)."""

    def __init__(self, tamanho: int | None) -> None:
        super().__init__(f"{tamanho} bytes" if tamanho else "grande demais")
        self.tamanho = tamanho


class Baixador(Protocol):
    async def baixar(self, id_midia: str, limite: int) -> Midia:
        """The file's bytes; `MidiaGrande` past `limite` bytes, `MidiaIndisponivel` when it cannot be had now."""
        ...


@dataclass(frozen=True)
class Veredito:
    situacao: SituacaoAnexo
    aviso: Aviso  # what the debtor is told
    motivo: str | None = None
    mime: str | None = None
    extensao: str = ""


def tipo_do_conteudo(conteudo: bytes) -> tuple[str, str] | None:
    """(mime, extension) read from the bytes; None for anything not on the list."""
    for inicio, mime, extensao in ASSINATURAS:
        if conteudo.startswith(inicio):
            return mime, extensao
    if conteudo[:4] == b"RIFF" and conteudo[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return tipo_de_audio(conteudo)


# Voice notes and audio files as WhatsApp (Opus in Ogg, AAC, MP4, MP3, AMR) and Telegram (Opus in Ogg) send them.
AUDIOS = (
    (b"OggS", "audio/ogg", ".ogg"),
    (b"#!AMR", "audio/amr", ".amr"),
    (b"ID3", "audio/mpeg", ".mp3"),
)


def tipo_de_audio(conteudo: bytes) -> tuple[str, str] | None:
    """(mime, extension) of an audio file read from its first bytes; None if it is not one we keep."""
    for inicio, mime, extensao in AUDIOS:
        if conteudo.startswith(inicio):
            return mime, extensao
    if conteudo[4:8] == b"ftyp" and conteudo[8:11] in (b"M4A", b"mp4", b"iso", b"3gp"):
        return "audio/mp4", ".m4a"
    if len(conteudo) > 1 and conteudo[0] == 0xFF and conteudo[1] & 0xF6 == 0xF0:  # ADTS header: raw AAC
        return "audio/aac", ".aac"
    if len(conteudo) > 1 and conteudo[0] == 0xFF and conteudo[1] & 0xE0 == 0xE0:  # an MPEG frame without ID3
        return "audio/mpeg", ".mp3"
    return None


def confere_sha256(conteudo: bytes, declarado: str) -> bool:
    resumo = hashlib.sha256(conteudo).digest()
    return declarado.strip().lower() == resumo.hex() or declarado.strip() == base64.b64encode(resumo).decode()


def grande(tamanho: int | None, limite: int) -> Veredito:
    medida = f"{tamanho / MB:.1f} MB" if tamanho else "tamanho desconhecido"
    motivo = f"arquivo grande demais ({medida}; limite {limite // MB} MB)"
    return Veredito(SituacaoAnexo.RECUSADO, Aviso.ARQUIVO_GRANDE, motivo)


def avaliar(midia: Midia, limite: int) -> Veredito:
    """Keep it or refuse it, and why: size, the provider's checksum, then the type the bytes really are."""
    if len(midia.conteudo) > limite:
        return grande(len(midia.conteudo), limite)
    if midia.sha256 and not confere_sha256(midia.conteudo, midia.sha256):
        motivo = "sha256 do arquivo recebido não confere com o informado pelo provedor"
        return Veredito(SituacaoAnexo.RECUSADO, Aviso.ARQUIVO_RECUSADO, motivo)
    tipo = tipo_do_conteudo(midia.conteudo)
    if tipo is None:
        declarado = f"declarado como {midia.mime}" if midia.mime else "sem tipo declarado"
        motivo = f"tipo não aceito: {declarado}, mas o conteúdo não é imagem JPEG, PNG, GIF ou WebP, PDF nem áudio"
        return Veredito(SituacaoAnexo.RECUSADO, Aviso.ARQUIVO_RECUSADO, motivo)
    return Veredito(SituacaoAnexo.GUARDADO, Aviso.ARQUIVO_GUARDADO, mime=tipo[0], extensao=tipo[1])


def proxima_tentativa(tentativas: int, agora: datetime) -> datetime | None:
    """When to try again after `tentativas` failures; None once the waits are used up (an agent may still ask)."""
    if tentativas > len(ESPERAS):
        return None
    return agora + ESPERAS[tentativas - 1]


def gravar(pasta: Path, conteudo: bytes, extensao: str) -> tuple[str, str]:
    """Write the file under its sha256 (the same receipt sent twice is stored once); (relative path, hex)."""
    resumo = hashlib.sha256(conteudo).hexdigest()
    relativo = f"{resumo[:2]}/{resumo}{extensao}"
    destino = pasta / relativo
    if not (destino.exists() and destino.stat().st_size == len(conteudo)):
        destino.parent.mkdir(parents=True, exist_ok=True)
        provisorio = destino.with_name(f".{destino.name}.{os.getpid()}.tmp")
        provisorio.write_bytes(conteudo)
        os.replace(provisorio, destino)  # atomic: a reader never sees half a file
    return relativo, resumo


@dataclass
class Anexos:
    """Fetches and keeps the files of `anexo` rows, through the channels that are on."""

    engine: AsyncEngine
    pasta: Path
    limite: int  # bytes
    relogio: Callable[[], datetime]
    baixadores: dict[str, Baixador] = field(default_factory=dict)
    # Voice notes: who transcribes them (None: nobody, the agent listens) and the limits (bot/canais/notas_de_voz.py).
    transcritor: Transcritor | None = None
    audio_max: int = 16 * MB  # bytes
    audio_max_segundos: int = 180

    async def receber(self, canal: str, id_midia: str) -> Aviso:
        """Fetch a file just recorded by the channel; the answer for the debtor (a failure is retried later)."""
        async with sessao(self.engine) as s:
            anexo = (await s.exec(select(Anexo).where(Anexo.canal == canal, Anexo.id_midia == id_midia))).one()
        assert anexo.id is not None
        return (await self.buscar(anexo.id)).aviso

    async def buscar(self, anexo_id: int) -> Veredito:
        """Try to fetch one file now and record the outcome on its row."""
        async with sessao(self.engine) as s:
            anexo = await s.get(Anexo, anexo_id)
        assert anexo is not None
        if anexo.situacao == SituacaoAnexo.GUARDADO:
            return Veredito(SituacaoAnexo.GUARDADO, Aviso.ARQUIVO_GUARDADO, mime=anexo.mime)
        veredito, conteudo = await self._baixar(anexo)
        caminho = resumo = None
        if veredito.situacao == SituacaoAnexo.GUARDADO:
            caminho, resumo = await asyncio.to_thread(gravar, self.pasta, conteudo, veredito.extensao)
        await self._registrar(anexo_id, veredito, caminho, resumo, len(conteudo) if caminho else None)
        return veredito

    async def _baixar(self, anexo: Anexo) -> tuple[Veredito, bytes]:
        baixador = self.baixadores.get(anexo.canal)
        if baixador is None:
            motivo = f"canal {anexo.canal} desligado: sem credenciais para baixar o arquivo"
            return Veredito(SituacaoAnexo.FALHOU, Aviso.ARQUIVO_GUARDADO, motivo), b""
        try:
            midia = await baixador.baixar(anexo.id_midia, self.limite)
        except MidiaGrande as erro:
            return grande(erro.tamanho, self.limite), b""
        except MidiaIndisponivel as erro:
            log.warning("anexo %s (%s) não baixado: %s", anexo.id, anexo.canal, erro)
            return Veredito(SituacaoAnexo.FALHOU, Aviso.ARQUIVO_GUARDADO, str(erro)), b""
        return avaliar(midia, self.limite), midia.conteudo

    async def _registrar(
        self, anexo_id: int, veredito: Veredito, caminho: str | None, resumo: str | None, tamanho: int | None
    ) -> None:
        agora = self.relogio()
        async with sessao(self.engine) as s:
            anexo = await s.get(Anexo, anexo_id)
            assert anexo is not None
            anexo.situacao, anexo.motivo = veredito.situacao.value, veredito.motivo
            anexo.tentativas += 1
            anexo.tentar_em = None
            if veredito.situacao == SituacaoAnexo.FALHOU:
                anexo.tentar_em = proxima_tentativa(anexo.tentativas, agora)
            if caminho is not None:
                anexo.caminho, anexo.sha256, anexo.tamanho, anexo.mime = caminho, resumo, tamanho, veredito.mime
            s.add(anexo)
            await s.commit()

    async def retomar(self) -> int:
        """Fetch what is due: failures whose wait is over, and rows left pending by a stopped process."""
        agora = self.relogio()
        consulta = select(Anexo.id).where(
            or_(
                (col(Anexo.situacao) == SituacaoAnexo.FALHOU.value) & (col(Anexo.tentar_em) <= agora),
                (col(Anexo.situacao) == SituacaoAnexo.PENDENTE.value) & (col(Anexo.recebido_em) <= agora - RECENTE),
            )
        )
        async with sessao(self.engine) as s:
            ids = [i for i in (await s.exec(consulta.order_by(col(Anexo.id)))).all() if i is not None]
        for anexo_id in ids:
            await self.buscar(anexo_id)
        return len(ids)

    async def vigiar(self, parar: asyncio.Event, intervalo: float = 60.0) -> None:
        """The server's loop: `retomar` every `intervalo` seconds until `parar`; an error is logged, never fatal."""
        while not parar.is_set():
            try:
                await self.retomar()
            except Exception:
                log.exception("falha ao retomar downloads de anexos")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(parar.wait(), intervalo)

    def arquivo(self, anexo: Anexo) -> Path | None:
        """The stored file of a row, only inside `pasta` (the row's path was written by us, checked anyway)."""
        if anexo.situacao != SituacaoAnexo.GUARDADO or not anexo.caminho:
            return None
        raiz = self.pasta.resolve()
        caminho = (raiz / anexo.caminho).resolve()
        if not caminho.is_relative_to(raiz) or not caminho.is_file():
            return None
        return caminho


ANEXOS = web.AppKey("anexos", Anexos)


async def resposta_ao_arquivo(anexos: Anexos | None, canal: str, id_midia: str | None) -> Aviso:
    """What the debtor hears after sending something that is not text: fetch a file first, if there is one."""
    if id_midia is None:
        return Aviso.SO_TEXTO
    if anexos is None:
        return Aviso.ARQUIVO_GUARDADO
    return await anexos.receber(canal, id_midia)
