"""Experiments applied: the variant recorded with each contact and agreement, stopped variants, Thompson draws.

Revision ID: 0022
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABELAS = ("saida", "mensagem", "acordo")


def upgrade() -> None:
    for tabela in _TABELAS:
        with op.batch_alter_table(tabela, schema=None) as batch_op:
            batch_op.add_column(sa.Column("variante", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        "variante_parada",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experimento", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("variante", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("motivo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("parada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variante_parada")),
        sa.UniqueConstraint("experimento", "variante", name=op.f("uq_variante_parada_experimento_variante")),
    )
    op.create_table(
        "sorteio_experimento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experimento", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("variante", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_sorteio_experimento_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sorteio_experimento")),
        sa.UniqueConstraint("experimento", "devedor_id", name=op.f("uq_sorteio_experimento_experimento_devedor_id")),
    )
    with op.batch_alter_table("sorteio_experimento", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sorteio_experimento_devedor_id"), ["devedor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sorteio_experimento", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sorteio_experimento_devedor_id"))
    op.drop_table("sorteio_experimento")
    op.drop_table("variante_parada")
    for tabela in reversed(_TABELAS):
        with op.batch_alter_table(tabela, schema=None) as batch_op:
            batch_op.drop_column("variante")
