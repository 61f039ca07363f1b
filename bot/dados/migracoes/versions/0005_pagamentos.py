"""Pagamentos: tokens da pagina, pagamentos recebidos, cobrancas no PSP

Revision ID: 0005
Create Date: 2026-11-23 15:45:13.275266
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cobranca_psp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provedor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chave", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("documento_id", sa.Integer(), nullable=True),
        sa.Column("id_externo", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["documento_id"], ["documento_pagamento.id"], name=op.f("fk_cobranca_psp_documento_id_documento_pagamento")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cobranca_psp")),
        sa.UniqueConstraint("provedor", "chave", name=op.f("uq_cobranca_psp_provedor_chave")),
    )
    with op.batch_alter_table("cobranca_psp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cobranca_psp_documento_id"), ["documento_id"], unique=False)

    op.create_table(
        "pagamento_recebido",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provedor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id_provedor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("origem", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("documento_id", sa.Integer(), nullable=False),
        sa.Column("acordo_id", sa.Integer(), nullable=False),
        sa.Column("acordo_parcela_numero", sa.Integer(), nullable=False),
        sa.Column("valor", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("pago_em", sa.Date(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["acordo_id"], ["acordo.id"], name=op.f("fk_pagamento_recebido_acordo_id_acordo")),
        sa.ForeignKeyConstraint(
            ["documento_id"],
            ["documento_pagamento.id"],
            name=op.f("fk_pagamento_recebido_documento_id_documento_pagamento"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pagamento_recebido")),
        sa.UniqueConstraint("provedor", "id_provedor", name=op.f("uq_pagamento_recebido_provedor_id_provedor")),
    )
    with op.batch_alter_table("pagamento_recebido", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pagamento_recebido_acordo_id"), ["acordo_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pagamento_recebido_documento_id"), ["documento_id"], unique=False)

    op.create_table(
        "token_pagamento",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("documento_id", sa.Integer(), nullable=False),
        sa.Column("valido_ate", sa.Date(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["documento_id"],
            ["documento_pagamento.id"],
            name=op.f("fk_token_pagamento_documento_id_documento_pagamento"),
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_token_pagamento")),
        sa.UniqueConstraint("documento_id", name=op.f("uq_token_pagamento_documento_id")),
    )


def downgrade() -> None:
    op.drop_table("token_pagamento")
    with op.batch_alter_table("pagamento_recebido", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pagamento_recebido_documento_id"))
        batch_op.drop_index(batch_op.f("ix_pagamento_recebido_acordo_id"))

    op.drop_table("pagamento_recebido")
    with op.batch_alter_table("cobranca_psp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cobranca_psp_documento_id"))

    op.drop_table("cobranca_psp")
