"""The facts the contact policy needs for a whole batch of claimed outbox rows, read in a few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.regua import Regua
from bot.dados.saida import Saida
from bot.dados.voz import Comprovante
from bot.disparo import situacao as fatos
from bot.regua.agenda import DevedorRegua
from bot.regua.politica_contato import Impedimento

HISTORICO = timedelta(days=8)  # enough for the weekly cap


@dataclass
class FatosDoLote:
    devedores: dict[int, DevedorRegua]
    abertos: set[str]  # the rows' targets still owed
    contatos: defaultdict[int, list[datetime]]  # other contacts per debtor, sent or in flight
    janelas: dict[int, datetime]  # the debtor's last WhatsApp message: the 24 h window runs from it
    conferindo: set[str] = field(default_factory=set)  # targets a debtor's receipt holds (bot/canais/recibos.py)

    def impedimento(self, saida: Saida) -> Impedimento:
        if saida.alvo not in self.abertos:
            return Impedimento(obsoleto="não está mais em aberto (paga ou renegociada)")
        devedor = self.devedores.get(saida.devedor_id)
        if devedor is None:
            return Impedimento(obsoleto="devedor removido")
        if saida.alvo in self.conferindo:  # paid by the debtor's word and receipt: held until the bank confirms
            return replace(devedor.impedimento(), pausa="comprovante enviado: aguardando a confirmação do banco")
        return devedor.impedimento()


async def carregar(s: AsyncSession, regua: Regua, linhas: Sequence[Saida], agora: datetime) -> FatosDoLote:
    """Facts for these rows; their own claims are not prior contacts."""
    ids = {saida.devedor_id for saida in linhas}
    proprias = [saida.id for saida in linhas if saida.id is not None]
    contatos = await fatos.contatos(s, agora - HISTORICO, pendentes=False, devedor_id=ids, excluir=proprias)
    return FatosDoLote(
        devedores=await fatos.devedores(s, regua.politica, agora, ids),
        abertos=await fatos.abertos(s, {saida.alvo for saida in linhas}),
        contatos=defaultdict(list, contatos),
        janelas=await fatos.entradas_whatsapp(s, ids),
        conferindo=await em_conferencia(s, {saida.alvo for saida in linhas}, agora),
    )


async def em_conferencia(s: AsyncSession, alvos: set[str], agora: datetime) -> set[str]:
    """Which targets a matched receipt still holds (`comprovante.ate` not reached)."""
    if not alvos:
        return set()
    consulta = select(Comprovante.alvo).where(col(Comprovante.alvo).in_(alvos), col(Comprovante.ate) > agora)
    return {alvo for alvo in (await s.exec(consulta)).all() if alvo is not None}
