"""A day's plan from the database, streamed in blocks of debtors so a million open installments fit in memory.

The database hands over only what is due on the day (`fatos.parcelas_em_blocos`, plain rows ordered by debtor);
each block adds its debtors' agreements, facts and recent contacts, and the pure core (`plano.planejar`) decides
it. A debtor never straddles two blocks, so the contact caps see all of a debtor's reminders of the day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendario import fuso
from bot.config.regua import Alvo, Regua
from bot.dados.banco import sessao
from bot.dados.fila import enfileirar
from bot.disparo import situacao as fatos
from bot.regua.agenda import Linha, VarianteDoPasso, datas_devidas, planejar

# Who resolves each debtor's experiment variants, per step (`resultados.atribuicao.resolvedor`): handed in by the
# caller, so the régua never reads an experiment (and never imports what analyses it).
Variantes = Callable[[AsyncSession, Collection[int], datetime], Awaitable[Mapping[int, Mapping[str, VarianteDoPasso]]]]
BLOCO = 5000  # installments per block: big enough for few queries, small enough for a flat memory profile
HISTORICO = timedelta(days=8)  # contacts that count against the caps: enough for the weekly one


async def planos(
    engine: AsyncEngine,
    regua: Regua,
    credor: str,
    dia: date,
    agora: datetime,
    bloco: int = BLOCO,
    variantes: Variantes | None = None,
) -> AsyncIterator[list[Linha]]:
    """The plan for `dia`, block after block; contacts already made or scheduled count against the caps.

    `variantes` resolves each debtor's experiment variants; the pure planner gets them as data: the texts of the
    steps they change and the label each reminder records.
    """
    hoje = agora.astimezone(fuso(regua.politica.uf_padrao)).date()
    desde = agora if dia <= hoje else None
    acordos = {alvo: datas_devidas(regua, alvo, dia) for alvo in (Alvo.ACORDO, Alvo.QUEBRA)}
    async for faixa, itens in fatos.parcelas_em_blocos(engine, regua, dia, bloco):
        async with sessao(engine) as s:
            if any(acordos.values()):
                itens += [i for i in await fatos.acordos(s, faixa) if i.vencimento in acordos[i.alvo]]
            ids = {item.devedor_id for item in itens}
            if not ids:
                continue
            devedores = await fatos.devedores(s, regua.politica, agora, ids)
            historico = await fatos.contatos(s, agora - HISTORICO, pendentes=True, devedor_id=ids)
            if variantes is not None and (deles := await variantes(s, ids, agora)):
                devedores = {i: replace(d, variantes=deles.get(i, {})) for i, d in devedores.items()}
                await s.commit()  # Thompson draws are kept for good, whatever the rest of the round does
        yield planejar(regua, devedores, itens, dia, credor, historico, desde)


async def planejar_e_enfileirar(
    engine: AsyncEngine,
    regua: Regua,
    credor: str,
    dia: date,
    agora: datetime,
    variantes: Variantes | None = None,
) -> int:
    """Enqueue the plan for `dia` block by block; returns how many reminders are new."""
    novos = 0
    async for linhas in planos(engine, regua, credor, dia, agora, variantes=variantes):
        async with sessao(engine) as s:
            novos += await enfileirar(s, regua, linhas)
    return novos
