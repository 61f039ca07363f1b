"""`[lgpd]` in config.toml: how long what the law requires is kept after a debtor's file is closed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LgpdConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    retencao_dias: int = Field(
        1825,
        ge=30,
        le=36_500,
        description="Dias, desde o último fato, em que dívida, pagamentos e acordos de um devedor sem nada em aberto "
        "ficam identificados; depois o `serve` apaga nome e CPF (padrão: 5 anos, prescrição do CC art. 206 §5 I)",
    )
    verificar_a_cada_horas: int = Field(24, ge=1, le=24 * 30, description="Intervalo da rotina de retenção no serve")
