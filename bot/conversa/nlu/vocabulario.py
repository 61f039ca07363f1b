"""The intent vocabulary of `fluxos/intencoes.toml`: intents with their key phrases and example messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intencao:
    """One intent of the vocabulary: key phrases that signal it and whole example messages."""

    nome: str
    palavras: tuple[str, ...]
    exemplos: tuple[str, ...]
    descricao: str = ""
