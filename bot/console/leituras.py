"""What the bot made of each file a debtor sent, for the agent: a voice note's transcript, a receipt's reading."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.entrada import Anexo
from bot.dados.voz import Comprovante, Transcricao


@dataclass(frozen=True)
class LeituraAnexo:
    transcricao: Transcricao | None = None
    comprovante: Comprovante | None = None


async def carregar_leituras(s: AsyncSession, anexos: Sequence[Anexo]) -> dict[int, LeituraAnexo]:
    """Transcripts and receipt readings of these files, by file id (files without either are absent)."""
    ids = [a.id for a in anexos if a.id is not None]
    if not ids:
        return {}
    transcricoes = (await s.exec(select(Transcricao).where(col(Transcricao.anexo_id).in_(ids)))).all()
    comprovantes = (await s.exec(select(Comprovante).where(col(Comprovante.anexo_id).in_(ids)))).all()
    leituras = {t.anexo_id: LeituraAnexo(transcricao=t) for t in transcricoes}
    for c in comprovantes:
        leituras[c.anexo_id] = LeituraAnexo(leituras.get(c.anexo_id, LeituraAnexo()).transcricao, c)
    return leituras
