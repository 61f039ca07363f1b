"""What Meta says about each WhatsApp template we declared: its status, from the Graph API or the status webhook."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.modelos import coluna_instante


class SituacaoModelo(SQLModel, table=True):
    __tablename__ = "situacao_modelo"

    nome: str = Field(primary_key=True)
    idioma: str = Field(primary_key=True)  # pt_BR
    situacao: str  # as Meta writes it: APPROVED, PENDING, REJECTED, PAUSED, DISABLED...
    id_meta: str | None = None  # message_template_id
    categoria: str | None = None  # UTILITY, MARKETING, AUTHENTICATION (Meta may recategorise)
    motivo: str | None = None  # a rejection's reason
    atualizado_em: datetime = coluna_instante()  # Meta's instant of this status; an older report changes nothing


async def gravar_situacao(s: AsyncSession, nova: SituacaoModelo) -> bool:
    """Keep Meta's newest word on a template (inside the caller's transaction); False when `nova` is older than what
    is stored (webhooks arrive out of order and retried)."""
    atual = await s.get(SituacaoModelo, (nova.nome, nova.idioma))
    if atual is None:
        s.add(nova)
        return True
    if nova.atualizado_em < atual.atualizado_em:
        return False
    for campo in ("situacao", "id_meta", "categoria", "motivo", "atualizado_em"):
        valor = getattr(nova, campo)
        if valor is not None or campo == "motivo":
            setattr(atual, campo, valor)
    s.add(atual)
    return True


async def situacoes(s: AsyncSession) -> dict[tuple[str, str], SituacaoModelo]:
    linhas = (await s.exec(select(SituacaoModelo))).all()
    return {(m.nome, m.idioma): m for m in linhas}
