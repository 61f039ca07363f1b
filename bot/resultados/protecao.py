"""Guardrails: stop a variant whose opt-out or contestação rate is worse than the reference's beyond the limit.

`alarmes` is pure (the same observations as the report); `vigiar` records a stop once per variant — a row in
`variante_parada` (from then on its debtors get the reference, `resultados.atribuicao`) and a line in `auditoria`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.resultados import Experimento, Protecao
from bot.dados.atendentes import Auditoria
from bot.dados.banco import sessao
from bot.dados.experimentos import VarianteParada
from bot.resultados.amostra import observacoes
from bot.resultados.colocacao import FUSO_GESTAO
from bot.resultados.comparacao import Intervalo, Observacoes, diferenca
from bot.resultados.sorteio import RESERVA, vigente

log = logging.getLogger(__name__)
ACAO_AUDITORIA = "variante_parada"
_METRICAS = (("optout", "opt-out", "optout_pontos"), ("contestacao", "contestação", "contestacao_pontos"))


@dataclass(frozen=True)
class Alarme:
    """A variant's rate above the reference's by more than the limit, with 95 % confidence."""

    variante: str
    metrica: str
    diferenca: Intervalo  # variant minus reference, as a proportion
    limite_pontos: Decimal
    devedores: int

    @property
    def motivo(self) -> str:
        d = self.diferenca
        pontos = f"{_br(100 * d.valor)} p.p. [{_br(100 * d.baixo)} a {_br(100 * d.alto)}]"
        limite = f"{self.limite_pontos:g}".replace(".", ",")
        return f"{self.metrica} {pontos} acima da referência, além do limite de {limite} p.p. (95 % de confiança)"


def _br(pontos: float) -> str:
    return f"{pontos:+.1f}".replace(".", ",")


def alarmes(obs: Observacoes, protecao: Protecao) -> list[Alarme]:
    """Each variant (not the reference, not the hold-out) that breaks a guardrail after the minimum sample."""
    referencia = obs.variante == 0
    achados = []
    for i, nome in enumerate(obs.variantes[1:], start=1):
        desta = obs.variante == i
        n = int(desta.sum())
        if nome == RESERVA or n < protecao.minimo or int(referencia.sum()) < protecao.minimo:
            continue
        for campo, metrica, chave in _METRICAS:
            valores = getattr(obs, campo)
            d = diferenca(valores[desta], valores[referencia])
            limite: Decimal = getattr(protecao, chave)
            if np.isfinite(d.baixo) and d.baixo * 100 > float(limite):
                achados.append(Alarme(nome, metrica, d, limite, n))
    return achados


async def paradas_de(s: AsyncSession, experimento: str) -> list[VarianteParada]:
    """The experiment's stopped variants, in the order they were stopped."""
    consulta = select(VarianteParada).where(VarianteParada.experimento == experimento)
    return list((await s.exec(consulta.order_by(col(VarianteParada.id)))).all())


async def vigiar(
    engine: AsyncEngine, experimentos: Sequence[Experimento], agora: datetime
) -> list[tuple[Experimento, Alarme]]:
    """Check every running experiment that changes what is sent; stop (once) each variant that breaks a guardrail.

    Returns the alarms found now (stopped or, with `protecao.parar = false`, only reported).
    """
    dia = agora.astimezone(FUSO_GESTAO).date()
    achados: list[tuple[Experimento, Alarme]] = []
    ativos = [e for e in experimentos if e.aplica and vigente(e, dia)]
    if not ativos:
        return achados
    async with sessao(engine) as s:
        for experimento in ativos:
            novos = alarmes(await observacoes(s, experimento), experimento.protecao)
            achados += [(experimento, a) for a in novos]
            if not experimento.protecao.parar:
                continue
            paradas = {p.variante for p in await paradas_de(s, experimento.nome)}
            for alarme in novos:
                if alarme.variante in paradas:
                    continue
                paradas.add(alarme.variante)
                _registrar(s, experimento, alarme, agora)
        await s.commit()
    return achados


def vigia(engine: AsyncEngine, experimentos: Sequence[Experimento]) -> Callable[[datetime], Awaitable[object]] | None:
    """The guardrails as the régua's planning job runs them (`regua.relogio.Vigia`); None without experiments."""
    if not experimentos:
        return None

    async def vigiar_agora(agora: datetime) -> object:
        return await vigiar(engine, experimentos, agora)

    return vigiar_agora


def _registrar(s: AsyncSession, experimento: Experimento, alarme: Alarme, agora: datetime) -> None:
    dados = {
        "experimento": experimento.nome,
        "variante": alarme.variante,
        "metrica": alarme.metrica,
        "diferenca": [alarme.diferenca.valor, alarme.diferenca.baixo, alarme.diferenca.alto],
        "limite_pontos": str(alarme.limite_pontos),
        "devedores": alarme.devedores,
    }
    s.add(VarianteParada(experimento=experimento.nome, variante=alarme.variante, motivo=alarme.motivo, dados=dados,
                         parada_em=agora))  # fmt: skip
    s.add(Auditoria(acao=ACAO_AUDITORIA, dados=dados | {"motivo": alarme.motivo}, criada_em=agora))
    log.warning("experimento %s: variante %s parada (%s); seus devedores passam à referência",
                experimento.nome, alarme.variante, alarme.motivo)  # fmt: skip
