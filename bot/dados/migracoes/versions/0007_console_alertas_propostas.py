"""Console: alerts of hand-offs left waiting, and offers above the book awaiting a gestor.

Revision ID: 0007
Create Date: 2026-11-23 16:13:23.904689
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposta_especial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=False),
        sa.Column("plano", bot.dados.tipos.Json(), nullable=False),
        sa.Column("justificativa", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("gestor_id", sa.Integer(), nullable=True),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("decidida_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.CheckConstraint(
            "situacao IN ('pendente', 'aprovada', 'recusada', 'enviada')", name=op.f("ck_proposta_especial_situacao")
        ),
        sa.ForeignKeyConstraint(
            ["conversa_id"], ["conversa.id"], name=op.f("fk_proposta_especial_conversa_id_conversa")
        ),
        sa.ForeignKeyConstraint(["gestor_id"], ["usuario.id"], name=op.f("fk_proposta_especial_gestor_id_usuario")),
        sa.ForeignKeyConstraint(["usuario_id"], ["usuario.id"], name=op.f("fk_proposta_especial_usuario_id_usuario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposta_especial")),
    )
    with op.batch_alter_table("proposta_especial", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposta_especial_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposta_especial_situacao"), ["situacao"], unique=False)

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
    with op.batch_alter_table("proposta_especial", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposta_especial_situacao"))
        batch_op.drop_index(batch_op.f("ix_proposta_especial_conversa_id"))

    op.drop_table("proposta_especial")
