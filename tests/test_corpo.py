"""Strict JSON bodies: what a handler may store and answer, and a Portuguese reason for everything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.corpo import JsonInvalido, ler_json


@pytest.mark.parametrize(
    ("bruto", "motivo"),
    [
        (b"{x", "esperado JSON"),
        (b'{"a": "\xc3\x28"}', "esperado JSON"),  # invalid UTF-8
        (b"[" * 5000 + b"]" * 5000, "aninhado fundo demais"),
        (b'{"valor": NaN}', "NaN não é JSON válido"),
        (b'{"valor": -Infinity}', "-Infinity não é JSON válido"),
        (b'{"valor": 1e999}', "número fora do intervalo"),
        (b'{"texto": "\\ud800"}', "surrogate"),
    ],
)
def test_recusa_com_motivo(bruto: bytes, motivo: str) -> None:
    with pytest.raises(JsonInvalido, match=motivo):
        ler_json(bruto)


def test_json_comum_passa() -> None:
    par = "\\ud83d\\ude00"  # a surrogate pair is one character (😀), not a lone surrogate
    assert ler_json(f'{{"texto": "oi {par}", "n": [1, 2.5, null, true]}}'.encode()) == {
        "texto": "oi 😀",
        "n": [1, 2.5, None, True],
    }


def test_nul_sai_dos_textos_e_das_chaves() -> None:
    """PostgreSQL stores no NUL in text or JSON: it is dropped, the rest of the message kept."""
    assert ler_json(b'{"a\\u0000b": ["o\\u0000i", 1, {"x": "\\u0000"}]}') == {"ab": ["oi", 1, {"x": ""}]}


def test_inteiro_grande_fica_exato() -> None:
    """orjson reads integers beyond 64 bits as floats: such a body is read by the standard library instead."""
    assert ler_json(b'{"update_id": 123456789012345678901234567890, "b": 9007199254740993}') == {
        "update_id": 123456789012345678901234567890,
        "b": 9007199254740993,
    }
    linha = "23793381286000000000300000000401184340000012345"  # a boleto's digits inside a text
    assert ler_json(f'{{"chat": {{"id": -1001234567890}}, "linha": "{linha}"}}'.encode()) == {
        "chat": {"id": -1001234567890},
        "linha": linha,
    }


json_valores = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda filhos: st.lists(filhos) | st.dictionaries(st.text(), filhos),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_valores)
def test_le_o_mesmo_que_a_biblioteca_padrao(valor: object) -> None:
    """Whichever parser reads a body, the value is the standard library's (NUL removed, as always)."""
    bruto = json.dumps(valor).encode()
    assert ler_json(bruto) == _sem_nul(json.loads(bruto))


def _sem_nul(valor: object) -> object:
    if isinstance(valor, str):
        return valor.replace("\x00", "")
    if isinstance(valor, list):
        return [_sem_nul(v) for v in valor]
    if isinstance(valor, dict):
        return {str(_sem_nul(k)): _sem_nul(v) for k, v in valor.items()}
    return valor
