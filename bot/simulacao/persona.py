"""Debtor personas for the offer-book simulator (`--personas P.toml`), validated at load like config.toml.

A persona says how a kind of debtor behaves: whether they answer, why they are late, how much they can pay at once
and per month (ranges, as % of what they owe today; each debtor draws their own), how many offers they refuse
before giving up, how they answer (buttons or their own words, read by the real classifier) and how likely they
are to break an agreement at each installment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.config.erros import ErroConfig
from bot.config.validacao import ler_toml, validar
from bot.negociacao.politica import LivroOfertas


class _Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Motivo(StrEnum):
    ESQUECI = "esqueci"
    SEM_RENDA = "sem_renda"
    DOENCA = "doenca"
    OUTRO = "outro"


class Resposta(StrEnum):
    BOTOES = "botoes"  # presses the buttons
    TEXTO = "texto"  # writes, in their own words: the classifier reads them as in production


class Faixa(_Estrito):
    """A range [minimo, maximo] a debtor's own figure is drawn from, uniformly."""

    minimo: Decimal = Field(ge=0, le=1000)
    maximo: Decimal = Field(ge=0, le=1000)

    @model_validator(mode="after")
    def _ordem(self) -> Faixa:
        if self.minimo > self.maximo:
            raise ValueError(f"minimo ({self.minimo}) maior que maximo ({self.maximo})")
        return self

    def sortear(self, gerador: random.Random) -> Decimal:
        return self.minimo + (self.maximo - self.minimo) * Decimal(str(round(gerador.random(), 6)))


class Persona(_Estrito):
    nome: str = Field(pattern=r"^[a-z0-9_]{1,40}$", description="Nome da persona")
    peso: int = Field(1, ge=1, le=1000, description="Parte da carteira com esta persona, relativa às outras")
    engajamento: Decimal = Field(ge=0, le=1, description="Chance de responder ao bot (0 a 1)")
    motivo: Motivo = Field(Motivo.OUTRO, description="Motivo do atraso que a persona dá")
    responde: Resposta = Field(Resposta.BOTOES, description="botoes ou texto (lido pelo classificador real)")
    a_vista_percentual: Faixa = Field(description="Quanto paga de uma vez, em % do saldo de hoje")
    parcela_percentual: Faixa = Field(description="Quanto paga por mês, em % do saldo de hoje")
    paciencia: int = Field(2, ge=0, le=10, description="Ofertas recusadas antes de desistir")
    quebra_por_parcela: Decimal = Field(ge=0, le=1, description="Chance de parar de pagar a cada parcela (0 a 1)")


class Personas(_Estrito):
    personas: tuple[Persona, ...] = Field(min_length=1, description="Pelo menos uma persona")

    @model_validator(mode="after")
    def _unicas(self) -> Personas:
        nomes = [p.nome for p in self.personas]
        if repetidos := sorted({n for n in nomes if nomes.count(n) > 1}):
            raise ValueError(f"personas repetidas: {', '.join(repetidos)}")
        return self

    def sortear(self, gerador: random.Random) -> Persona:
        return gerador.choices(self.personas, weights=[p.peso for p in self.personas])[0]


@dataclass(frozen=True)
class Livro:
    """An offer book under comparison: its name (the file's) and the book."""

    nome: str
    livro: LivroOfertas


def ler_personas(caminho: Path) -> tuple[Personas | None, list[ErroConfig]]:
    dados, texto, erros = ler_toml(caminho)
    return (None, erros) if erros else validar(Personas, dados, str(caminho), texto)


def ler_livro(caminho: Path) -> tuple[Livro | None, list[ErroConfig]]:
    """A book file holds what `[ofertas]` holds in config.toml, at the top level (`[[faixas]]`, …)."""
    dados, texto, erros = ler_toml(caminho)
    if erros:
        return None, erros
    livro, erros = validar(LivroOfertas, dados, str(caminho), texto)
    return (None, erros) if livro is None else (Livro(caminho.stem, livro), [])
