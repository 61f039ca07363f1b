"""Voice-note bytes built by hand: a minimal Ogg Opus stream of a chosen length."""

from __future__ import annotations

import struct


def ogg_opus(segundos: float, preskip: int = 312) -> bytes:
    """A minimal Ogg Opus stream: the OpusHead page, then a last page whose granule is the sample count at 48 kHz."""
    cabeca = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", preskip, 48000, 0, 0)

    def pagina(granulo: int, dados: bytes) -> bytes:
        return b"OggS" + bytes([0, 0]) + struct.pack("<qIIIB", granulo, 1, 0, 0, 1) + bytes([len(dados)]) + dados

    return pagina(0, cabeca) + pagina(int(segundos * 48000) + preskip, b"\x00" * 40)
