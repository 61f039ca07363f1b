"""The overdue balance: worked examples to the cent, the weekend/holiday rule, and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.calendario import proximo_dia_util
from bot.negociacao.politica import Encargos
from bot.negociacao.saldo import ParcelaAberta, calcular_saldo, em_atraso, proximas_parcelas

D = Decimal
HOJE = date(2026, 3, 10)  # a Tuesday


def parcela(valor: str, vencimento: date, numero: int = 1, contrato: str = "C-1") -> ParcelaAberta:
    return ParcelaAberta(id=numero, contrato=contrato, numero=numero, valor=D(valor), vencimento=vencimento)


def test_example_from_the_brief_1000_reais_30_days() -> None:
    saldo = calcular_saldo([parcela("1000.00", HOJE - timedelta(days=30))], Encargos(), HOJE, "SP")

    (linha,) = saldo.linhas
    assert (linha.dias_atraso, linha.multa, linha.juros, linha.correcao) == (
        30,
        D("20.00"),
        D("10.00"),
        D("0"),
    )
    assert linha.total == D("1030.00")
    assert (saldo.principal, saldo.multa, saldo.juros, saldo.total) == (
        D("1000.00"),
        D("20.00"),
        D("10.00"),
        D("1030.00"),
    )
    assert saldo.dias_atraso_max == 30


def test_each_charge_rounds_half_up_to_the_cent() -> None:
    encargos = Encargos(multa_percentual=D(2), juros_mensal_percentual=D(1), correcao_mensal_percentual=D("0.5"))

    (linha,) = calcular_saldo([parcela("333.33", HOJE - timedelta(days=45))], encargos, HOJE, None).linhas

    # 6.6666 → 6.67; 333.33 × 1% × 45/30 = 4.99995 → 5.00; 333.33 × 0.5% × 45/30 = 2.499975 → 2.50
    assert (linha.multa, linha.juros, linha.correcao) == (D("6.67"), D("5.00"), D("2.50"))
    assert linha.total == D("347.50")


def test_lines_ordered_by_due_date_and_totals_add_up() -> None:
    parcelas = [
        parcela("150.00", date(2026, 2, 9), numero=2),
        parcela("150.00", date(2026, 1, 9), numero=1),
        parcela("150.00", date(2026, 3, 9), numero=3),  # due yesterday, a Monday
        parcela("150.00", date(2026, 4, 9), numero=4),  # not due yet
    ]

    saldo = calcular_saldo(parcelas, Encargos(), HOJE, "SP")

    assert [linha.parcela.numero for linha in saldo.linhas] == [1, 2, 3]
    assert [linha.dias_atraso for linha in saldo.linhas] == [60, 29, 1]
    assert [linha.juros for linha in saldo.linhas] == [D("3.00"), D("1.45"), D("0.05")]
    assert saldo.multa == D("9.00")
    assert saldo.total == D("450.00") + D("9.00") + D("4.50")
    assert saldo.dias_atraso_max == 60
    assert [p.numero for p in proximas_parcelas(parcelas, HOJE, "SP")] == [4]


def test_nothing_overdue_is_an_empty_balance() -> None:
    saldo = calcular_saldo([parcela("80.00", HOJE)], Encargos(), HOJE, "SP")

    assert saldo.linhas == ()
    assert (saldo.total, saldo.dias_atraso_max) == (D("0"), 0)


@pytest.mark.parametrize(
    ("vencimento", "hoje", "uf", "dias_atraso"),
    [
        (date(2026, 3, 10), date(2026, 3, 10), "SP", None),  # due today
        (date(2026, 3, 10), date(2026, 3, 11), "SP", 1),
        (date(2026, 3, 7), date(2026, 3, 9), "SP", None),  # Saturday → paid Monday: on time
        (date(2026, 3, 7), date(2026, 3, 10), "SP", 3),  # missed Monday: late since Saturday
        (date(2026, 4, 21), date(2026, 4, 22), "RJ", None),  # Tiradentes (national)
        (date(2026, 4, 21), date(2026, 4, 23), "RJ", 2),
        (date(2026, 7, 9), date(2026, 7, 10), "SP", None),  # Revolução Constitucionalista (SP only)
        (date(2026, 7, 9), date(2026, 7, 10), "RJ", 1),
        (date(2026, 7, 9), date(2026, 7, 10), None, 1),
        (
            date(2026, 2, 14),
            date(2026, 2, 18),
            "MG",
            None,
        ),  # Saturday before Carnaval: banks reopen Wednesday
        (date(2026, 2, 14), date(2026, 2, 19), "MG", 5),
        (date(2025, 12, 31), date(2026, 1, 2), "SP", None),  # banks close on 31 Dec and 1 Jan
    ],
)
def test_due_on_weekend_or_holiday_is_not_late_until_next_business_day(
    vencimento: date, hoje: date, uf: str | None, dias_atraso: int | None
) -> None:
    """Lei 7.089/1983."""
    aberta = parcela("100.00", vencimento)

    saldo = calcular_saldo([aberta], Encargos(), hoje, uf)

    assert em_atraso(aberta, hoje, uf) is (dias_atraso is not None)
    assert [linha.dias_atraso for linha in saldo.linhas] == ([] if dias_atraso is None else [dias_atraso])
    # In the grace, the installment is shown with the day it can still be paid on (not its past due date).
    em_dia = replace(aberta, vencimento=proximo_dia_util(vencimento, uf))
    assert proximas_parcelas([aberta], hoje, uf) == (() if dias_atraso is not None else (em_dia,))


def test_multa_above_two_percent_is_refused_with_the_law() -> None:
    with pytest.raises(ValidationError, match=r"multa acima de 2% é proibida \(CDC art. 52 §1\)"):
        Encargos(multa_percentual=D("2.01"))


@pytest.mark.parametrize(
    "campos",
    [
        {"multa_percentual": -1},
        {"juros_mensal_percentual": 11},
        {"correcao_mensal_percentual": 6},
        {"juros": 1},  # unknown key
    ],
)
def test_encargos_out_of_range_or_unknown_key(campos: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Encargos.model_validate(campos)


def test_encargos_read_from_toml_numbers() -> None:
    encargos = Encargos.model_validate({"multa_percentual": 2, "juros_mensal_percentual": 0.33})

    assert encargos.juros_mensal_percentual == D("0.33")


@pytest.mark.parametrize("valor", ["0", "-10.00", "10.005"])
def test_parcel_value_must_be_positive_cents(valor: str) -> None:
    with pytest.raises(ValueError, match="valor inválido"):
        parcela(valor, HOJE)


# --- properties ---

valores = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
hojes = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
ufs = st.sampled_from([None, "SP", "RJ", "MG", "BA", "AM"])
encargos_validos = st.builds(
    Encargos,
    multa_percentual=st.decimals(min_value=0, max_value=2, places=2),
    juros_mensal_percentual=st.decimals(min_value=0, max_value=10, places=2),
    correcao_mensal_percentual=st.decimals(min_value=0, max_value=5, places=2),
)
listas = st.lists(st.tuples(valores, st.integers(min_value=-60, max_value=800)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(listas, encargos_validos, hojes, ufs)
def test_balance_is_the_sum_of_its_lines_within_half_a_cent_each(
    dados: list[tuple[Decimal, int]], encargos: Encargos, hoje: date, uf: str | None
) -> None:
    parcelas = [
        ParcelaAberta(id=i, contrato="C", numero=i, valor=valor, vencimento=hoje - timedelta(days=dias))
        for i, (valor, dias) in enumerate(dados, 1)
    ]

    saldo = calcular_saldo(parcelas, encargos, hoje, uf)
    futuras = proximas_parcelas(parcelas, hoje, uf)

    assert {linha.parcela.id for linha in saldo.linhas} | {p.id for p in futuras} == {p.id for p in parcelas}
    originais = {p.id: p for p in parcelas}
    assert all(f.vencimento == proximo_dia_util(originais[f.id].vencimento, uf) for f in futuras)
    assert len(saldo.linhas) + len(futuras) == len(parcelas)
    assert saldo.total == sum((linha.total for linha in saldo.linhas), D(0))
    assert saldo.total == saldo.principal + saldo.multa + saldo.juros + saldo.correcao
    assert [linha.parcela.vencimento for linha in saldo.linhas] == sorted(
        linha.parcela.vencimento for linha in saldo.linhas
    )
    meio_centavo = D("0.005")
    for linha in saldo.linhas:
        valor, dias = linha.parcela.valor, linha.dias_atraso
        assert dias == (hoje - linha.parcela.vencimento).days >= 1
        assert abs(linha.multa - valor * encargos.multa_percentual / 100) <= meio_centavo
        assert linha.multa <= valor * 2 / 100 + meio_centavo
        assert abs(linha.juros - valor * encargos.juros_mensal_percentual * dias / 3000) <= meio_centavo
        assert abs(linha.correcao - valor * encargos.correcao_mensal_percentual * dias / 3000) <= meio_centavo
        for valor_linha in (linha.multa, linha.juros, linha.correcao, linha.total):
            assert valor_linha == valor_linha.quantize(D("0.01"))
    assert saldo.dias_atraso_max == max((linha.dias_atraso for linha in saldo.linhas), default=0)


def test_proxima_parcela_na_carencia_mostra_o_dia_em_que_ainda_pode_pagar() -> None:
    """Due Saturday 10/10/2026; Monday 12/10 is a national holiday: on Tuesday 13/10 it is still on time, and the
    date to show is 13/10, never the 10/10 already past."""
    sabado = ParcelaAberta(1, "C-1", 1, Decimal("150.00"), date(2026, 10, 10))
    (proxima,) = proximas_parcelas([sabado], date(2026, 10, 13), "SP")
    assert proxima.vencimento == date(2026, 10, 13) and proxima.valor == Decimal("150.00")
    futura = ParcelaAberta(2, "C-1", 2, Decimal("150.00"), date(2026, 11, 10))  # a Tuesday: unchanged
    assert proximas_parcelas([futura], date(2026, 10, 13), "SP")[0].vencimento == date(2026, 11, 10)
