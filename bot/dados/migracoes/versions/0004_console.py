"""Agents' console: users, sessions, login failures, notes, promises to pay, audit log.

Revision ID: 0004
Create Date: 2026-11-23 15:45:23.955977
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "falha_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_falha_login")),
    )
    with op.batch_alter_table("falha_login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_falha_login_login"), ["login"], unique=False)

    op.create_table(
        "usuario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("nome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("papel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("senha_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ativo", sa.Boolean(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint("papel IN ('agente', 'gestor')", name=op.f("ck_usuario_papel")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usuario")),
        sa.UniqueConstraint("login", name=op.f("uq_usuario_login")),
    )
    op.create_table(
        "sessao_console",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("expira_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["usuario_id"], ["usuario.id"], name=op.f("fk_sessao_console_usuario_id_usuario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessao_console")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessao_console_token_hash")),
    )
    with op.batch_alter_table("sessao_console", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessao_console_usuario_id"), ["usuario_id"], unique=False)

    op.create_table(
        "auditoria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=True),
        sa.Column("acao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=True),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_auditoria_conversa_id_conversa")),
        sa.ForeignKeyConstraint(["usuario_id"], ["usuario.id"], name=op.f("fk_auditoria_usuario_id_usuario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditoria")),
    )
    with op.batch_alter_table("auditoria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditoria_acao"), ["acao"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditoria_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditoria_usuario_id"), ["usuario_id"], unique=False)

    op.create_table(
        "nota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=False),
        sa.Column("texto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_nota_conversa_id_conversa")),
        sa.ForeignKeyConstraint(["usuario_id"], ["usuario.id"], name=op.f("fk_nota_usuario_id_usuario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nota")),
    )
    with op.batch_alter_table("nota", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nota_conversa_id"), ["conversa_id"], unique=False)

    op.create_table(
        "promessa_pagamento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=False),
        sa.Column("valor", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("data", sa.Date(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversa_id"], ["conversa.id"], name=op.f("fk_promessa_pagamento_conversa_id_conversa")
        ),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_promessa_pagamento_devedor_id_devedor")),
        sa.ForeignKeyConstraint(["usuario_id"], ["usuario.id"], name=op.f("fk_promessa_pagamento_usuario_id_usuario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promessa_pagamento")),
    )
    with op.batch_alter_table("promessa_pagamento", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promessa_pagamento_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_promessa_pagamento_devedor_id"), ["devedor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("promessa_pagamento", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promessa_pagamento_devedor_id"))
        batch_op.drop_index(batch_op.f("ix_promessa_pagamento_conversa_id"))

    op.drop_table("promessa_pagamento")
    with op.batch_alter_table("nota", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nota_conversa_id"))

    op.drop_table("nota")
    with op.batch_alter_table("auditoria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditoria_usuario_id"))
        batch_op.drop_index(batch_op.f("ix_auditoria_conversa_id"))
        batch_op.drop_index(batch_op.f("ix_auditoria_acao"))

    op.drop_table("auditoria")
    with op.batch_alter_table("sessao_console", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessao_console_usuario_id"))

    op.drop_table("sessao_console")
    op.drop_table("usuario")
    with op.batch_alter_table("falha_login", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_falha_login_login"))

    op.drop_table("falha_login")
