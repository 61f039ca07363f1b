"""What experiments keep in the database: stopped variants (guardrails) and Thompson-sampling draws."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante
from bot.dados.tipos import Json


class VarianteParada(SQLModel, table=True):
    """A variant a guardrail stopped: from `parada_em` on its debtors get the reference. Never reopened by the bot."""

    __tablename__ = "variante_parada"
    __table_args__ = (UniqueConstraint("experimento", "variante"),)

    id: int | None = Field(default=None, primary_key=True)
    experimento: str
    variante: str
    motivo: str
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)  # the rates and intervals that stopped it
    parada_em: datetime = coluna_instante()


class SorteioExperimento(SQLModel, table=True):
    """A debtor's variant under Thompson sampling: drawn once, kept for good (a debtor never changes variant)."""

    __tablename__ = "sorteio_experimento"
    __table_args__ = (UniqueConstraint("experimento", "devedor_id"),)

    id: int | None = Field(default=None, primary_key=True)
    experimento: str
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    variante: str
    criado_em: datetime = coluna_instante()
