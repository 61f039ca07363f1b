"""anexos: the file itself (path by sha256, size), its situation and download retries.

Revision ID: 0012
Create Date: 2026-11-23 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SITUACOES = "situacao IN ('pendente', 'guardado', 'recusado', 'falhou')"


def upgrade() -> None:
    with op.batch_alter_table("anexo", schema=None) as batch_op:
        # Rows recorded before files were fetched stay "pendente": the retry picks them up.
        batch_op.add_column(
            sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="pendente")
        )
        batch_op.add_column(sa.Column("motivo", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("caminho", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("tamanho", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("tentativas", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("tentar_em", bot.dados.tipos.InstanteUTC(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_anexo_situacao"), SITUACOES)
        batch_op.create_index(batch_op.f("ix_anexo_situacao"), ["situacao"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("anexo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anexo_situacao"))
        batch_op.drop_constraint(op.f("ck_anexo_situacao"), type_="check")
        for coluna in ("tentar_em", "tentativas", "sha256", "tamanho", "caminho", "motivo", "situacao"):
            batch_op.drop_column(coluna)
