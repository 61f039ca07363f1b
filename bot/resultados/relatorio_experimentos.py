"""`python -m bot experimentos relatorio`: each experiment's variants compared on what their debtors did.

Who counts in which variant and what they did comes from `amostra`; the guardrails run first (`protecao.vigiar`),
so the report shows a variant stopped by this very run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.resultados import Experimento
from bot.dados.banco import sessao
from bot.dados.experimentos import VarianteParada
from bot.resultados.amostra import observacoes
from bot.resultados.colocacao import FUSO_GESTAO
from bot.resultados.comparacao import PRAZOS, Intervalo, LinhaVariante, Vetor, comparar
from bot.resultados.protecao import Alarme, alarmes, paradas_de, vigiar


@dataclass(frozen=True)
class Relatorio:
    """One experiment's report: the lines per variant, the stopped variants and the guardrails' alarms now."""

    experimento: Experimento
    linhas: list[LinhaVariante]
    paradas: list[VarianteParada]
    alarmes: list[Alarme]
    entradas: Vetor  # each debtor's entry in the experiment, POSIX seconds

    def avisos(self, agora: datetime) -> list[str]:
        """Plain pt-BR notices: deadlines some debtors have not reached, stopped variants, alarms only reported."""
        avisos = []
        for p in PRAZOS:
            if recentes := int((self.entradas > (agora - timedelta(days=p)).timestamp()).sum()):
                avisos.append(f"atenção: R$ {p} d é parcial: {recentes} de {len(self.entradas)} devedores entraram "
                              f"no experimento há menos de {p} dias")  # fmt: skip
        for parada in self.paradas:
            quando = parada.parada_em.astimezone(FUSO_GESTAO)
            avisos.append(f"variante {parada.variante} PARADA em {quando:%d/%m/%Y %H:%M} pela proteção: "
                          f"{parada.motivo}; seus devedores recebem a referência desde então")  # fmt: skip
        paradas = {p.variante for p in self.paradas}
        for alarme in self.alarmes:
            if alarme.variante not in paradas:
                avisos.append(f"proteção: variante {alarme.variante} com {alarme.motivo} (protecao.parar = false: "
                              "não foi parada)")  # fmt: skip
        return avisos


async def relatorio_de(s: AsyncSession, experimento: Experimento) -> Relatorio:
    """The numbers, verdicts and guardrail state of one experiment (what the CLI prints and gestão shows)."""
    obs = await observacoes(s, experimento)
    linhas = comparar(obs, experimento.minimo_por_variante)
    paradas = await paradas_de(s, experimento.nome)
    return Relatorio(experimento, linhas, paradas, alarmes(obs, experimento.protecao), obs.entrada)


def pct(intervalo: Intervalo) -> str:
    """A rate with its interval, in pt-BR: `12,5 % [10,1–15,2]`; `-` without debtors."""
    if math.isnan(intervalo.valor):
        return "-"
    return f"{100 * intervalo.valor:.1f} % [{100 * intervalo.baixo:.1f}–{100 * intervalo.alto:.1f}]".replace(".", ",")


def reais(intervalo: Intervalo) -> str:
    """R$ per debtor with its interval, in pt-BR; `-` without debtors; a single debtor has no interval."""
    if math.isnan(intervalo.valor):
        return "-"
    if not math.isfinite(intervalo.baixo - intervalo.alto):
        return f"R$ {intervalo.valor:.2f} [sem intervalo: 1 devedor]".replace(".", ",")
    return f"R$ {intervalo.valor:.2f} [{intervalo.baixo:.2f}–{intervalo.alto:.2f}]".replace(".", ",")


def _imprimir(relatorio: Relatorio, agora: datetime, saida: TextIO) -> None:
    experimento = relatorio.experimento
    print(f"Experimento {experimento.nome} ({experimento.inicio:%d/%m/%Y} a {experimento.fim:%d/%m/%Y})", file=saida)
    for aviso in relatorio.avisos(agora):
        print(f"  {aviso}", file=saida)
    for ln in relatorio.linhas:
        print(f"  {ln.nome}: {ln.devedores} devedores · resposta {pct(ln.resposta)} · acordo {pct(ln.acordo)} · "
              f"pagamento {pct(ln.pagamento)} · opt-out {pct(ln.optout)} · contestação {pct(ln.contestacao)}",
              file=saida)  # fmt: skip
        por_devedor = " · ".join(f"{p} d {reais(ln.por_devedor[p])}" for p in PRAZOS)
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
    await vigiar(engine, escolhidos, agora)
    async with sessao(engine) as s:
        for experimento in escolhidos:
            _imprimir(await relatorio_de(s, experimento), agora, saida)
    return 0
