"""A spreadsheet saved as CSV, read as text: UTF-8 with or without Excel's BOM, errors in pt-BR naming the file."""

from __future__ import annotations

from pathlib import Path


class PlanilhaIlegivel(Exception):
    """The file could not be read as UTF-8 text; the message names the file and says what to do."""


def ler_planilha(arquivo: Path) -> str:
    """The file's text; raises PlanilhaIlegivel when it cannot be opened or is not UTF-8."""
    try:
        return arquivo.read_bytes().decode("utf-8-sig")
    except OSError as erro:
        raise PlanilhaIlegivel(f"{arquivo}: não foi possível ler: {erro.strerror}") from erro
    except UnicodeDecodeError as erro:
        raise PlanilhaIlegivel(
            f"{arquivo}: não está em UTF-8 (byte {erro.start}); salve a planilha como CSV UTF-8"
        ) from erro
