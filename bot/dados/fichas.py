"""The send-rate buckets every instance shares: one row per channel (one number), its tokens and when counted."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class FichasEnvio(SQLModel, table=True):
    __tablename__ = "fichas_envio"

    chave: str = Field(primary_key=True)  # the channel: every instance sending from the same number shares it
    fichas: float
    em: float  # seconds since the epoch on the instances' clock: tokens are counted up to this instant
