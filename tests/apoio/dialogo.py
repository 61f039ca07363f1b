"""Driving the pure engine as an adapter would: Maria's facts and a dialogue that keeps state between messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.conversa.fatos import Decisao, DevedorFatos, Entrada, Fatos, Memoria, Resposta
from bot.conversa.motor import Motor
from bot.negociacao.saldo import ParcelaAberta
from tests.apoio.relogio import AGORA


def fatos_maria(
    dias_atraso: tuple[int, ...] = (40, 10),
    valor: str = "150.00",
    nascimento: date | None = date(1980, 5, 12),
) -> Fatos:
    hoje = AGORA.date()
    parcelas = tuple(
        ParcelaAberta(i + 1, "C-100", i + 1, Decimal(valor), hoje - timedelta(days=d), "Mensalidade academia")
        for i, d in enumerate(dias_atraso)
    )
    return Fatos(
        conversa_id=7,
        devedor=DevedorFatos("Maria da Silva Santos", "39053344705", "SP", nascimento, "varejo"),
        parcelas=parcelas,
    )


@dataclass
class Dialogo:
    """Drives the engine like an adapter would, keeping state and memory between messages."""

    motor: Motor
    fatos: Fatos
    agora: datetime = AGORA
    estado: str | None = None
    memoria: Memoria = field(default_factory=Memoria)
    decisoes: list[Decisao] = field(default_factory=list)

    def diz(self, texto: str, opcao: str | None = None, falada: bool = False) -> list[Resposta]:
        """`falada`: the text is a voice note's transcript."""
        entrada = Entrada(texto, opcao, falada=falada)
        decisao = self.motor.passo(self.estado, self.memoria, entrada, self.fatos, self.agora)
        self.estado, self.memoria = decisao.estado, decisao.memoria
        self.decisoes.append(decisao)
        return list(decisao.respostas)

    def texto(self, texto: str, opcao: str | None = None) -> str:
        return "\n".join(r.texto for r in self.diz(texto, opcao))

    @property
    def efeitos(self) -> list[object]:
        return [e for d in self.decisoes for e in d.efeitos]
