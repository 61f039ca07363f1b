"""`[api]` in config.toml: the HTTP API's limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ApiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    requisicoes_por_minuto: int = Field(
        120, ge=1, le=100_000, description="Requisições por minuto de um token antes de responder 429"
    )
    itens_por_pagina: int = Field(50, ge=1, le=500, description="Itens por página das listas (padrão de `por_pagina`)")
    itens_por_carga: int = Field(
        200, ge=1, le=1000, description="Parcelas por chamada de POST /api/v1/carteira (o corpo tem até 64 KB)"
    )
