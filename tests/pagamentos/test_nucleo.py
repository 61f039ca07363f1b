"""Pure pieces of payments: the ITF barcode, spreading payments over installments, due dates, the link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.boleto_pix.baixa import acordo_quebrado, distribuir
from bot.boleto_pix.desenho import larguras_itf, svg_itf, svg_qr
from bot.boleto_pix.token import FORMATO_TOKEN, link_pagamento, novo_token
from bot.config.erros import ConfigInvalida
from bot.config.pagamentos import PagamentosConfig
from bot.pagamentos.local import emitir_documento
from bot.projeto import carregar_projeto
from tests.apoio.config_pagamentos import CONFIG

BARRAS = "00193373700000001000500940144816060680935031"  # public vector (domain.md §4)


def test_itf_inicio_fim_e_pares() -> None:
    larguras = larguras_itf("12")
    # start (4 narrow) + 10 elements for the pair + stop (wide bar, narrow space, narrow bar)
    assert larguras[:4] == [1, 1, 1, 1] and larguras[-3:] == [3, 1, 1]
    # "1" = wnnnw on the bars, "2" = nwnnw on the spaces, interleaved
    assert larguras[4:14] == [3, 1, 1, 3, 1, 1, 1, 1, 3, 3]


@given(st.text(alphabet="0123456789", min_size=1, max_size=22).map(lambda t: t * 2))
def test_itf_cada_par_tem_dois_largos_em_barras_e_em_espacos(digitos: str) -> None:
    meio = larguras_itf(digitos)[4:-3]
    assert len(meio) == 5 * len(digitos)
    for inicio in range(0, len(meio), 10):
        par = meio[inicio : inicio + 10]
        assert par[0::2].count(3) == 2 and par[1::2].count(3) == 2


def test_itf_recusa_impar_e_letras() -> None:
    for ruim in ("123", "12a4", "١٢"):
        with pytest.raises(ValueError, match="número par de dígitos"):
            larguras_itf(ruim)


def test_svgs_sem_referencias_externas() -> None:
    barras = svg_itf(BARRAS)
    assert barras.startswith("<svg") and barras.count("<rect") == 2 + 44 * 5 // 2 + 2
    qr = svg_qr("00020126580014br.gov.bcb.pix")
    assert qr.startswith("<svg") and "<?xml" not in qr and "href" not in qr


@given(
    st.lists(st.integers(min_value=1, max_value=100_000), min_size=1, max_size=12),
    st.lists(st.integers(min_value=1, max_value=200_000), max_size=6),
)
def test_distribuir_nao_perde_centavos_e_quita_as_mais_antigas_primeiro(
    parcelas: list[int], pagamentos: list[int]
) -> None:
    valores = [Decimal(v) / 100 for v in parcelas]
    recebido = sum((Decimal(p) / 100 for p in pagamentos), Decimal("0.00"))
    situacao = distribuir(valores, recebido)
    assert sum(situacao.pago) + situacao.excedente == recebido
    assert all(Decimal(0) <= p <= v for p, v in zip(situacao.pago, valores, strict=True))
    abertas = [i for i, v in enumerate(valores) if not situacao.paga(i, valores)]
    assert abertas == list(range(len(valores) - len(abertas), len(valores)))  # oldest first


def test_pagamento_parcial_deixa_o_resto_aberto() -> None:
    valores = [Decimal("100.00"), Decimal("50.00")]
    situacao = distribuir(valores, Decimal("120.00"))
    assert situacao.paga(0, valores) and not situacao.paga(1, valores)
    assert situacao.restante(1, valores) == Decimal("30.00") and not situacao.quitado(valores)


@pytest.mark.parametrize(
    ("dia", "motivo", "proximo"),
    [
        (date(2026, 3, 7), "fim de semana", "2026-03-09"),  # Saturday
        (date(2026, 2, 16), "Carnaval", "2026-02-18"),  # Carnival Monday, then Tuesday
        (date(2026, 12, 25), "Natal", "2026-12-28"),
    ],
)
def test_vencimento_em_dia_sem_banco_e_recusado(dia: date, motivo: str, proximo: str) -> None:
    config = PagamentosConfig.model_validate(CONFIG)
    with pytest.raises(ValueError, match=f"{motivo}.*{proximo}"):
        emitir_documento(config, Decimal("10.00"), dia, "1", uf="SP")


def test_feriado_estadual_conforme_a_uf() -> None:
    config = PagamentosConfig.model_validate(CONFIG)
    revolucao = date(2026, 7, 9)  # São Paulo state holiday, a Thursday
    assert emitir_documento(config, Decimal("10.00"), revolucao, "1", uf="RJ").vencimento == revolucao
    with pytest.raises(ValueError, match="2026-07-10"):
        emitir_documento(config, Decimal("10.00"), revolucao, "1", uf="SP")


def test_token_e_link() -> None:
    tokens = {novo_token() for _ in range(100)}
    assert len(tokens) == 100 and all(FORMATO_TOKEN.fullmatch(t) for t in tokens)
    assert link_pagamento("https://pagar.exemplo.com.br/", "abc") == "https://pagar.exemplo.com.br/p/abc"


def test_url_publica_invalida_no_check(copia: Path) -> None:
    config = copia / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("porta = 8080", 'porta = 8080\nurl_publica = "pagar.com"')
    )
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(config)
    assert "web.url_publica" in str(erro.value.erros[0]) and "esperado um endereço http(s)" in str(erro.value.erros[0])


def test_acordo_quebra_no_dia_limite() -> None:
    vencimento = date(2026, 12, 1)
    assert not acordo_quebrado([vencimento], date(2026, 12, 30), 30)
    assert acordo_quebrado([date(2027, 1, 5), vencimento], date(2026, 12, 31), 30)
    assert not acordo_quebrado([], date(2030, 1, 1), 1)
