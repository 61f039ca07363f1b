"""`python -m bot experimentos relatorio`: each experiment's variants compared on what their debtors did.

The variant of each debtor is drawn again from the hash (`sorteio`), so every instance and every report agree
without a table of assignments; outcomes are the debtors' steps (`trilha`) from the experiment's first day.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import TextIO

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.banco import sessao
from bot.dados.modelos import Devedor
from bot.resultados.colocacao import FUSO_GESTAO
from bot.resultados.comparacao import PRAZOS, Intervalo, LinhaVariante, Observacoes, comparar
from bot.resultados.config import Experimento
from bot.resultados.sorteio import RESERVA, variante_de
from bot.resultados.trilha import TipoPasso, passos

_FLAGS = {
    TipoPasso.RESPONDIDA: "respondeu",
    TipoPasso.ACORDO: "acordo",
    TipoPasso.PAGAMENTO: "pagou",
    TipoPasso.OPTOUT: "optout",
    TipoPasso.CONTESTACAO: "contestacao",
}


async def observacoes(s: AsyncSession, experimento: Experimento) -> Observacoes:
    """Every debtor, its variant (the hold-out last, when there is one) and its outcomes since the start."""
    nomes = [v.nome for v in experimento.variantes] + ([RESERVA] if experimento.reserva_percentual else [])
    ids = list((await s.exec(select(Devedor.id).order_by(col(Devedor.id)))).all())
    linha = {devedor_id: i for i, devedor_id in enumerate(ids) if devedor_id is not None}
    variante = np.array([nomes.index(variante_de(experimento, d)) for d in linha], dtype=np.int64)
    colunas = {nome: np.zeros(len(linha)) for nome in _FLAGS.values()}
    recuperado = {prazo: np.zeros(len(linha)) for prazo in PRAZOS}
    inicio = datetime.combine(experimento.inicio, time(), FUSO_GESTAO)
    for passo in await passos(s):
        i = linha.get(passo.devedor_id)
        if i is None or passo.instante < inicio:
            continue
        if passo.tipo in _FLAGS:
            colunas[_FLAGS[passo.tipo]][i] = 1.0
        if passo.tipo is TipoPasso.PAGAMENTO and passo.valor is not None:
            for prazo in PRAZOS:
                if passo.instante < inicio + timedelta(days=prazo):
                    recuperado[prazo][i] += float(passo.valor)
    return Observacoes(nomes, variante, recuperado=recuperado, **colunas)


def _pct(intervalo: Intervalo) -> str:
    if math.isnan(intervalo.valor):
        return "-"
    return f"{100 * intervalo.valor:.1f} % [{100 * intervalo.baixo:.1f}–{100 * intervalo.alto:.1f}]".replace(".", ",")


def _reais(intervalo: Intervalo) -> str:
    if math.isnan(intervalo.valor):
        return "-"
    return f"R$ {intervalo.valor:.2f} [{intervalo.baixo:.2f}–{intervalo.alto:.2f}]".replace(".", ",")


def _imprimir(experimento: Experimento, linhas: list[LinhaVariante], agora: datetime, saida: TextIO) -> None:
    dia = agora.astimezone(FUSO_GESTAO).date()
    print(f"Experimento {experimento.nome} ({experimento.inicio:%d/%m/%Y} a {experimento.fim:%d/%m/%Y})", file=saida)
    for prazo in PRAZOS:
        if experimento.inicio + timedelta(days=prazo) > dia:
            print(f"  atenção: os {prazo} dias desde o início ainda não passaram; R$ {prazo} d é parcial", file=saida)
    for ln in linhas:
        print(f"  {ln.nome}: {ln.devedores} devedores · resposta {_pct(ln.resposta)} · acordo {_pct(ln.acordo)} · "
              f"pagamento {_pct(ln.pagamento)} · opt-out {_pct(ln.optout)} · contestação {_pct(ln.contestacao)}",
              file=saida)  # fmt: skip
        por_devedor = " · ".join(f"{p} d {_reais(ln.por_devedor[p])}" for p in PRAZOS)
        print(f"    R$ por devedor: {por_devedor}", file=saida)
        print(f"    veredito: {ln.veredito}", file=saida)


async def relatorio(
    engine: AsyncEngine,
    experimentos: tuple[Experimento, ...],
    nome: str | None,
    agora: datetime,
    saida: TextIO,
    erros: TextIO,
) -> int:
    """Print each experiment's report (or only `nome`'s); 1 with a pt-BR message when there is none to show."""
    escolhidos = [e for e in experimentos if nome is None or e.nome == nome]
    if not escolhidos:
        existentes = ", ".join(e.nome for e in experimentos) or "nenhum em config.toml ([[experimentos]])"
        print(f"experimento não encontrado: {nome!r} (existentes: {existentes})" if nome else
              "nenhum experimento em config.toml ([[experimentos]])", file=erros)  # fmt: skip
        return 1
    async with sessao(engine) as s:
        for experimento in escolhidos:
            linhas = comparar(await observacoes(s, experimento), experimento.minimo_por_variante)
            _imprimir(experimento, linhas, agora, saida)
    return 0
