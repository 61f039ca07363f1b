"""SMS text, pure: GSM-7 or UCS-2, how many segments a text costs, and where a long text is cut.

GSM 03.38 (3GPP TS 23.038) has a 128-character basic set, one septet each, and an extension table reached with an
escape (two septets). A text with any other character goes as UCS-2 (UTF-16 code units). One SMS carries 160
septets or 70 code units; a concatenated one loses room to its header: 153 septets or 67 code units per segment.
Many Portuguese letters are not in GSM-7 ("ã", "õ", "ç", "ê", "á", "í", "ó", "ú", "â", "ô"), a few are ("é", "à",
"É", "Ç", "ü"). `transliterar` drops only the accents GSM-7 lacks ("não" → "nao", "você" → "voce"), so a
reminder costs one SMS, not three; emoji are left out, and a character with no GSM-7 look-alike (another
alphabet) keeps the text in UCS-2.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

BASICO = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSAO = frozenset("^{}\\[~]|€\f")  # escape + one septet: each counts as two

# Look-alikes with no accent to drop (NFKD handles "ã" → "a" and "ç" → "c").
_PARECIDOS = {
    "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "´": "'", "–": "-", "—": "-", "…": "...",
    "\u00a0": " ", "\t": " ", "º": "o", "ª": "a", "•": "-", "°": "o",
}  # fmt: skip


_ENFEITES = frozenset({"So", "Sk", "Cs", "Co"})  # emoji and other pictographs, skin tones
_JUNTA_EMOJI = frozenset("\u200d\ufe0f\ufe0e\u20e3")  # joiner, variation selectors, keycap


class Codificacao(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class Medida:
    """How a text goes: its encoding, its length in that encoding's units, and the segments it costs."""

    codificacao: Codificacao
    unidades: int
    segmentos: int


def _peso_gsm(caractere: str) -> int:
    return 2 if caractere in EXTENSAO else 1


def _peso_ucs2(caractere: str) -> int:
    return 2 if ord(caractere) > 0xFFFF else 1  # outside the BMP: a surrogate pair


def _limites(codificacao: Codificacao) -> tuple[int, int]:
    """(one SMS, one segment of a concatenated SMS), in the encoding's units."""
    return (160, 153) if codificacao == Codificacao.GSM7 else (70, 67)


def codificacao(texto: str) -> Codificacao:
    return Codificacao.GSM7 if all(c in BASICO or c in EXTENSAO for c in texto) else Codificacao.UCS2


def _peso_de(cod: Codificacao) -> Callable[[str], int]:
    return _peso_gsm if cod == Codificacao.GSM7 else _peso_ucs2


def medir(texto: str) -> Medida:
    cod = codificacao(texto)
    peso = _peso_de(cod)
    unidades = sum(peso(c) for c in texto)
    um, segmento = _limites(cod)
    # Counted by cutting, not by division: an escape or surrogate pair never straddles two segments.
    segmentos = 1 if unidades <= um else len(_cortar(texto, cod, segmento))
    return Medida(cod, unidades, segmentos)


def _sem_acento(caractere: str) -> str:
    if caractere in BASICO or caractere in EXTENSAO:
        return caractere
    if caractere in _PARECIDOS:
        return _PARECIDOS[caractere]
    if unicodedata.category(caractere) in _ENFEITES or caractere in _JUNTA_EMOJI:
        return ""  # an emoji says nothing an SMS needs, and alone it would make the whole text UCS-2
    base = "".join(c for c in unicodedata.normalize("NFKD", caractere) if not unicodedata.combining(c))
    return base if base and all(c in BASICO for c in base) else caractere


def transliterar(texto: str) -> str:
    """The text in GSM-7: accents GSM-7 lacks dropped, emoji left out; unchanged (it goes as UCS-2) when a
    character has no look-alike there (another alphabet)."""
    pedacos = [_sem_acento(c) for c in texto]
    convertido = "".join(pedacos)
    if "" in pedacos:  # something was left out: no double space where it was
        convertido = re.sub(r"(?<=\S) {2,}(?=\S)", " ", convertido).strip(" ")
    return convertido if codificacao(convertido) == Codificacao.GSM7 else texto


def segmentos(texto: str) -> list[str]:
    """The segments a phone shows as one message, cut where the network cuts: never inside an escape pair or a
    surrogate pair (a Python `str` holds whole code points, so the cut is between characters by construction)."""
    medida = medir(texto)
    um, segmento = _limites(medida.codificacao)
    return _cortar(texto, medida.codificacao, um if medida.unidades <= um else segmento)


def _cortar(texto: str, cod: Codificacao, capacidade: int) -> list[str]:
    peso = _peso_de(cod)
    partes: list[str] = []
    atual: list[str] = []
    usado = 0
    for caractere in texto:
        if usado + peso(caractere) > capacidade:
            partes.append("".join(atual))
            atual, usado = [], 0
        atual.append(caractere)
        usado += peso(caractere)
    if atual or not partes:
        partes.append("".join(atual))
    return partes


def mensagens(texto: str, max_segmentos: int) -> list[str]:
    """The text as SMS messages of at most `max_segmentos` segments each, cut at a space where one is near the end
    (a word is split only when it is longer than a whole message)."""
    medida = medir(texto)
    um, segmento = _limites(medida.codificacao)
    capacidade = um if max_segmentos == 1 else segmento * max_segmentos
    partes: list[str] = []
    resto = texto
    while medir(resto).segmentos > max_segmentos:
        bruto = _cortar(resto, medida.codificacao, capacidade)[0]
        while medir(bruto).segmentos > max_segmentos:  # pairs kept whole may need one segment more
            bruto = bruto[:-1]
        espaco = bruto.rfind(" ")
        corte = espaco + 1 if espaco >= len(bruto) // 2 else len(bruto)
        partes.append(resto[:corte].rstrip())
        resto = resto[corte:].lstrip()
    if resto or not partes:
        partes.append(resto)
    return partes
