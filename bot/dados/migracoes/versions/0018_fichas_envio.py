"""fichas_envio: the send-rate token buckets shared by every instance (one row per channel).

Revision ID: 0018
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fichas_envio",
        sa.Column("chave", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fichas", sa.Float(), nullable=False),
        sa.Column("em", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("chave", name=op.f("pk_fichas_envio")),
    )


def downgrade() -> None:
    op.drop_table("fichas_envio")
