"""voz_e_comprovantes: voice-note transcripts and payment receipts read from a debtor's files.

Revision ID: 0020
Create Date: 2026-12-03 16:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXTO = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "transcricao",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("anexo_id", sa.Integer(), nullable=False),
        sa.Column("situacao", _TEXTO(), nullable=False),
        sa.Column("texto", _TEXTO(), nullable=False),
        sa.Column("motivo", _TEXTO(), nullable=True),
        sa.Column("servico", _TEXTO(), nullable=False),
        sa.Column("duracao", sa.Float(), nullable=True),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint("situacao IN ('feita', 'falhou', 'recusada')", name=op.f("ck_transcricao_situacao")),
        sa.ForeignKeyConstraint(["anexo_id"], ["anexo.id"], name=op.f("fk_transcricao_anexo_id_anexo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcricao")),
        sa.UniqueConstraint("anexo_id", name=op.f("uq_transcricao_anexo_id")),
    )
    op.create_table(
        "comprovante",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("anexo_id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("situacao", _TEXTO(), nullable=False),
        sa.Column("motivo", _TEXTO(), nullable=False),
        sa.Column("alvo", _TEXTO(), nullable=True),
        sa.Column("e2e", _TEXTO(), nullable=True),
        sa.Column("valor", bot.dados.tipos.Dinheiro(), nullable=True),
        sa.Column("data_pagamento", sa.Date(), nullable=True),
        sa.Column("cnpjs", _TEXTO(), nullable=False),
        sa.Column("ate", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint(
            "situacao IN ('casado', 'sem_casamento', 'ilegivel')", name=op.f("ck_comprovante_situacao")
        ),
        sa.ForeignKeyConstraint(["anexo_id"], ["anexo.id"], name=op.f("fk_comprovante_anexo_id_anexo")),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_comprovante_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comprovante")),
        sa.UniqueConstraint("anexo_id", name=op.f("uq_comprovante_anexo_id")),
        sa.UniqueConstraint("e2e", name=op.f("uq_comprovante_e2e")),
    )
    op.create_index(op.f("ix_comprovante_devedor_id"), "comprovante", ["devedor_id"], unique=False)
    op.create_index(op.f("ix_comprovante_alvo"), "comprovante", ["alvo"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_comprovante_alvo"), table_name="comprovante")
    op.drop_index(op.f("ix_comprovante_devedor_id"), table_name="comprovante")
    op.drop_table("comprovante")
    op.drop_table("transcricao")
