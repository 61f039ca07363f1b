"""`python -m bot simular`: offer books compared on a portfolio, with personas negotiating through the real engine.

Each round draws, for every debtor, a persona and its figures from the seed (`semente`, round, CPF), the same draw
for every book (common random numbers: the books differ, the debtors do not); the persona then negotiates with the
engine under each book (`dialogo`), and each agreement is valued by `valor`. Seeded and reproducible.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

import numpy as np

from bot.calendario import fuso
from bot.conversa.fatos import DevedorFatos, Fatos
from bot.conversa.motor import Motor
from bot.dados.carteira import LinhaCarteira
from bot.negociacao.saldo import ParcelaAberta, calcular_saldo
from bot.resultados.curvas import Curva
from bot.simulacao.dialogo import Perfil, negociar
from bot.simulacao.persona import Livro, Personas
from bot.simulacao.valor import esperado

HORIZONTE_MAXIMO = 730


@dataclass
class ResultadoLivro:
    """One book's totals over every round, averaged per round when shown."""

    nome: str
    rodadas: int
    devedores: int
    colocado: float  # per round: the open original installments
    acordos: int = 0
    recuperado: float = 0.0
    presente: float = 0.0
    perdas: float = 0.0
    descontos: float = 0.0
    dias_ponderados: float = 0.0
    por_dia: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    def media(self, total: float) -> float:
        return total / self.rodadas

    @property
    def taxa_acordo(self) -> float:
        return self.acordos / (self.rodadas * self.devedores) if self.devedores else 0.0

    @property
    def prazo_medio(self) -> float:
        """Days from today to the cash, weighted by the expected amounts."""
        return self.dias_ponderados / self.recuperado if self.recuperado else 0.0

    def curva(self, horizonte: int) -> Curva:
        """Expected recovery, % of the placed amount, by day: drawn with the liquidation curves' chart."""
        diario = np.zeros(horizonte + 1)
        for dia, valor in self.por_dia.items():
            diario[min(dia, horizonte)] += valor
        acumulado = np.cumsum(diario) / self.rodadas / self.colocado * 100 if self.colocado else diario
        percentual = tuple(float(v) for v in acumulado)
        return Curva(self.nome, self.devedores, Decimal(str(round(self.colocado, 2))),
                     Decimal(str(round(self.media(self.recuperado), 2))), percentual)  # fmt: skip


def por_devedor(linhas: Sequence[LinhaCarteira]) -> list[tuple[DevedorFatos, tuple[ParcelaAberta, ...]]]:
    """The portfolio's lines as the engine's facts: each debtor (by CPF, in file order) with their installments."""
    por_cpf: dict[str, list[LinhaCarteira]] = defaultdict(list)
    for linha in linhas:
        por_cpf[linha.cpf].append(linha)
    devedores = []
    for cpf, suas in por_cpf.items():
        primeira = suas[0]
        devedor = DevedorFatos(primeira.nome, cpf, primeira.uf, primeira.nascimento, primeira.segmento)
        parcelas = tuple(ParcelaAberta(i, ln.contrato, ln.parcela, ln.valor, ln.vencimento, ln.descricao or "")
                         for i, ln in enumerate(suas, 1))  # fmt: skip
        devedores.append((devedor, parcelas))
    return devedores


def _perfil(personas: Personas, semente: int, rodada: int, cpf: str, saldo: Decimal) -> Perfil:
    gerador = random.Random(f"{semente}:{rodada}:{cpf}")
    persona = personas.sortear(gerador)
    responde = gerador.random() < float(persona.engajamento)
    a_vista = saldo * persona.a_vista_percentual.sortear(gerador) / 100
    parcela = saldo * persona.parcela_percentual.sortear(gerador) / 100
    return Perfil(persona, responde, a_vista, parcela)


def simular(
    motor: Motor,
    linhas: Sequence[LinhaCarteira],
    personas: Personas,
    livros: Sequence[Livro],
    agora: datetime,
    semente: int = 1,
    rodadas: int = 20,
    taxa_mensal: float = 0.01,
) -> list[ResultadoLivro]:
    """Every book over the same rounds of the same portfolio; `motor` is the project's, its book swapped.

    `taxa_mensal` discounts the expected payments to today (0.01: 1 % a month).
    """
    devedores = por_devedor(linhas)
    colocado = float(sum(ln.valor for ln in linhas))
    motores = [replace(motor, config=motor.config.model_copy(update={"ofertas": livro.livro})) for livro in livros]
    resultados = [ResultadoLivro(livro.nome, rodadas, len(devedores), colocado) for livro in livros]
    for rodada in range(rodadas):
        for devedor, parcelas in devedores:
            hoje = agora.astimezone(fuso(devedor.uf)).date()
            saldo = calcular_saldo(parcelas, motor.config.encargos, hoje, devedor.uf)
            perfil = _perfil(personas, semente, rodada, devedor.cpf, saldo.total)
            fatos = Fatos(conversa_id=0, devedor=devedor, parcelas=parcelas)
            for motor_livro, resultado in zip(motores, resultados, strict=True):
                desfecho = negociar(motor_livro, fatos, perfil, agora)
                if desfecho.plano is None:
                    continue
                valor = esperado(desfecho.plano, hoje, perfil.persona.quebra_por_parcela)
                resultado.acordos += 1
                resultado.recuperado += valor.recuperado
                resultado.presente += valor.presente(taxa_mensal)
                resultado.perdas += valor.perda
                resultado.descontos += float(desfecho.plano.desconto)
                for dias, recebido in valor.recebimentos:
                    resultado.dias_ponderados += dias * recebido
                    resultado.por_dia[dias] += recebido
    return resultados

