"""The inbox stays small to search: a partial index on unfinished rows by sender, and processed rows purged.

Revision ID: 0017
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ABERTA = sa.text("situacao IN ('pendente', 'processando')")


def upgrade() -> None:
    with op.batch_alter_table("atualizacao", schema=None) as batch_op:
        batch_op.drop_index("ix_atualizacao_remetente")
        batch_op.create_index(
            "ix_atualizacao_aberta", ["remetente", "id"], unique=False, sqlite_where=ABERTA, postgresql_where=ABERTA
        )
        batch_op.create_index(batch_op.f("ix_atualizacao_processada_em"), ["processada_em"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("atualizacao", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_atualizacao_processada_em"))
        batch_op.drop_index("ix_atualizacao_aberta")
        batch_op.create_index("ix_atualizacao_remetente", ["remetente"], unique=False)
