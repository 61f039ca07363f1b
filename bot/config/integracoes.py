"""`[integracoes]` in config.toml: where the company's systems hear about agreements, payments and opt-outs."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class TipoEventoSaida(StrEnum):
    """The facts a company's system may subscribe to (the `evento` field of every POST)."""

    ACORDO_CRIADO = "acordo_criado"
    ACORDO_QUEBRADO = "acordo_quebrado"
    PAGAMENTO_CONFIRMADO = "pagamento_confirmado"
    OPTOUT = "optout"
    TRANSFERENCIA = "transferencia"
    CONTESTACAO = "contestacao"


class Destino(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    nome: str = Field(pattern=r"^[a-z0-9_-]{1,40}$", description="Nome curto do destino (aparece no registro)")
    url: str = Field(description="Endereço http(s) que recebe os eventos por POST")
    segredo_env: str = Field(
        min_length=1, description="NOME da variável de ambiente com o segredo da assinatura HMAC (nunca o segredo)"
    )
    eventos: tuple[TipoEventoSaida, ...] = Field(
        tuple(TipoEventoSaida), description="Eventos enviados a este destino (padrão: todos)"
    )

    @field_validator("eventos")
    @classmethod
    def _eventos(cls, valor: tuple[TipoEventoSaida, ...]) -> tuple[TipoEventoSaida, ...]:
        if not valor:
            raise ValueError("lista vazia; esperado ao menos um evento (ou omita a chave para todos)")
        return tuple(dict.fromkeys(valor))

    @field_validator("url")
    @classmethod
    def _url(cls, valor: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s#]*)?", valor):
            raise ValueError("esperado um endereço http(s), como https://erp.exemplo.com.br/cobranca/eventos")
        return valor


class IntegracoesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    destinos: tuple[Destino, ...] = Field((), description="Sistemas da empresa que recebem os eventos")
    tentativas: int = Field(8, ge=1, le=50, description="Tentativas de entrega de um evento antes de desistir")
    espera_inicial_segundos: int = Field(30, ge=1, le=3600, description="Espera antes da 2ª tentativa; dobra a cada")
    espera_maxima_segundos: int = Field(3600, ge=1, le=86_400, description="Maior espera entre duas tentativas")
    tempo_limite_segundos: float = Field(10.0, gt=0, le=120, description="Quanto esperar a resposta do destino")

    @model_validator(mode="after")
    def _nomes_unicos(self) -> IntegracoesConfig:
        nomes = [d.nome for d in self.destinos]
        repetidos = sorted({n for n in nomes if nomes.count(n) > 1})
        if repetidos:
            raise ValueError(f"destinos com o mesmo nome: {', '.join(repetidos)}")
        return self
