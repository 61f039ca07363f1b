"""Reading a request body as JSON without letting odd input reach the handlers (or turn into a 500)."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson


class JsonInvalido(ValueError):
    """The body is not JSON we can store and answer: the message says why, in Portuguese, for a 400."""


def _sem_constantes(nome: str) -> Any:
    raise JsonInvalido(f"corpo inválido: {nome} não é JSON válido")


# 19 digits or more may not fit 64 bits, where orjson reads an integer as a float: the standard library keeps it.
_INTEIRO_LONGO = re.compile(rb"\d{19}")


def ler_json(bruto: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no lone surrogates (text a database cannot store), bounded depth;
    NUL characters are removed from strings (a message is kept rather than refused for one).

    orjson reads the common body (it refuses everything above by itself); whatever it refuses, or a body with a
    long run of digits, goes through the standard library, which says precisely why a body is refused."""
    if not _INTEIRO_LONGO.search(bruto):
        try:
            dados = orjson.loads(bruto)
        except orjson.JSONDecodeError:
            pass
        else:
            return _nul_removido(bruto, dados)
    try:
        dados = json.loads(bruto, parse_constant=_sem_constantes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JsonInvalido("corpo inválido: esperado JSON") from None
    except RecursionError:
        raise JsonInvalido("corpo inválido: JSON aninhado fundo demais") from None
    try:
        json.dumps(dados, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonInvalido("corpo inválido: texto com caractere UTF-16 avulso (surrogate)") from None
    except ValueError:  # 1e999 reads as infinity, which no JSON column stores
        raise JsonInvalido("corpo inválido: número fora do intervalo") from None
    except RecursionError:
        raise JsonInvalido("corpo inválido: JSON aninhado fundo demais") from None
    return _nul_removido(bruto, dados)


def _nul_removido(bruto: bytes, dados: Any) -> Any:
    """NUL is valid JSON but no PostgreSQL text or JSON column takes it: dropped."""
    if b"\\u0000" not in bruto:
        return dados
    try:
        return _sem_nul(dados)
    except RecursionError:
        raise JsonInvalido("corpo inválido: JSON aninhado fundo demais") from None


def _sem_nul(valor: Any) -> Any:
    if isinstance(valor, str):
        return valor.replace("\x00", "")
    if isinstance(valor, list):
        return [_sem_nul(v) for v in valor]
    if isinstance(valor, dict):
        return {_sem_nul(k): _sem_nul(v) for k, v in valor.items()}
    return valor
