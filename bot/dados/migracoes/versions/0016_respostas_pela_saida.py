"""Bot replies as an outbox: buttons kept with the message, a retry schedule for replies still to leave.

Revision ID: 0016
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.dados.tipos

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intencoes", bot.dados.tipos.Json(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("tentar_em", bot.dados.tipos.InstanteUTC(), nullable=True))
        batch_op.add_column(sa.Column("tentativas", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_mensagem_tentar_em"), ["tentar_em"], unique=False)
    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.alter_column("intencoes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mensagem_tentar_em"))
        batch_op.drop_column("tentativas")
        batch_op.drop_column("tentar_em")
        batch_op.drop_column("intencoes")
