"""The senders' own ledger of keyed sends: what was handed to a provider, and the id the provider answered.

A row is written before the provider is called and completed with its id right after, each in its own commit, so
after a crash the key tells apart "never handed over" (no row), "accepted" (id) and "handed over, no answer
recorded" (row without id): the three answers crash reconciliation needs.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante


class EnvioChave(SQLModel, table=True):
    __tablename__ = "envio_chave"

    chave: str = Field(primary_key=True)  # the outbox row's key (alvo|passo|canal)
    canal: str
    id_provedor: str | None = Field(default=None, index=True)
    iniciado_em: datetime = coluna_instante()
    confirmado_em: datetime | None = coluna_instante(nulo=True)
