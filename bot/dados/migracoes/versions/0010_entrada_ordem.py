"""Inbound box: a sender key for per-conversation order, and a lease (claim time, attempts) for recovery.

Revision ID: 0010
Create Date: 2026-11-23 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("atualizacao") as lote:
        lote.add_column(sa.Column("remetente", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        lote.add_column(sa.Column("reivindicada_em", bot.dados.tipos.InstanteUTC(), nullable=True))
        lote.add_column(sa.Column("tentativas", sa.Integer(), nullable=False, server_default="0"))
        lote.create_index(op.f("ix_atualizacao_remetente"), ["remetente"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("atualizacao") as lote:
        lote.drop_index(op.f("ix_atualizacao_remetente"))
        lote.drop_column("tentativas")
        lote.drop_column("reivindicada_em")
        lote.drop_column("remetente")
