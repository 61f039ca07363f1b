"""PIX "copia e cola" (BR Code, EMV MPM): static payloads, parsing and CRC-16 checks."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from enum import StrEnum

from validate_docbr import CNPJ

from bot.formatos import cpf_valido

GUI_PIX = "br.gov.bcb.pix"
TXID_SEM_IDENTIFICADOR = "***"
NOME_MAXIMO = 25
CIDADE_MAXIMA = 15
VALOR_MAXIMO = Decimal("9999999999.99")  # field 54 holds at most 13 characters

_CAMPOS_ANINHADOS = ("26", "62")
_TXID = re.compile(r"[A-Za-z0-9]{1,25}")
_CRC = re.compile(r"[0-9A-Fa-f]{4}")
_CNPJ = CNPJ()


class TipoChave(StrEnum):
    CPF = "cpf"
    CNPJ = "cnpj"
    EMAIL = "email"
    TELEFONE = "telefone"
    ALEATORIA = "aleatoria"


# Keys exactly as the DICT stores them: no punctuation, phone in E.164, random keys as UUIDs.
_FORMATOS_CHAVE: tuple[tuple[TipoChave, re.Pattern[str]], ...] = (
    (TipoChave.CPF, re.compile(r"[0-9]{11}")),
    (TipoChave.CNPJ, re.compile(r"[0-9A-Z]{12}[0-9]{2}")),  # alphanumeric CNPJ from July 2026
    (TipoChave.TELEFONE, re.compile(r"\+55[0-9]{10,11}")),
    (TipoChave.EMAIL, re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")),
    (TipoChave.ALEATORIA, re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)),
)


def crc16_ccitt(dados: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as 4 upper-case hex digits, zero padded."""
    crc = 0xFFFF
    for byte in dados.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def texto_ascii(texto: str) -> str:
    """Strip accents and drop what is not printable ASCII, keeping the case (`São Paulo` → `Sao Paulo`)."""
    decomposto = unicodedata.normalize("NFKD", texto)
    return "".join(c for c in decomposto if " " <= c <= "~").strip()


def tipo_da_chave(chave: str) -> TipoChave:
    """The kind of a PIX key; ValueError when it is none of them."""
    for tipo, formato in _FORMATOS_CHAVE:
        if chave.isascii() and len(chave) <= 77 and formato.fullmatch(chave):
            if tipo is TipoChave.CPF and not cpf_valido(chave):
                break
            if tipo is TipoChave.CNPJ and not _CNPJ.validate(chave):
                break
            return tipo
    raise ValueError(
        f"chave PIX inválida: {chave!r} (esperado CPF ou CNPJ sem pontuação, e-mail, "
        "telefone como +5511987654321 ou chave aleatória)"
    )


def _campo(identificador: str, valor: str) -> str:
    if not 0 < len(valor) <= 99:
        raise ValueError(f"campo {identificador} do PIX com {len(valor)} caracteres (esperado de 1 a 99)")
    return f"{identificador}{len(valor):02d}{valor}"


def _texto_curto(nome_campo: str, texto: str, maximo: int) -> str:
    # The BR Code admits ASCII only here; these fields are informative, so cut rather than refuse.
    limpo = texto_ascii(texto)[:maximo].rstrip()
    if not limpo:
        raise ValueError(
            f"{nome_campo} inválido: {texto!r} (esperado texto ASCII de 1 a {maximo} caracteres após tirar acentos)"
        )
    return limpo


def _valor_pix(valor: Decimal) -> str:
    if not valor.is_finite() or valor <= 0 or valor > VALOR_MAXIMO:
        raise ValueError(f"valor inválido: {valor} (esperado de 0.01 a {VALOR_MAXIMO})")
    if valor != valor.quantize(Decimal("0.01")):
        raise ValueError(f"valor inválido: {valor} (esperado no máximo 2 casas decimais)")
    return f"{valor:.2f}"


def pix_copia_e_cola(
    chave: str, nome: str, cidade: str, valor: Decimal | None, txid: str, *, descricao: str | None = None
) -> str:
    """A static BR Code ("copia e cola") for the key, with the CRC of the whole payload."""
    tipo_da_chave(chave)
    if txid != TXID_SEM_IDENTIFICADOR and not _TXID.fullmatch(txid):
        raise ValueError(f"txid inválido: {txid!r} (esperado de 1 a 25 letras ou dígitos, ou '***')")
    conta = _campo("00", GUI_PIX) + _campo("01", chave)
    if descricao is not None:
        # Field 26 holds at most 99 characters: the description gets what the key leaves.
        espaco = 99 - len(conta) - 4
        if espaco < 1:
            raise ValueError(f"sem espaço para a descrição: a chave {chave!r} ocupa todo o campo 26 do PIX")
        conta += _campo("02", _texto_curto("descrição", descricao, espaco))
    payload = (
        _campo("00", "01")
        + _campo("26", conta)
        + _campo("52", "0000")
        + _campo("53", "986")
        + (_campo("54", _valor_pix(valor)) if valor is not None else "")
        + _campo("58", "BR")
        + _campo("59", _texto_curto("nome", nome, NOME_MAXIMO))
        + _campo("60", _texto_curto("cidade", cidade, CIDADE_MAXIMA))
        + _campo("62", _campo("05", txid))
        + "6304"
    )
    return payload + crc16_ccitt(payload)


def _ler_campos(texto: str) -> list[tuple[str, str]]:
    if not texto:
        raise ValueError("PIX inválido: campo vazio")
    campos: list[tuple[str, str]] = []
    posicao = 0
    while posicao < len(texto):
        cabecalho = texto[posicao : posicao + 4]
        if len(cabecalho) < 4 or not cabecalho.isdigit():
            raise ValueError(f"PIX inválido: cabeçalho de campo {cabecalho!r} na posição {posicao}")
        tamanho = int(cabecalho[2:])
        valor = texto[posicao + 4 : posicao + 4 + tamanho]
        if len(valor) != tamanho:
            raise ValueError(f"PIX inválido: campo {cabecalho[:2]} truncado na posição {posicao}")
        campos.append((cabecalho[:2], valor))
        posicao += 4 + tamanho
    return campos


def _sem_repeticao(campos: list[tuple[str, str]], prefixo: str = "") -> dict[str, str]:
    lidos: dict[str, str] = {}
    for identificador, valor in campos:
        if prefixo + identificador in lidos:
            raise ValueError(f"PIX inválido: campo {prefixo}{identificador} repetido")
        lidos[prefixo + identificador] = valor
    return lidos


def ler_pix(payload: str) -> dict[str, str]:
    """Top-level fields by id (`"59"`), plus the nested ones of 26 and 62 as `"26.01"`, `"62.05"`."""
    campos = _sem_repeticao(_ler_campos(payload))
    for pai in _CAMPOS_ANINHADOS:
        if pai in campos:
            campos |= _sem_repeticao(_ler_campos(campos[pai]), f"{pai}.")
    return campos


def pix_valido(payload: str) -> bool:
    """Whether the payload is well formed, opens with field 00 and closes with a matching CRC (field 63)."""
    try:
        campos = _ler_campos(payload)
        ler_pix(payload)  # nested fields must be well formed too
    except ValueError:
        return False
    primeiro, (ultimo, crc) = campos[0], campos[-1]
    return (
        primeiro == ("00", "01")
        and ultimo == "63"
        and _CRC.fullmatch(crc) is not None
        and crc16_ccitt(payload[:-4]) == crc.upper()
    )
