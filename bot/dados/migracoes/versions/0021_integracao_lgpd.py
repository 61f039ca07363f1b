"""Integration and LGPD: API tokens, the outbound events' outbox and deliveries, anonymisation instants.

Revision ID: 0021
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXTO = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "token_api",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nome", _TEXTO(length=64), nullable=False),
        sa.Column("token_hash", _TEXTO(length=64), nullable=False),
        sa.Column("escopos", bot.dados.tipos.Json(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("revogado_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_api")),
        sa.UniqueConstraint("nome", name=op.f("uq_token_api_nome")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_token_api_token_hash")),
    )
    op.create_table(
        "evento_saida",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evento", _TEXTO(), nullable=False),
        sa.Column("chave", _TEXTO(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=True),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("distribuido", sa.Boolean(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_evento_saida_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evento_saida")),
        sa.UniqueConstraint("evento", "chave", name=op.f("uq_evento_saida_evento_chave")),
    )
    op.create_index(op.f("ix_evento_saida_devedor_id"), "evento_saida", ["devedor_id"])
    op.create_index(op.f("ix_evento_saida_distribuido"), "evento_saida", ["distribuido"])
    op.create_table(
        "entrega_evento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evento_saida_id", sa.Integer(), nullable=False),
        sa.Column("destino", _TEXTO(), nullable=False),
        sa.Column("situacao", _TEXTO(), nullable=False),
        sa.Column("tentativas", sa.Integer(), nullable=False),
        sa.Column("tentar_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("ultimo_status", sa.Integer(), nullable=True),
        sa.Column("ultimo_erro", _TEXTO(), nullable=True),
        sa.Column("entregue_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint(
            "situacao IN ('pendente', 'entregue', 'desistida')", name=op.f("ck_entrega_evento_situacao")
        ),
        sa.ForeignKeyConstraint(
            ["evento_saida_id"], ["evento_saida.id"], name=op.f("fk_entrega_evento_evento_saida_id_evento_saida")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entrega_evento")),
        sa.UniqueConstraint("evento_saida_id", "destino", name=op.f("uq_entrega_evento_evento_saida_id_destino")),
    )
    op.create_index(op.f("ix_entrega_evento_evento_saida_id"), "entrega_evento", ["evento_saida_id"])
    op.create_index(op.f("ix_entrega_evento_tentar_em"), "entrega_evento", ["tentar_em"])
    with op.batch_alter_table("devedor") as batch_op:
        batch_op.add_column(sa.Column("anonimizado_em", bot.dados.tipos.InstanteUTC(), nullable=True))
        batch_op.add_column(sa.Column("expurgado_em", bot.dados.tipos.InstanteUTC(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devedor") as batch_op:
        batch_op.drop_column("expurgado_em")
        batch_op.drop_column("anonimizado_em")
    op.drop_index(op.f("ix_entrega_evento_tentar_em"), table_name="entrega_evento")
    op.drop_index(op.f("ix_entrega_evento_evento_saida_id"), table_name="entrega_evento")
    op.drop_table("entrega_evento")
    op.drop_index(op.f("ix_evento_saida_distribuido"), table_name="evento_saida")
    op.drop_index(op.f("ix_evento_saida_devedor_id"), table_name="evento_saida")
    op.drop_table("evento_saida")
    op.drop_table("token_api")
