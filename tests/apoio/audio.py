"""Audio bytes built by hand to the formats' specifications: an Ogg Opus voice note, an MP3 of a chosen length."""

from __future__ import annotations

import struct


def ogg_opus(segundos: float, preskip: int = 312) -> bytes:
    """An Ogg Opus stream (RFC 7845): the OpusHead page (beginning of stream), the OpusTags page, then a last page
    (end of stream) whose granule is the sample count at 48 kHz plus the pre-skip."""
    cabeca = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", preskip, 48000, 0, 0)
    etiquetas = b"OpusTags" + struct.pack("<I", 8) + b"WhatsApp" + struct.pack("<I", 0)

    def pagina(tipo: int, granulo: int, numero: int, dados: bytes) -> bytes:
        cabecalho = struct.pack("<4sBBqIIIB", b"OggS", 0, tipo, granulo, 1, numero, 0, 1)
        return cabecalho + bytes([len(dados)]) + dados

    fim = int(segundos * 48000) + preskip
    return pagina(2, 0, 0, cabeca) + pagina(0, 0, 1, etiquetas) + pagina(4, fim, 2, b"\xf8" + b"\x00" * 39)


def mp3(segundos: float) -> bytes:
    """MPEG-1 Layer III frames at 32 kbit/s, 44.1 kHz (1152 samples, 104 bytes each) for about `segundos`."""
    cabecalho = b"\xff\xfb\x10\x44"
    quadros = round(segundos * 44100 / 1152)
    return (cabecalho + b"\x00" * 100) * quadros
