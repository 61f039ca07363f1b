"""situacao_modelo (WhatsApp templates' status at Meta) and "sms" as a conversation channel.

Revision ID: 0019
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import bot.dados.tipos

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANTES = "canal IN ('web', 'cli', 'whatsapp', 'telegram')"
DEPOIS = "canal IN ('web', 'cli', 'whatsapp', 'telegram', 'sms')"


def _canais(condicao: str) -> None:
    for tabela in ("conversa", "mensagem"):
        with op.batch_alter_table(tabela, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{tabela}_canal"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{tabela}_canal"), condicao)


def upgrade() -> None:
    op.create_table(
        "situacao_modelo",
        sa.Column("nome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("idioma", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("situacao", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id_meta", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("categoria", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("motivo", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("atualizado_em", bot.dados.tipos.InstanteUTC(), nullable=False),
        sa.PrimaryKeyConstraint("nome", "idioma", name=op.f("pk_situacao_modelo")),
    )
    _canais(DEPOIS)


def downgrade() -> None:
    op.execute("DELETE FROM mensagem WHERE canal = 'sms'")
    op.execute("DELETE FROM conversa WHERE canal = 'sms'")
    _canais(ANTES)
    op.drop_table("situacao_modelo")
