"""Console: alerts of hand-offs left waiting for a person.

Revision ID: 0007
Create Date: 2026-11-23 16:13:23.904689
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.dados.tipos

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerta_transferencia",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transferencia_id", sa.Integer(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transferencia_id"],
            ["transferencia.id"],
            name=op.f("fk_alerta_transferencia_transferencia_id_transferencia"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerta_transferencia")),
        sa.UniqueConstraint("transferencia_id", name=op.f("uq_alerta_transferencia_transferencia_id")),
    )


def downgrade() -> None:
    op.drop_table("alerta_transferencia")
