"""cobranca_psp: background retries of failed PSP charges (attempts claimed, next attempt due).

Revision ID: 0014
Create Date: 2026-11-23 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.dados.tipos

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cobranca_psp", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tentativas", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("tentar_em", bot.dados.tipos.InstanteUTC(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cobranca_psp_tentar_em"), ["tentar_em"], unique=False)
    # Charges that failed (or were interrupted) before this version are retried from the first round on.
    op.execute("UPDATE cobranca_psp SET tentar_em = criado_em WHERE situacao <> 'emitida'")


def downgrade() -> None:
    with op.batch_alter_table("cobranca_psp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cobranca_psp_tentar_em"))
        batch_op.drop_column("tentar_em")
        batch_op.drop_column("tentativas")
