"""`[[experimentos]]` in config.toml: variants compared on the same portfolio, validated at load."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NOME = re.compile(r"[a-z0-9_]{1,40}")


def repetidos(nomes: list[str]) -> list[str]:
    return sorted({n for n in nomes if nomes.count(n) > 1})


class Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variante(Estrito):
    nome: str = Field(description="Nome curto da variante (letras minúsculas, dígitos, _)")
    peso: int = Field(1, ge=1, le=100, description="Parte do tráfego, relativa às outras variantes")
    descricao: str = Field("", description="O que esta variante muda, para quem lê o relatório")

    @field_validator("nome")
    @classmethod
    def _nome(cls, valor: str) -> str:
        if not NOME.fullmatch(valor):
            raise ValueError(f"nome inválido: {valor!r} (letras minúsculas, dígitos e _, até 40)")
        return valor


class Experimento(Estrito):
    """One experiment; the first variant is the reference the others are compared with."""

    nome: str = Field(description="Nome único do experimento (entra no sorteio: mudar o nome sorteia de novo)")
    inicio: date = Field(description="Primeiro dia (AAAA-MM-DD)")
    fim: date = Field(description="Último dia; depois dele ninguém mais entra")
    reserva_percentual: int = Field(
        10, ge=0, le=50, description="Grupo de reserva (hold-out): % dos devedores fora de todas as variantes"
    )
    minimo_por_variante: int = Field(
        200, ge=10, le=1_000_000, description="Devedores por variante antes de qualquer veredito"
    )
    variantes: tuple[Variante, ...] = Field(min_length=2, description="Pelo menos duas; a primeira é a referência")

    @field_validator("nome")
    @classmethod
    def _nome(cls, valor: str) -> str:
        return Variante._nome(valor)

    @model_validator(mode="after")
    def _coerente(self) -> Experimento:
        problemas = []
        if self.fim < self.inicio:
            problemas.append(f"fim ({self.fim}) antes do início ({self.inicio})")
        if duplas := repetidos([v.nome for v in self.variantes]):
            problemas.append(f"variantes repetidas: {', '.join(duplas)}")
        if problemas:
            raise ValueError("; ".join(problemas))
        return self


def nomes_unicos(experimentos: tuple[Experimento, ...]) -> tuple[Experimento, ...]:
    """Two experiments with one name would draw the same debtors into both: refused."""
    if duplas := repetidos([e.nome for e in experimentos]):
        raise ValueError(f"experimentos com o mesmo nome: {', '.join(duplas)}")
    return experimentos
