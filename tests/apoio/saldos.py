"""Balances built from (valor, days overdue) pairs, for the offer and approval tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.negociacao.politica import Encargos
from bot.negociacao.saldo import ParcelaAberta, Saldo, calcular_saldo

HOJE = date(2026, 3, 10)  # a Tuesday; HOJE + 2 = Thursday 12 March


def saldo_de(*parcelas: tuple[str, int], hoje: date = HOJE, uf: str | None = "SP") -> Saldo:
    """A balance from (valor, days overdue) pairs at 2 % multa and 1 % a.m."""
    abertas = [
        ParcelaAberta(id=i, contrato="C-1", numero=i, valor=Decimal(valor), vencimento=hoje - timedelta(days=dias))
        for i, (valor, dias) in enumerate(parcelas, 1)
    ]
    return calcular_saldo(abertas, Encargos(), hoje, uf)
