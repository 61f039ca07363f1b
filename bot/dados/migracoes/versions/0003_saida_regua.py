"""The régua's outbox (`saida`): one row per (what, step, channel), claimed atomically by dispatchers.

Revision ID: 0003
Create Date: 2026-11-23 15:47:59.748933
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saida",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alvo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("passo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("destino", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("texto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("modelo", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("parametros", bot.dados.tipos.Json(), nullable=False),
        sa.Column("usar_modelo", sa.Boolean(), nullable=False),
        sa.Column("canais_restantes", bot.dados.tipos.Json(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tentativas", sa.Integer(), nullable=False),
        sa.Column("proxima_tentativa", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("prazo", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("reservada_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("enviada_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("id_provedor", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("motivo", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint(
            "situacao IN ('pendente', 'enviando', 'enviada', 'falhou', 'descartada', 'incerta')",
            name=op.f("ck_saida_situacao"),
        ),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_saida_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saida")),
        sa.UniqueConstraint("alvo", "passo", "canal", name=op.f("uq_saida_alvo_passo_canal")),
    )
    with op.batch_alter_table("saida", schema=None) as batch_op:
        batch_op.create_index("ix_saida_contatos", ["devedor_id", "enviada_em"], unique=False)
        batch_op.create_index("ix_saida_fila", ["situacao", "proxima_tentativa"], unique=False)
        batch_op.create_index(batch_op.f("ix_saida_id_provedor"), ["id_provedor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saida", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saida_id_provedor"))
        batch_op.drop_index("ix_saida_fila")
        batch_op.drop_index("ix_saida_contatos")

    op.drop_table("saida")
