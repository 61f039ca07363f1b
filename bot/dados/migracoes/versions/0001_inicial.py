"""Initial schema: debtors, debts, conversations, agreements, payment documents, hand-offs.

Revision ID: 0001
Create Date: 2026-11-23 15:11:46.827941
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "devedor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cpf", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
        sa.Column("nome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("telefone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("telegram_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("nascimento", sa.Date(), nullable=True),
        sa.Column("uf", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("segmento", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("telefone_invalido", sa.Boolean(), nullable=False),
        sa.Column("optout_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("atualizado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devedor")),
        sa.UniqueConstraint("cpf", name=op.f("uq_devedor_cpf")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_devedor_telegram_id")),
    )
    with op.batch_alter_table("devedor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devedor_telefone"), ["telefone"], unique=False)

    op.create_table(
        "contrato",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("numero", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("descricao", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_contrato_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contrato")),
        sa.UniqueConstraint("numero", name=op.f("uq_contrato_numero")),
    )
    with op.batch_alter_table("contrato", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contrato_devedor_id"), ["devedor_id"], unique=False)

    op.create_table(
        "conversa",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("estado", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dono", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("memoria", bot.dados.tipos.Json(), nullable=False),
        sa.Column("iniciada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("atualizada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("versao", sa.Integer(), nullable=False),
        sa.CheckConstraint("canal IN ('web', 'cli', 'whatsapp', 'telegram')", name=op.f("ck_conversa_canal")),
        sa.CheckConstraint("dono IN ('bot', 'fila') OR dono LIKE 'agente:%'", name=op.f("ck_conversa_dono")),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_conversa_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversa")),
        sa.UniqueConstraint("devedor_id", "canal", name=op.f("uq_conversa_devedor_id_canal")),
    )
    op.create_table(
        "acordo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("faixa", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opcao", sa.Integer(), nullable=False),
        sa.Column("tipo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("valor_original", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("desconto", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("valor_negociado", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("total", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("juros_mensal_percentual", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chave", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint("situacao IN ('ativo', 'pago', 'quebrado', 'cancelado')", name=op.f("ck_acordo_situacao")),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_acordo_conversa_id_conversa")),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_acordo_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acordo")),
        sa.UniqueConstraint("chave", name=op.f("uq_acordo_chave")),
    )
    with op.batch_alter_table("acordo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acordo_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acordo_devedor_id"), ["devedor_id"], unique=False)

    op.create_table(
        "evento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=True),
        sa.Column("tipo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_evento_conversa_id_conversa")),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_evento_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evento")),
    )
    with op.batch_alter_table("evento", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evento_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evento_devedor_id"), ["devedor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evento_tipo"), ["tipo"], unique=False)

    op.create_table(
        "mensagem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("direcao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("canal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("texto", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opcoes", bot.dados.tipos.Json(), nullable=False),
        sa.Column("id_externo", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.CheckConstraint("canal IN ('web', 'cli', 'whatsapp', 'telegram')", name=op.f("ck_mensagem_canal")),
        sa.CheckConstraint("direcao IN ('entrada', 'saida')", name=op.f("ck_mensagem_direcao")),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_mensagem_conversa_id_conversa")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mensagem")),
        sa.UniqueConstraint("canal", "direcao", "id_externo", name=op.f("uq_mensagem_canal_direcao_id_externo")),
    )
    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mensagem_conversa_id"), ["conversa_id"], unique=False)

    op.create_table(
        "parcela",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contrato_id", sa.Integer(), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("valor", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("vencimento", sa.Date(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pago_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.Column("valor_pago", bot.dados.tipos.Dinheiro(), nullable=True),
        sa.CheckConstraint("situacao IN ('aberta', 'negociada', 'paga')", name=op.f("ck_parcela_situacao")),
        sa.ForeignKeyConstraint(["contrato_id"], ["contrato.id"], name=op.f("fk_parcela_contrato_id_contrato")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcela")),
        sa.UniqueConstraint("contrato_id", "numero", name=op.f("uq_parcela_contrato_id_numero")),
    )
    op.create_table(
        "transferencia",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversa_id", sa.Integer(), nullable=False),
        sa.Column("devedor_id", sa.Integer(), nullable=False),
        sa.Column("motivo", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dados", bot.dados.tipos.Json(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criada_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.Column("atendida_em", bot.dados.tipos.InstanteUTC(), nullable=True),
        sa.CheckConstraint(
            "situacao IN ('aguardando', 'em_atendimento', 'encerrada')",
            name=op.f("ck_transferencia_situacao"),
        ),
        sa.ForeignKeyConstraint(["conversa_id"], ["conversa.id"], name=op.f("fk_transferencia_conversa_id_conversa")),
        sa.ForeignKeyConstraint(["devedor_id"], ["devedor.id"], name=op.f("fk_transferencia_devedor_id_devedor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transferencia")),
    )
    with op.batch_alter_table("transferencia", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transferencia_conversa_id"), ["conversa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transferencia_devedor_id"), ["devedor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transferencia_situacao"), ["situacao"], unique=False)

    op.create_table(
        "acordo_origem",
        sa.Column("acordo_id", sa.Integer(), nullable=False),
        sa.Column("parcela_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["acordo_id"], ["acordo.id"], name=op.f("fk_acordo_origem_acordo_id_acordo")),
        sa.ForeignKeyConstraint(["parcela_id"], ["parcela.id"], name=op.f("fk_acordo_origem_parcela_id_parcela")),
        sa.PrimaryKeyConstraint("acordo_id", "parcela_id", name=op.f("pk_acordo_origem")),
    )
    with op.batch_alter_table("acordo_origem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acordo_origem_parcela_id"), ["parcela_id"], unique=False)

    op.create_table(
        "acordo_parcela",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acordo_id", sa.Integer(), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("valor", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("vencimento", sa.Date(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint("situacao IN ('aberta', 'paga')", name=op.f("ck_acordo_parcela_situacao")),
        sa.ForeignKeyConstraint(["acordo_id"], ["acordo.id"], name=op.f("fk_acordo_parcela_acordo_id_acordo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acordo_parcela")),
        sa.UniqueConstraint("acordo_id", "numero", name=op.f("uq_acordo_parcela_acordo_id_numero")),
    )
    op.create_table(
        "documento_pagamento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acordo_id", sa.Integer(), nullable=False),
        sa.Column("acordo_parcela_numero", sa.Integer(), nullable=False),
        sa.Column("nosso_numero", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("txid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("valor", bot.dados.tipos.Dinheiro(), nullable=False),
        sa.Column("vencimento", sa.Date(), nullable=False),
        sa.Column("codigo_barras", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("linha_digitavel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pix", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.ForeignKeyConstraint(["acordo_id"], ["acordo.id"], name=op.f("fk_documento_pagamento_acordo_id_acordo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documento_pagamento")),
        sa.UniqueConstraint("nosso_numero", name=op.f("uq_documento_pagamento_nosso_numero")),
        sa.UniqueConstraint("txid", name=op.f("uq_documento_pagamento_txid")),
    )
    with op.batch_alter_table("documento_pagamento", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documento_pagamento_acordo_id"), ["acordo_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documento_pagamento", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documento_pagamento_acordo_id"))

    op.drop_table("documento_pagamento")
    op.drop_table("acordo_parcela")
    with op.batch_alter_table("acordo_origem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acordo_origem_parcela_id"))

    op.drop_table("acordo_origem")
    with op.batch_alter_table("transferencia", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transferencia_situacao"))
        batch_op.drop_index(batch_op.f("ix_transferencia_devedor_id"))
        batch_op.drop_index(batch_op.f("ix_transferencia_conversa_id"))

    op.drop_table("transferencia")
    op.drop_table("parcela")
    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mensagem_conversa_id"))

    op.drop_table("mensagem")
    with op.batch_alter_table("evento", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evento_tipo"))
        batch_op.drop_index(batch_op.f("ix_evento_devedor_id"))
        batch_op.drop_index(batch_op.f("ix_evento_conversa_id"))

    op.drop_table("evento")
    with op.batch_alter_table("acordo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acordo_devedor_id"))
        batch_op.drop_index(batch_op.f("ix_acordo_conversa_id"))

    op.drop_table("acordo")
    op.drop_table("conversa")
    with op.batch_alter_table("contrato", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contrato_devedor_id"))

    op.drop_table("contrato")
    with op.batch_alter_table("devedor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devedor_telefone"))

    op.drop_table("devedor")
