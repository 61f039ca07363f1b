"""Boleto: public test vectors, check digits, the 2025 factor reset and a round-trip property."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.boleto_pix.boleto import (
    Boleto,
    campo_livre_bb_convenio7,
    codigo_barras_da_linha,
    data_do_fator,
    fator_vencimento,
    formatar_linha,
    linha_digitavel,
    mod10,
    mod11_dv_geral,
    montar_codigo_barras,
)

# (linha formatada, código de barras, valor, fator, vencimento) — domain.md §4
VETORES = [
    (
        "04192.11107 29000.150226 83256.340593 8 10010000055000",
        "04198100100000550002111029000150228325634059",
        Decimal("550.00"),
        1001,
        date(2000, 7, 4),
    ),
    (
        "00190.50095 40144.816069 06809.350314 3 37370000000100",
        "00193373700000001000500940144816060680935031",
        Decimal("1.00"),
        3737,
        date(2007, 12, 31),
    ),
    (
        "23793.38128 60007.827136 95000.063305 9 75520000370000",
        "23799755200003700003381260007827139500006330",
        Decimal("3700.00"),
        7552,
        date(2018, 6, 11),
    ),
]
LINHA_BB = "00190500954014481606906809350314337370000000100"  # VETORES[1] as typed, digits only


@pytest.mark.parametrize(("linha", "codigo", "valor", "fator", "vencimento"), VETORES)
def test_vetores_publicos(linha: str, codigo: str, valor: Decimal, fator: int, vencimento: date) -> None:
    assert codigo_barras_da_linha(linha) == codigo
    assert codigo_barras_da_linha(linha.replace(".", "").replace(" ", "")) == codigo
    assert formatar_linha(linha_digitavel(codigo)) == linha
    assert mod11_dv_geral(codigo[:4] + codigo[5:]) == int(codigo[4])
    assert fator_vencimento(vencimento) == fator
    assert data_do_fator(fator, vencimento + timedelta(days=30)) == vencimento
    assert montar_codigo_barras(codigo[:3], valor, vencimento, codigo[19:]) == codigo


@pytest.mark.parametrize(
    ("vencimento", "fator"),
    [
        (date(2000, 7, 3), 1000),
        (date(2025, 2, 21), 9999),
        (date(2025, 2, 22), 1000),
        (date(2025, 2, 23), 1001),
        (date(2026, 3, 5), 1376),
        (date(2049, 10, 13), 9999),
    ],
)
def test_fator_com_reset_de_2025(vencimento: date, fator: int) -> None:
    assert fator_vencimento(vencimento) == fator


@pytest.mark.parametrize("vencimento", [date(2000, 7, 2), date(2049, 10, 14)])
def test_fator_fora_do_intervalo(vencimento: date) -> None:
    with pytest.raises(ValueError, match="vencimento fora do intervalo"):
        fator_vencimento(vencimento)


@pytest.mark.parametrize(
    ("fator", "hoje", "esperado"),
    [
        (1001, date(2001, 1, 1), date(2000, 7, 4)),
        (1001, date(2025, 3, 1), date(2025, 2, 23)),
        (9999, date(2025, 3, 1), date(2025, 2, 21)),
        (1376, date(2026, 1, 10), date(2026, 3, 5)),
        (7552, date(2030, 1, 1), date(2018, 6, 11)),
        (7552, date(2040, 1, 1), date(2043, 1, 31)),
        (7552, date(2030, 10, 6), date(2018, 6, 11)),  # exactly halfway: the earlier date
        (7552, date(2030, 10, 7), date(2043, 1, 31)),
    ],
)
def test_data_do_fator_escolhe_a_mais_proxima_de_hoje(fator: int, hoje: date, esperado: date) -> None:
    assert data_do_fator(fator, hoje) == esperado


@pytest.mark.parametrize("fator", [0, 999, 10000])
def test_data_do_fator_invalido(fator: int) -> None:
    with pytest.raises(ValueError, match="fator de vencimento inválido"):
        data_do_fator(fator, date(2026, 1, 1))


@pytest.mark.parametrize(
    ("digitos", "dv"),
    [("001905009", 5), ("4014481606", 9), ("0680935031", 4), ("0", 0), ("5", 9)],
)
def test_mod10(digitos: str, dv: int) -> None:
    assert mod10(digitos) == dv


@pytest.mark.parametrize(
    ("digitos", "dv"),
    [
        ("0" * 43, 1),  # sum 0 → 11 → 1
        ("6", 1),  # 6×2 = 12 → 11 − 1 = 10 → 1
        ("5", 1),  # 5×2 = 10 → 11 − 10 = 1
        ("4", 3),  # 4×2 = 8 → 11 − 8 = 3
        ("10", 8),  # 1×3 + 0×2 = 3 → 8
        ("100000000", 9),  # weight cycles back to 2 on the 9th digit from the right
    ],
)
def test_mod11_dv_geral(digitos: str, dv: int) -> None:
    assert mod11_dv_geral(digitos) == dv


@pytest.mark.parametrize("digitos", ["", "12a4", "１２"])
def test_digitos_invalidos(digitos: str) -> None:
    with pytest.raises(ValueError, match="esperado somente dígitos"):
        mod10(digitos)
    with pytest.raises(ValueError, match="esperado somente dígitos"):
        mod11_dv_geral(digitos)


def _trocar(linha: str, posicao: int) -> str:
    digito = str((int(linha[posicao]) + 1) % 10)
    return linha[:posicao] + digito + linha[posicao + 1 :]


@pytest.mark.parametrize(
    ("posicao", "campo"),
    [
        (2, "campo 1"),
        (9, "campo 1"),
        (15, "campo 2"),
        (20, "campo 2"),
        (25, "campo 3"),
        (32, "geral"),
        (40, "geral"),
    ],
)
def test_linha_com_digito_errado(posicao: int, campo: str) -> None:
    assert codigo_barras_da_linha(LINHA_BB) == VETORES[1][1]
    with pytest.raises(ValueError, match=campo):
        codigo_barras_da_linha(_trocar(LINHA_BB, posicao))


@pytest.mark.parametrize("linha", ["0019050095", LINHA_BB + "1", LINHA_BB.replace("0", "O", 1), ""])
def test_linha_de_tamanho_ou_caracteres_errados(linha: str) -> None:
    with pytest.raises(ValueError, match="esperado 47 dígitos"):
        codigo_barras_da_linha(linha)


def test_codigo_barras_com_dv_errado_nao_gera_linha() -> None:
    codigo = VETORES[0][1]
    with pytest.raises(ValueError, match="dígito verificador geral"):
        linha_digitavel(codigo[:4] + "7" + codigo[5:])


@pytest.mark.parametrize(
    ("banco", "valor", "campo_livre", "erro"),
    [
        ("01", Decimal("1.00"), "0" * 25, "código do banco"),
        ("001", Decimal("1.00"), "0" * 24, "campo livre"),
        ("001", Decimal("0"), "0" * 25, "valor"),
        ("001", Decimal("-1"), "0" * 25, "valor"),
        ("001", Decimal("100000000.00"), "0" * 25, "99.999.999,99"),
        ("001", Decimal("1.005"), "0" * 25, "2 casas decimais"),
        ("001", Decimal("NaN"), "0" * 25, "valor"),
    ],
)
def test_montar_codigo_barras_rejeita(banco: str, valor: Decimal, campo_livre: str, erro: str) -> None:
    with pytest.raises(ValueError, match=erro):
        montar_codigo_barras(banco, valor, date(2026, 3, 5), campo_livre)


def test_valor_maximo_cabe_no_codigo() -> None:
    codigo = montar_codigo_barras("001", Decimal("99999999.99"), date(2026, 3, 5), "0" * 25)
    assert codigo[9:19] == "9999999999"


def test_campo_livre_bb_convenio7() -> None:
    assert campo_livre_bb_convenio7("1234567", "89", "17") == "000000" + "1234567" + "0000000089" + "17"


@pytest.mark.parametrize(
    ("convenio", "nosso_numero", "carteira", "erro"),
    [
        ("123456", "1", "17", "convênio"),
        ("1234567", "", "17", "nosso número"),
        ("1234567", "12345678901", "17", "nosso número"),
        ("1234567", "1", "7", "carteira"),
    ],
)
def test_campo_livre_bb_convenio7_rejeita(convenio: str, nosso_numero: str, carteira: str, erro: str) -> None:
    with pytest.raises(ValueError, match=erro):
        campo_livre_bb_convenio7(convenio, nosso_numero, carteira)


def test_boleto_montar_e_linha_formatada() -> None:
    campo_livre = campo_livre_bb_convenio7("1234567", "42", "17")
    boleto = Boleto.montar("001", Decimal("123.45"), date(2026, 3, 5), "12345670000000042", campo_livre)
    assert boleto.codigo_barras[5:19] == "13760000012345"
    assert codigo_barras_da_linha(boleto.linha_formatada) == boleto.codigo_barras
    with pytest.raises(ValueError, match="não confere com banco, valor e vencimento"):
        dataclasses.replace(boleto, valor=Decimal("123.46"))
    with pytest.raises(ValueError, match="linha digitável não confere"):
        dataclasses.replace(boleto, linha_digitavel=LINHA_BB.replace(" ", "").replace(".", ""))


@given(
    banco=st.from_regex(r"[0-9]{3}", fullmatch=True),
    centavos=st.integers(min_value=1, max_value=9_999_999_999),
    vencimento=st.dates(min_value=date(2000, 7, 3), max_value=date(2049, 10, 13)),
    campo_livre=st.from_regex(r"[0-9]{25}", fullmatch=True),
)
def test_propriedade_linha_volta_ao_mesmo_codigo(banco: str, centavos: int, vencimento: date, campo_livre: str) -> None:
    valor = Decimal(centavos) / 100
    codigo = montar_codigo_barras(banco, valor, vencimento, campo_livre)
    linha = linha_digitavel(codigo)
    assert len(codigo) == 44 and len(linha) == 47
    assert codigo_barras_da_linha(formatar_linha(linha)) == codigo
    assert mod11_dv_geral(codigo[:4] + codigo[5:]) == int(codigo[4]) == int(linha[32])
    assert [mod10(linha[0:9]), mod10(linha[10:20]), mod10(linha[21:31])] == [
        int(linha[9]),
        int(linha[20]),
        int(linha[31]),
    ]
    assert Decimal(int(codigo[9:19])) / 100 == valor
    assert data_do_fator(int(codigo[5:9]), vencimento) == vencimento
