"""Channels: Telegram identification asks the CPF, then the birth date, before the flow says anything.

Rows of chats that were in the middle of the old check (a CPF matched, the flow's check running) are dropped:
those chats are simply asked for the CPF again.

Revision ID: 0013
Create Date: 2026-11-23 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM identificacao_telegram WHERE devedor_id IS NOT NULL")
    with op.batch_alter_table("identificacao_telegram") as tabela:
        tabela.add_column(sa.Column("etapa", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="cpf"))


def downgrade() -> None:
    with op.batch_alter_table("identificacao_telegram") as tabela:
        tabela.drop_column("etapa")
