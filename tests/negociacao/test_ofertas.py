"""Offers: tier choice, plans to the cent, counter-proposals, and the rule that no plan leaves its tier."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.calendario import dia_util, proximo_dia_util
from bot.negociacao.ofertas import (
    Plano,
    PlanoImpossivel,
    Proposta,
    avaliar_proposta,
    escolher_faixa,
    montar_plano,
)
from bot.negociacao.politica import Encargos, Faixa, LivroOfertas, OpcaoAVista, OpcaoParcelado
from bot.negociacao.saldo import ParcelaAberta, Saldo, calcular_saldo
from tests.apoio.saldos import HOJE, saldo_de

D = Decimal


SALDO_1030 = saldo_de(("1000.00", 30))  # principal 1000, multa 20, juros 10

FAIXA = Faixa.model_validate(
    {
        "nome": "30-90 dias",
        "opcoes": [
            {
                "tipo": "a_vista",
                "rotulo": "À vista sem juros e multa",
                "desconto_juros": 100,
                "desconto_multa": 100,
            },
            {"tipo": "parcelado", "parcelas_max": 12},
            {"tipo": "parcelado", "parcelas_max": 12, "entrada_min_percentual": 30, "parcela_min": 70},
            {"tipo": "parcelado", "parcelas_max": 6, "juros_mensal_percentual": 2},
        ],
    }
)
LIVRO = LivroOfertas(faixas=[FAIXA])


def valores(plano: Plano) -> list[str]:
    return [str(parcela.valor) for parcela in plano.parcelas]


# --- tiers ---


LIVRO_FAIXAS = LivroOfertas.model_validate(
    {
        "faixas": [
            {"nome": "empresas", "segmento": "pj", "opcoes": [{"tipo": "a_vista"}]},
            {"nome": "recente", "dias_atraso_max": 30, "opcoes": [{"tipo": "a_vista"}]},
            {
                "nome": "média pequena",
                "dias_atraso_max": 90,
                "valor_max": 500,
                "opcoes": [{"tipo": "a_vista"}],
            },
            {"nome": "média", "dias_atraso_min": 31, "dias_atraso_max": 90, "opcoes": [{"tipo": "a_vista"}]},
            {"nome": "antiga", "dias_atraso_min": 91, "valor_min": 100, "opcoes": [{"tipo": "a_vista"}]},
        ]
    }
)


@pytest.mark.parametrize(
    ("parcelas", "segmento", "faixa"),
    [
        ((("100.00", 10),), "pj", "empresas"),
        ((("100.00", 30),), None, "recente"),  # bounds are inclusive
        ((("100.00", 31),), None, "média pequena"),
        ((("1000.00", 31),), None, "média"),
        ((("1000.00", 90), ("10.00", 5)), "pf", "média"),  # the worst delay decides
        ((("1000.00", 91),), None, "antiga"),
        ((("50.00", 200),), None, None),  # old but under valor_min of "antiga"
        ((), None, None),  # nothing overdue, nothing to negotiate
    ],
)
def test_first_matching_tier(parcelas: tuple[tuple[str, int], ...], segmento: str | None, faixa: str | None) -> None:
    escolhida = escolher_faixa(LIVRO_FAIXAS, saldo_de(*parcelas), segmento)

    assert (escolhida.nome if escolhida else None) == faixa


# --- plans, worked examples ---


def test_cash_option_discounts_juros_and_multa() -> None:
    plano = montar_plano(FAIXA, 0, SALDO_1030, HOJE, "SP", LIVRO)

    assert (plano.tipo, plano.valor_original, plano.desconto, plano.valor_negociado) == (
        "a_vista",
        D("1030.00"),
        D("30.00"),
        D("1000.00"),
    )
    assert valores(plano) == ["1000.00"]
    assert plano.entrada.vencimento == date(2026, 3, 12)
    assert (plano.total, plano.quantidade) == (D("1000.00"), 1)


def test_installments_without_interest_rounding_goes_to_the_last() -> None:
    plano = montar_plano(FAIXA, 1, SALDO_1030, HOJE, "SP", LIVRO)

    # 1030 / 12 = 85.8333…; the last parcel closes the total to the cent
    assert valores(plano) == ["85.83"] * 11 + ["85.87"]
    assert plano.total == plano.valor_negociado == D("1030.00")
    assert [p.vencimento for p in plano.parcelas[:3]] == [
        date(2026, 3, 12),
        date(2026, 4, 13),
        date(2026, 5, 12),
    ]


def test_minimum_entry_and_minimum_parcel_choose_the_count() -> None:
    plano = montar_plano(FAIXA, 2, SALDO_1030, HOJE, "SP", LIVRO)

    # entry 30 % = 309.00; 12x would leave 721 / 11 = 65.55 < 70, so 11x of 72.10
    assert valores(plano) == ["309.00"] + ["72.10"] * 10
    assert plano.total == D("1030.00")


def test_installments_with_interest_follow_the_price_table() -> None:
    plano = montar_plano(FAIXA, 3, SALDO_1030, HOJE, "SP", LIVRO, parcelas=3)

    # level payment of an annuity due at 2 % a.m.: 1030 × 0.02 / (1.02 × (1 − 1.02⁻³)) = 350.154…
    assert valores(plano) == ["350.15", "350.16", "350.15"]
    assert plano.juros_mensal_percentual == D(2)
    assert plano.total == D("1050.46")


def test_due_dates_keep_the_day_of_month_and_skip_weekends() -> None:
    plano = montar_plano(FAIXA, 1, SALDO_1030, HOJE, "SP", LIVRO, parcelas=4, primeiro_vencimento=date(2026, 3, 19))
    no_fim = montar_plano(FAIXA, 1, SALDO_1030, date(2026, 1, 27), "SP", LIVRO, 3, date(2026, 1, 31))

    assert [p.vencimento for p in plano.parcelas] == [
        date(2026, 3, 19),
        date(2026, 4, 20),  # 19 April is a Sunday
        date(2026, 5, 19),
        date(2026, 6, 19),
    ]
    # 31 Jan 2026 is a Saturday; February ends on a Saturday too; then back to the 31st
    assert [p.vencimento for p in no_fim.parcelas] == [date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 31)]


@pytest.mark.parametrize(
    ("opcao", "parcelas", "primeiro_vencimento", "mensagem"),
    [
        (1, 1, None, "de 2 a 12 parcelas"),
        (1, 13, None, "de 2 a 12 parcelas"),
        (0, 2, None, "à vista"),
        (2, 12, None, "abaixo do mínimo de R\\$\xa070,00"),
        (1, None, date(2026, 3, 21), "até 20/03/2026"),
        (1, None, date(2026, 3, 9), "já passou"),
        (9, None, None, "não tem a opção 9"),
    ],
)
def test_plans_outside_the_tier_are_refused(
    opcao: int, parcelas: int | None, primeiro_vencimento: date | None, mensagem: str
) -> None:
    with pytest.raises(PlanoImpossivel, match=mensagem):
        montar_plano(FAIXA, opcao, SALDO_1030, HOJE, "SP", LIVRO, parcelas, primeiro_vencimento)


def test_too_small_for_two_parcels() -> None:
    with pytest.raises(PlanoImpossivel, match="não cabe em parcelas de pelo menos R\\$\xa050,00"):
        montar_plano(FAIXA, 1, saldo_de(("90.00", 10)), HOJE, "SP", LIVRO)


def test_plan_round_trips_through_json() -> None:
    plano = montar_plano(FAIXA, 3, SALDO_1030, HOJE, "SP", LIVRO)

    dados = json.loads(json.dumps(plano.para_dict()))

    assert dados["parcelas"][0] == {"numero": 1, "valor": "180.28", "vencimento": "2026-03-12"}
    assert Plano.de_dict(dados) == plano


@pytest.mark.parametrize(
    ("estrago", "mensagem"),
    [
        ({"tipo": "boleto"}, "tipo 'boleto'"),
        ({"desconto": 1.5}, "esperado texto"),
        ({"desconto": "muito"}, "não é um número"),
        ({"parcelas": []}, "sem parcelas"),
    ],
)
def test_broken_plan_in_memory_is_reported(estrago: dict[str, Any], mensagem: str) -> None:
    dados: dict[str, Any] = {**montar_plano(FAIXA, 0, SALDO_1030, HOJE, "SP", LIVRO).para_dict(), **estrago}

    with pytest.raises(ValueError, match=mensagem):
        Plano.de_dict(dados)


def test_plan_in_memory_missing_a_key() -> None:
    dados = montar_plano(FAIXA, 0, SALDO_1030, HOJE, "SP", LIVRO).para_dict()

    with pytest.raises(ValueError, match="falta a chave 'faixa'"):
        Plano.de_dict({k: v for k, v in dados.items() if k != "faixa"})


# --- counter-proposals ---


@pytest.mark.parametrize(
    ("proposta", "opcao", "parcelas", "atende"),
    [
        (Proposta(parcelas=10), 1, 10, True),  # first option admitting 10x
        (Proposta(parcelas=24), 1, 12, False),  # nearest admissible count
        (Proposta(valor_parcela=D(200)), 2, 5, True),  # 5x: entry 309 + 4 × 180.25 beats 6x of 171.67
        (Proposta(valor_parcela=D(60)), 2, 11, False),  # nothing ≤ 60: the smallest parcel (72.10)
        (Proposta(valor_parcela=D(100), parcelas=11), 1, 11, True),  # 11 × 93.64
        (Proposta(valor_parcela=D(90), parcelas=6), 2, 10, False),  # no 6x ≤ 90: the count nearest 6 that is
        (Proposta(valor_total=D(1200), parcelas=6), 1, 6, True),  # "1.200 em 6x" = 200 a month
        (Proposta(valor_total=D(1000)), 0, 1, True),
        (Proposta(valor_total=D(500)), 0, 1, False),
        (Proposta(parcelas=1), 0, 1, True),
    ],
)
def test_counter_proposals(proposta: Proposta, opcao: int, parcelas: int, atende: bool) -> None:
    resultado = avaliar_proposta(FAIXA, SALDO_1030, proposta, HOJE, "SP", LIVRO)

    assert resultado is not None
    assert (resultado.plano.opcao, resultado.plano.quantidade, resultado.atende) == (opcao, parcelas, atende)


def test_no_option_of_the_kind_asked() -> None:
    so_a_vista = Faixa(nome="à vista", opcoes=[OpcaoAVista(tipo="a_vista")])
    so_parcelado = Faixa(nome="parcelado", opcoes=[OpcaoParcelado(tipo="parcelado", parcelas_max=3)])

    assert avaliar_proposta(so_a_vista, SALDO_1030, Proposta(parcelas=3), HOJE, "SP", LIVRO) is None
    assert avaliar_proposta(so_parcelado, SALDO_1030, Proposta(valor_total=D(9)), HOJE, "SP", LIVRO) is None
    assert avaliar_proposta(so_parcelado, saldo_de(("60.00", 5)), Proposta(parcelas=2), HOJE, "SP", LIVRO) is None


@pytest.mark.parametrize("campos", [{}, {"parcelas": 0}, {"valor_parcela": D(0)}, {"valor_total": D("-1")}])
def test_empty_or_invalid_proposal(campos: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"proposta|inválido"):
        Proposta(**campos)


# --- offer book validation ---


@pytest.mark.parametrize(
    ("dados", "mensagem"),
    [
        ({"nome": "x", "dias_atraso_min": 31, "dias_atraso_max": 30}, "dias_atraso_min \\(31\\) maior"),
        ({"nome": "x", "valor_min": 10, "valor_max": 5}, "valor_min \\(10\\) maior"),
        ({"nome": "x", "opcoes": []}, "at least 1"),
        ({"nome": "x", "opcoes": [{"tipo": "boleto"}]}, "tipo"),
        ({"nome": "x", "opcoes": [{"tipo": "parcelado", "parcelas_max": 61}]}, "parcelas_max"),
        ({"nome": "x", "opcoes": [{"tipo": "a_vista", "desconto_principal": 91}]}, "desconto_principal"),
        ({"nome": "x", "opcoes": [{"tipo": "a_vista", "parcelas_max": 2}]}, "parcelas_max"),
    ],
)
def test_invalid_tier(dados: dict[str, Any], mensagem: str) -> None:
    with pytest.raises(ValidationError, match=mensagem):
        Faixa.model_validate({"opcoes": [{"tipo": "a_vista"}], **dados})


def test_invalid_offer_book() -> None:
    faixa = {"nome": "única", "opcoes": [{"tipo": "a_vista"}]}

    with pytest.raises(ValidationError, match=r"prazo_max_dias \(3\) menor .*; nomes de faixa repetidos: única"):
        LivroOfertas.model_validate({"dias_para_pagamento": 5, "prazo_max_dias": 3, "faixas": [faixa, faixa]})


# --- properties ---

percentuais = st.decimals(min_value=0, max_value=100, places=2)
descontos = {
    "desconto_juros": percentuais,
    "desconto_multa": percentuais,
    "desconto_principal": st.decimals(min_value=0, max_value=90, places=2),
}
opcoes = st.one_of(
    st.builds(OpcaoAVista, tipo=st.just("a_vista"), **descontos),
    st.builds(
        OpcaoParcelado,
        tipo=st.just("parcelado"),
        parcelas_max=st.integers(min_value=2, max_value=60),
        entrada_min_percentual=st.decimals(min_value=0, max_value=D("99.99"), places=2),
        parcela_min=st.decimals(min_value=D("0.01"), max_value=D(500), places=2),
        juros_mensal_percentual=st.decimals(min_value=0, max_value=10, places=2),
        **descontos,
    ),
)
faixas = st.builds(Faixa, nome=st.just("f"), opcoes=st.lists(opcoes, min_size=1, max_size=3))
livros = st.integers(min_value=0, max_value=30).flatmap(
    lambda dias: st.builds(
        LivroOfertas,
        dias_para_pagamento=st.just(dias),
        prazo_max_dias=st.integers(min_value=dias, max_value=60),
        faixas=st.lists(faixas, min_size=1, max_size=1),
    )
)
hojes = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
ufs = st.sampled_from([None, "SP", "RJ", "MG", "BA", "AM"])


@st.composite
def saldos(draw: st.DrawFn, hoje: date, uf: str | None) -> Saldo:
    dados = draw(
        st.lists(
            st.tuples(
                st.decimals(min_value=D("0.01"), max_value=D(50000), places=2),
                st.integers(min_value=10, max_value=900),
            ),
            min_size=1,
            max_size=5,
        )
    )
    encargos = draw(
        st.builds(
            Encargos,
            multa_percentual=st.decimals(min_value=0, max_value=2, places=2),
            juros_mensal_percentual=st.decimals(min_value=0, max_value=10, places=2),
            correcao_mensal_percentual=st.decimals(min_value=0, max_value=5, places=2),
        )
    )
    abertas = [
        ParcelaAberta(id=i, contrato="C", numero=i, valor=valor, vencimento=hoje - timedelta(days=dias))
        for i, (valor, dias) in enumerate(dados, 1)
    ]
    return calcular_saldo(abertas, encargos, hoje, uf)


def assert_dentro_da_faixa(
    plano: Plano, *, faixa: Faixa, saldo: Saldo, livro: LivroOfertas, hoje: date, uf: str | None
) -> None:
    """Every promise of the tier, checked on the plan alone."""
    opcao = faixa.opcoes[plano.opcao]
    assert (plano.faixa, plano.tipo) == (faixa.nome, opcao.tipo)
    teto = (
        saldo.juros * opcao.desconto_juros
        + saldo.multa * opcao.desconto_multa
        + saldo.principal * opcao.desconto_principal
    ) / 100
    assert D(0) <= plano.desconto <= teto
    assert plano.valor_original == saldo.total
    assert plano.valor_negociado == saldo.total - plano.desconto > 0
    assert plano.total == sum((p.valor for p in plano.parcelas), D(0))
    assert [p.numero for p in plano.parcelas] == list(range(1, plano.quantidade + 1))
    assert all(p.valor == p.valor.quantize(D("0.01")) and p.valor > 0 for p in plano.parcelas)
    if isinstance(opcao, OpcaoAVista):
        assert plano.quantidade == 1
        assert plano.total == plano.valor_negociado
    else:
        assert 2 <= plano.quantidade <= opcao.parcelas_max
        assert plano.entrada.valor >= plano.valor_negociado * opcao.entrada_min_percentual / 100
        assert all(p.valor >= opcao.parcela_min for p in plano.parcelas)
        assert plano.juros_mensal_percentual == opcao.juros_mensal_percentual
        assert_price(plano)
    vencimentos = [p.vencimento for p in plano.parcelas]
    assert all(dia_util(dia, uf) for dia in vencimentos)
    assert all(a < b for a, b in pairwise(vencimentos))
    assert hoje <= vencimentos[0] <= proximo_dia_util(hoje + timedelta(days=livro.prazo_max_dias), uf)


def assert_price(plano: Plano) -> None:
    """The parcels, discounted at the plan's rate, repay the negotiated value (a cent of slack per parcel)."""
    taxa = plano.juros_mensal_percentual / 100
    if taxa == 0:
        assert plano.total == plano.valor_negociado
        return
    presente = sum(p.valor / (1 + taxa) ** k for k, p in enumerate(plano.parcelas))
    assert abs(presente - plano.valor_negociado) <= D("0.01") * plano.quantidade
    # interest never lowers the total; on a few cents at a tiny rate it may round to nothing
    assert plano.total >= plano.valor_negociado


@settings(max_examples=200, deadline=None)
@given(st.data(), livros, hojes, ufs)
def test_no_plan_leaves_its_tier(data: st.DataObject, livro: LivroOfertas, hoje: date, uf: str | None) -> None:
    faixa = livro.faixas[0]
    saldo = data.draw(saldos(hoje, uf))
    opcao = data.draw(st.integers(min_value=0, max_value=len(faixa.opcoes) - 1))
    parcelas = data.draw(st.none() | st.none() | st.integers(min_value=1, max_value=61))
    primeiro = data.draw(st.none() | st.dates(min_value=hoje - timedelta(days=3), max_value=hoje + timedelta(days=70)))
    try:
        plano = montar_plano(faixa, opcao, saldo, hoje, uf, livro, parcelas, primeiro)
    except PlanoImpossivel:
        event("impossível")
        return
    event(plano.tipo)
    assert_dentro_da_faixa(plano, faixa=faixa, saldo=saldo, livro=livro, hoje=hoje, uf=uf)
    escolhida = faixa.opcoes[opcao]
    if parcelas is None and isinstance(escolhida, OpcaoParcelado) and plano.quantidade < escolhida.parcelas_max:
        # the count chosen is the largest that keeps every parcel above the minimum
        with pytest.raises(PlanoImpossivel):
            montar_plano(faixa, opcao, saldo, hoje, uf, livro, plano.quantidade + 1, primeiro)


@settings(max_examples=200, deadline=None)
@given(st.data(), livros, hojes, ufs)
def test_plan_round_trips(data: st.DataObject, livro: LivroOfertas, hoje: date, uf: str | None) -> None:
    faixa = livro.faixas[0]
    saldo = data.draw(saldos(hoje, uf))
    try:
        plano = montar_plano(faixa, 0, saldo, hoje, uf, livro)
    except PlanoImpossivel:
        return
    assert Plano.de_dict(json.loads(json.dumps(plano.para_dict()))) == plano


valores_proposta = st.decimals(min_value=1, max_value=20000, places=2)
quantidades = st.integers(min_value=1, max_value=70)
propostas = st.one_of(
    st.builds(Proposta, valor_parcela=valores_proposta, parcelas=st.none() | quantidades),
    st.builds(Proposta, parcelas=quantidades, valor_total=st.none() | valores_proposta),
    st.builds(Proposta, valor_total=valores_proposta),
)


@settings(max_examples=200, deadline=None)
@given(st.data(), livros, hojes, ufs, propostas)
def test_counter_proposal_never_leaves_the_tier(
    data: st.DataObject, livro: LivroOfertas, hoje: date, uf: str | None, proposta: Proposta
) -> None:
    faixa = livro.faixas[0]
    saldo = data.draw(saldos(hoje, uf))

    resultado = avaliar_proposta(faixa, saldo, proposta, hoje, uf, livro)

    event("sem plano" if resultado is None else f"atende={resultado.atende}")
    tipo = "a_vista" if proposta.a_vista else "parcelado"
    if resultado is None:
        for indice, opcao in enumerate(faixa.opcoes):
            if opcao.tipo == tipo:
                with pytest.raises(PlanoImpossivel):
                    montar_plano(faixa, indice, saldo, hoje, uf, livro)
        return
    plano = resultado.plano
    assert plano.tipo == tipo
    assert_dentro_da_faixa(plano, faixa=faixa, saldo=saldo, livro=livro, hoje=hoje, uf=uf)
    limite = proposta.limite_parcela if tipo == "parcelado" else proposta.valor_total or proposta.valor_parcela
    if resultado.atende:
        assert proposta.parcelas in (None, plano.quantidade)
        assert limite is None or (plano.parcela_regular if tipo == "parcelado" else plano.total) <= limite
    elif proposta.parcelas is None and limite is not None and tipo == "parcelado":
        # nothing met the amount, so the offer is the smallest monthly parcel of all
        for indice, opcao in enumerate(faixa.opcoes):
            if isinstance(opcao, OpcaoParcelado):
                for n in range(2, opcao.parcelas_max + 1):
                    try:
                        outro = montar_plano(faixa, indice, saldo, hoje, uf, livro, n)
                    except PlanoImpossivel:
                        continue
                    assert outro.parcela_regular > limite
                    assert outro.parcela_regular >= plano.parcela_regular


def test_primeiro_vencimento_movido_para_dia_util_fica_dentro_do_prazo() -> None:
    """Asked on 12/11/2026 for "dia 20" (Consciência Negra) with a 10-day limit: Monday 23/11 would pass the
    limit (22/11), so the business day before is used: Thursday 19/11."""
    hoje = date(2026, 11, 12)
    livro = LivroOfertas(faixas=[FAIXA], prazo_max_dias=10)
    saldo = saldo_de(("300.00", 20), hoje=hoje)
    plano = montar_plano(FAIXA, 0, saldo, hoje, "SP", livro, primeiro_vencimento=date(2026, 11, 20))
    assert plano.entrada.vencimento == date(2026, 11, 19)
    dentro = montar_plano(FAIXA, 0, saldo, hoje, "SP", livro, primeiro_vencimento=date(2026, 11, 17))
    assert dentro.entrada.vencimento == date(2026, 11, 17)  # a business day within the limit stays as asked


def test_contraproposta_mantem_o_dia_pedido() -> None:
    hoje = date(2026, 11, 23)
    saldo = saldo_de(("300.00", 20), ("300.00", 50), hoje=hoje)
    livro = LivroOfertas(faixas=[FAIXA], prazo_max_dias=10)
    resultado = avaliar_proposta(FAIXA, saldo, Proposta(valor_parcela=D(100)), hoje, "SP", livro, date(2026, 11, 30))
    assert resultado is not None and resultado.plano.entrada.vencimento == date(2026, 11, 30)


def test_desconto_arredondado_para_baixo_uma_vez_por_componente() -> None:
    """One rule (docs/config.md): each discount is taken on the balance's total juros, multa and principal and
    floored to the cent once, so it never exceeds the manager's percentage and is never cut line by line."""
    faixa = Faixa.model_validate(
        {"nome": "t", "opcoes": [{"tipo": "a_vista", "desconto_juros": 33, "desconto_multa": 33}]}
    )
    saldo = saldo_de(("101.00", 31), ("101.00", 31), ("101.00", 31))
    plano = montar_plano(faixa, 0, saldo, HOJE, "SP", LivroOfertas(faixas=[faixa]))
    centavo = D("0.01")

    def piso(valor: Decimal) -> Decimal:
        return (valor * 33 / 100).quantize(centavo, ROUND_FLOOR)

    esperado = piso(saldo.juros) + piso(saldo.multa)
    por_linha = sum((piso(linha.juros) + piso(linha.multa) for linha in saldo.linhas), D(0))
    assert plano.desconto == esperado
    assert esperado != por_linha  # the two rules differ on this balance: the test tells them apart
    assert plano.total == saldo.total - esperado
