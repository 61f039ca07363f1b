"""Each debtor's variants from the database: the hash draw, stopped variants, Thompson draws kept for good.

The adapter `resultados.variantes` needs: it reads, the pure code there turns the choices into what is sent.
`resolvedor` and `variacoes` hand the régua and the conversation what they call, so neither reads an experiment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.atendimento.servico import Variacoes
from bot.config.arquivo import Config
from bot.config.resultados import Alocacao, Experimento
from bot.conversa.fatos import Variacao
from bot.dados.experimentos import SorteioExperimento, VarianteParada
from bot.dados.modelos import Acordo
from bot.disparo.planejamento import Variantes
from bot.negociacao.politica import LivroOfertas
from bot.regua.agenda import VarianteDoPasso
from bot.resultados.colocacao import FUSO_GESTAO
from bot.resultados.sorteio import RESERVA, posicao, variante_de
from bot.resultados.variantes import Escolha, da_conversa, da_regua, vigentes


async def paradas(s: AsyncSession) -> set[tuple[str, str]]:
    """(experimento, variante) of every variant a guardrail stopped."""
    return {(p.experimento, p.variante) for p in (await s.exec(select(VarianteParada))).all()}


def thompson(experimento: Experimento, devedor_id: int, sucessos: dict[str, int], expostos: dict[str, int]) -> str:
    """One draw from each variant's Beta(1 + agreements, 1 + the rest), seeded by the debtor: the best draw wins.

    Before every variant has `minimo_por_variante` debtors, the weights decide (as with `hash`).
    """
    if posicao(experimento.nome, devedor_id) < experimento.reserva_percentual / 100:
        return RESERVA
    nomes = [v.nome for v in experimento.variantes]
    if any(expostos.get(n, 0) < experimento.minimo_por_variante for n in nomes):
        return variante_de(experimento, devedor_id)
    semente = int.from_bytes(hashlib.sha256(f"thompson:{experimento.nome}:{devedor_id}".encode()).digest()[:8])
    gerador = np.random.default_rng(semente)
    amostras = [gerador.beta(1 + sucessos.get(n, 0), 1 + expostos[n] - sucessos.get(n, 0)) for n in nomes]
    return nomes[int(np.argmax(amostras))]


async def _contagens(s: AsyncSession, experimento: Experimento) -> tuple[dict[str, int], dict[str, int]]:
    """Per variant, debtors drawn and those with an agreement since the start (the signal Thompson learns from)."""
    expostos = dict(
        (await s.exec(select(SorteioExperimento.variante, func.count()).where(
            SorteioExperimento.experimento == experimento.nome).group_by(col(SorteioExperimento.variante)))).all()
    )  # fmt: skip
    inicio = datetime.combine(experimento.inicio, datetime.min.time(), FUSO_GESTAO)
    com_acordo = (
        select(SorteioExperimento.variante, func.count(func.distinct(SorteioExperimento.devedor_id)))
        .join(Acordo, col(Acordo.devedor_id) == col(SorteioExperimento.devedor_id))
        .where(SorteioExperimento.experimento == experimento.nome, col(Acordo.criado_em) >= inicio)
        .group_by(col(SorteioExperimento.variante))
    )
    return dict((await s.exec(com_acordo)).all()), expostos


async def _sorteios(s: AsyncSession, experimento: Experimento, ids: Collection[int], agora: datetime) -> dict[int, str]:
    """The Thompson draws of `ids`, drawing (and storing) those not drawn yet; a draw is never redone."""
    consulta = select(SorteioExperimento.devedor_id, SorteioExperimento.variante).where(
        SorteioExperimento.experimento == experimento.nome, col(SorteioExperimento.devedor_id).in_(ids)
    )
    guardados = dict((await s.exec(consulta)).all())
    novos = [d for d in ids if d not in guardados]
    if not novos:
        return guardados
    sucessos, expostos = await _contagens(s, experimento)
    linhas = []
    for devedor_id in novos:
        variante = thompson(experimento, devedor_id, sucessos, expostos)
        expostos[variante] = expostos.get(variante, 0) + 1
        linhas.append({"experimento": experimento.nome, "devedor_id": devedor_id, "variante": variante,
                       "criado_em": agora})  # fmt: skip
    dialeto = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    tabela = SorteioExperimento.__table__  # type: ignore[attr-defined]
    await s.exec(dialeto.insert(tabela).on_conflict_do_nothing(), params=linhas)
    return dict((await s.exec(consulta)).all())  # a concurrent instance's draw wins: both read the stored one


async def escolhas(
    s: AsyncSession, experimentos: Iterable[Experimento], ids: Collection[int], agora: datetime
) -> dict[int, list[Escolha]]:
    """Each debtor's variant in every experiment running today that changes something (stopped ones marked)."""
    ativos = vigentes(experimentos, agora.astimezone(FUSO_GESTAO).date())
    resultado: dict[int, list[Escolha]] = {d: [] for d in ids}
    if not ativos or not ids:
        return resultado
    parados = await paradas(s)
    for experimento in ativos:
        if experimento.alocacao is Alocacao.THOMPSON:
            sorteadas = await _sorteios(s, experimento, ids, agora)
        else:
            sorteadas = {d: variante_de(experimento, d) for d in ids}
        for devedor_id, variante in sorteadas.items():
            parada = (experimento.nome, variante) in parados
            resultado[devedor_id].append(Escolha(experimento, variante, parada))
    return resultado


async def variantes_da_regua(
    s: AsyncSession, experimentos: Sequence[Experimento], ids: Collection[int], agora: datetime
) -> dict[int, dict[str, VarianteDoPasso]]:
    """Per debtor, the steps their variants change (and the label of every step an experiment covers)."""
    if not vigentes(experimentos, agora.astimezone(FUSO_GESTAO).date()):
        return {}
    return {d: da_regua(e) for d, e in (await escolhas(s, experimentos, ids, agora)).items()}


def resolvedor(experimentos: Sequence[Experimento]) -> Variantes | None:
    """What the régua's planning calls for each block of debtors; None without experiments (nothing to resolve)."""
    if not experimentos:
        return None

    async def resolver(s: AsyncSession, ids: Collection[int], agora: datetime) -> dict[int, dict[str, VarianteDoPasso]]:
        return await variantes_da_regua(s, experimentos, ids, agora)

    return resolver


async def variacao_da_conversa(
    s: AsyncSession, experimentos: Sequence[Experimento], livro: LivroOfertas, devedor_id: int, agora: datetime
) -> Variacao | None:
    """The debtor's templates and offer book in the conversation, or None when no experiment covers it."""
    if not vigentes(experimentos, agora.astimezone(FUSO_GESTAO).date()):
        return None
    return da_conversa((await escolhas(s, experimentos, [devedor_id], agora))[devedor_id], livro)


def variacoes(config: Config) -> Variacoes | None:
    """What the conversation calls to load a debtor's variants (`conversa.servico.Variacoes`); None without
    experiments."""
    if not config.experimentos:
        return None

    async def resolver(s: AsyncSession, devedor_id: int, agora: datetime) -> Variacao | None:
        return await variacao_da_conversa(s, config.experimentos, config.ofertas, devedor_id, agora)

    return resolver
