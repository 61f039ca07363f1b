"""One owner for payment documents: the nosso número counter, each installment's issue number, and the
document a message carries.

Revision ID: 0015
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.dados.tipos

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "numero_documento",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("criado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_numero_documento")),
    )
    conexao = op.get_bind()
    # Numbers issued before the counter existed (three older schemes) are never handed out again: the counter
    # starts after the largest of them.
    maior = max(
        (int(n) for (n,) in conexao.execute(sa.text("SELECT nosso_numero FROM documento_pagamento")) if n.isdigit()),
        default=0,
    )
    if maior:
        conexao.execute(
            sa.text("INSERT INTO numero_documento (id, criado_em) VALUES (:id, CURRENT_TIMESTAMP)"), {"id": maior}
        )
        if conexao.dialect.name == "postgresql":
            conexao.execute(sa.text("SELECT setval(pg_get_serial_sequence('numero_documento', 'id'), :id)"),
                            {"id": maior})  # fmt: skip

    with op.batch_alter_table("documento_pagamento", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emissao", sa.Integer(), nullable=False, server_default="1"))
    # Renewals stored before this version: numbered in the order they were issued.
    linhas = conexao.execute(
        sa.text("SELECT id, acordo_id, acordo_parcela_numero FROM documento_pagamento ORDER BY id")
    ).all()
    contagem: dict[tuple[int, int], int] = {}
    for documento_id, acordo_id, parcela in linhas:
        emissao = contagem[(acordo_id, parcela)] = contagem.get((acordo_id, parcela), 0) + 1
        if emissao > 1:
            renumerar = sa.text("UPDATE documento_pagamento SET emissao = :e WHERE id = :id")
            conexao.execute(renumerar, {"e": emissao, "id": documento_id})
    with op.batch_alter_table("documento_pagamento", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_documento_pagamento_acordo_id_acordo_parcela_numero_emissao"),
            ["acordo_id", "acordo_parcela_numero", "emissao"],
        )
        batch_op.alter_column("emissao", server_default=None)

    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("documento_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mensagem_documento_id_documento_pagamento"), "documento_pagamento", ["documento_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("mensagem", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_mensagem_documento_id_documento_pagamento"), type_="foreignkey")
        batch_op.drop_column("documento_id")
    with op.batch_alter_table("documento_pagamento", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_documento_pagamento_acordo_id_acordo_parcela_numero_emissao"), type_="unique"
        )
        batch_op.drop_column("emissao")
    op.drop_table("numero_documento")
