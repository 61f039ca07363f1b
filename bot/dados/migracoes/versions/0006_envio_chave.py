"""Senders' ledger of keyed sends (crash reconciliation of the régua's outbox).

Revision ID: 0006
Create Date: 2026-11-23 16:13:31.093524
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "envio_chave",
        sa.Column("chave", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id_provedor", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("iniciado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("confirmado_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.PrimaryKeyConstraint("chave", name=op.f("pk_envio_chave")),
    )
    with op.batch_alter_table("envio_chave", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_envio_chave_id_provedor"), ["id_provedor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("envio_chave", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_envio_chave_id_provedor"))

    op.drop_table("envio_chave")
