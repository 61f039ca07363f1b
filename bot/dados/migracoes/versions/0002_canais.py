"""canais: atualizacoes, status de entrega, anexos, convites do Telegram

Revision ID: 0002
Create Date: 2026-11-23 15:45:04.353844
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "atualizacao",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tipo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id_externo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("corpo", bot.dados.tipos.Json(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("erro", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("recebida_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("processada_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.CheckConstraint(
            "situacao IN ('pendente', 'processando', 'processada', 'falhou')", name=op.f("ck_atualizacao_situacao")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atualizacao")),
        sa.UniqueConstraint("canal", "id_externo", name=op.f("uq_atualizacao_canal_id_externo")),
    )
    with op.batch_alter_table("atualizacao", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_atualizacao_situacao"), ["situacao"], unique=False)

    op.create_table(
        "status_entrega",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id_externo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("codigo", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("detalhe", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("instante", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_entrega")),
        sa.UniqueConstraint("canal", "id_externo", "status", name=op.f("uq_status_entrega_canal_id_externo_status")),
    )
    with op.batch_alter_table("status_entrega", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_entrega_id_externo"), ["id_externo"], unique=False)

    op.create_table(
        "convite_telegram",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("usado_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_convite_telegram_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_convite_telegram")),
    )
    with op.batch_alter_table("convite_telegram", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_convite_telegram_devedor_id"), ["devedor_id"], unique=False)

    op.create_table(
        "anexo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tipo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id_midia", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mime", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("nome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("legenda", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("recebido_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_anexo_conversa_id_conversa")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anexo")),
        sa.UniqueConstraint("canal", "id_midia", name=op.f("uq_anexo_canal_id_midia")),
    )
    with op.batch_alter_table("anexo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anexo_conversa_id"), ["conversa_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("anexo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anexo_conversa_id"))

    op.drop_table("anexo")
    with op.batch_alter_table("convite_telegram", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convite_telegram_devedor_id"))

    op.drop_table("convite_telegram")
    with op.batch_alter_table("status_entrega", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_entrega_id_externo"))

    op.drop_table("status_entrega")
    with op.batch_alter_table("atualizacao", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_atualizacao_situacao"))

    op.drop_table("atualizacao")
