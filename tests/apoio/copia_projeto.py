"""Editing the copy of the shipped project (the `copia` fixture) and reading what `bot check` says of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.erros import ConfigInvalida
from bot.projeto import carregar_projeto


def erros(pasta: Path) -> list[str]:
    with pytest.raises(ConfigInvalida) as excecao:
        carregar_projeto(pasta / "config.toml")
    return [str(e) for e in excecao.value.erros]


def trocar(arquivo: Path, antes: str, depois: str) -> None:
    texto = arquivo.read_text(encoding="utf-8")
    assert antes in texto, f"{antes!r} não está em {arquivo}"
    arquivo.write_text(texto.replace(antes, depois, 1), encoding="utf-8")
