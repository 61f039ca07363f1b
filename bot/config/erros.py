"""Configuration errors that name the file, the key path, the line, the bad value and what was expected."""

from __future__ import annotations

from dataclasses import dataclass

_SEM_VALOR = object()


@dataclass(frozen=True)
class ErroConfig:
    arquivo: str
    caminho: str
    mensagem: str
    linha: int | None = None
    valor: object = _SEM_VALOR

    def __str__(self) -> str:
        onde = f"{self.arquivo}:{self.linha}" if self.linha else self.arquivo
        chave = f" [{self.caminho}]" if self.caminho else ""
        valor = "" if self.valor is _SEM_VALOR else f" (valor: {self.valor!r})"
        return f"{onde}:{chave} {self.mensagem}{valor}"


class ConfigInvalida(Exception):
    """Raised with every error found, so a manager fixes them all in one pass."""

    def __init__(self, erros: list[ErroConfig]) -> None:
        self.erros = erros
        super().__init__("\n".join(str(e) for e in erros))
