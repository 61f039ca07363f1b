"""What Meta says about each WhatsApp template we declared: its status, from the Graph API or the status webhook."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante


class SituacaoModelo(SQLModel, table=True):
    __tablename__ = "situacao_modelo"

    nome: str = Field(primary_key=True)
    idioma: str = Field(primary_key=True)  # pt_BR
    situacao: str  # as Meta writes it: APPROVED, PENDING, REJECTED, PAUSED, DISABLED...
    id_meta: str | None = None  # message_template_id
    categoria: str | None = None  # UTILITY, MARKETING, AUTHENTICATION (Meta may recategorise)
    motivo: str | None = None  # a rejection's reason
    atualizado_em: datetime = coluna_instante()  # Meta's instant of this status; an older report changes nothing
