"""Strict JSON bodies: what a handler may store and answer, and a Portuguese reason for everything else."""

from __future__ import annotations

import pytest

from bot.web.corpo import JsonInvalido, ler_json


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
