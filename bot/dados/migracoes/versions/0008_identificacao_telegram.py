"""Channels: Telegram chats identifying themselves by CPF.

Revision ID: 0008
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identificacao_telegram",
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=True),
        sa.Column("tentativas", sa.Integer(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["devedor_id"], ["devedor.id"], name=op.f("fk_identificacao_telegram_devedor_id_devedor")
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_identificacao_telegram")),
    )


def downgrade() -> None:
    op.drop_table("identificacao_telegram")
