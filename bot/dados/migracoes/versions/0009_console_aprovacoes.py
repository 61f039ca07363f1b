"""Console: offers above the book awaiting a gestor's approval.

Revision ID: 0009
Create Date: 2026-11-23 16:38:11.371997
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aprovacao_oferta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("pedida_por", sa.Integer(), nullable=False),
        sa.Column("plano", bot.dados.tipos.Json(), nullable=False),
        sa.Column("limites", bot.dados.tipos.Json(), nullable=False),
        sa.Column("justificativa", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decidida_por", sa.Integer(), nullable=True),
        sa.Column("decidida_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint(
            "situacao IN ('pendente', 'aprovada', 'recusada', 'usada')", name=op.f("ck_aprovacao_oferta_situacao")
        ),
        sa.ForeignKeyConstraint(
            ["conversa_id"], ["conversa.id"], name=op.f("fk_aprovacao_oferta_conversa_id_conversa")
        ),
        sa.ForeignKeyConstraint(
            ["decidida_por"], ["usuario.id"], name=op.f("fk_aprovacao_oferta_decidida_por_usuario")
        ),
        sa.ForeignKeyConstraint(["pedida_por"], ["usuario.id"], name=op.f("fk_aprovacao_oferta_pedida_por_usuario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aprovacao_oferta")),
    )
    with op.batch_alter_table("aprovacao_oferta", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aprovacao_oferta_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aprovacao_oferta_situacao"), ["situacao"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aprovacao_oferta", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aprovacao_oferta_situacao"))
        batch_op.drop_index(batch_op.f("ix_aprovacao_oferta_conversa_id"))

    op.drop_table("aprovacao_oferta")
