"""The local provider end to end (boleto + PIX from the settings) and the settings' validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.boleto_pix.boleto import codigo_barras_da_linha, data_do_fator
from bot.boleto_pix.pix import ler_pix, pix_valido
from bot.config.pagamentos import PagamentosConfig
from bot.pagamentos.local import emitir_documento
from tests.apoio.config_pagamentos import CONFIG


@pytest.fixture
def config() -> PagamentosConfig:
    return PagamentosConfig.model_validate(CONFIG)


def test_emitir_documento_de_ponta_a_ponta(config: PagamentosConfig) -> None:
    doc = emitir_documento(config, Decimal("1234.50"), date(2026, 3, 5), "42", "Acordo março")

    assert doc.nosso_numero == "0000000042"
    assert doc.txid == "12345670000000042"
    assert (doc.valor, doc.vencimento) == (Decimal("1234.50"), date(2026, 3, 5))

    boleto = doc.boleto
    assert boleto.nosso_numero == "12345670000000042"
    assert codigo_barras_da_linha(boleto.linha_formatada) == boleto.codigo_barras
    assert boleto.codigo_barras[:4] == "0019"
    assert boleto.codigo_barras[9:19] == "0000123450"
    assert boleto.codigo_barras[19:] == "000000" + "1234567" + "0000000042" + "17"
    assert data_do_fator(int(boleto.codigo_barras[5:9]), date(2026, 3, 1)) == date(2026, 3, 5)

    assert pix_valido(doc.pix)
    campos = ler_pix(doc.pix)
    assert campos["54"] == "1234.50"
    assert campos["62.05"] == doc.txid
    assert campos["26.01"] == "cobranca@exemplo.com.br"
    assert campos["26.02"] == "Acordo marco"
    assert campos["59"] == "Aguas Claras Comercio"
    assert campos["60"] == "Sao Paulo"


def test_mesmo_pedido_mesmo_documento(config: PagamentosConfig) -> None:
    primeiro = emitir_documento(config, Decimal("10"), date(2026, 3, 5), "42")
    assert emitir_documento(config, Decimal("10"), date(2026, 3, 5), "0000000042") == primeiro


@pytest.mark.parametrize("nosso_numero", ["", "12345678901", "12-3", "abc"])
def test_nosso_numero_invalido(config: PagamentosConfig, nosso_numero: str) -> None:
    with pytest.raises(ValueError, match="nosso número inválido"):
        emitir_documento(config, Decimal("10"), date(2026, 3, 5), nosso_numero)


def test_valor_com_fracao_de_centavo_e_recusado(config: PagamentosConfig) -> None:
    with pytest.raises(ValueError, match="2 casas decimais"):
        emitir_documento(config, Decimal("10.005"), date(2026, 3, 5), "1")


def test_config_padroes(config: PagamentosConfig) -> None:
    assert (config.provedor, config.banco, config.dias_validade_documento) == ("local", "001", 3)
    for campo in PagamentosConfig.model_fields.values():
        assert campo.description


@pytest.mark.parametrize(
    ("chave", "valor", "mensagem"),
    [
        ("agencia", "123", "esperado 4 dígitos"),
        ("agencia", "12a4", "esperado 4 dígitos"),
        ("conta", "12.345-6", "como 12345-6"),
        ("convenio", "123456", "esperado 7 dígitos"),
        ("carteira", "017", "esperado 2 dígitos"),
        ("pix_chave", "390.533.447-05", "CPF ou CNPJ sem pontuação"),
        ("pix_nome", "Águas Claras Comércio Ltda ME", "de 1 a 25 caracteres"),
        ("pix_nome", "", "de 1 a 25 caracteres"),
        ("pix_cidade", "Santo Antônio do Descoberto", "de 1 a 15 caracteres"),
        ("dias_validade_documento", 0, "de 1 a 60"),
        ("modelo_agradecimento", "Pagamento Recebido", "nome do modelo aprovado no WhatsApp"),
        ("dias_validade_documento", 61, "de 1 a 60"),
    ],
)
def test_config_rejeita_com_mensagem_em_portugues(chave: str, valor: object, mensagem: str) -> None:
    with pytest.raises(ValidationError) as erro:
        PagamentosConfig.model_validate({**CONFIG, chave: valor})
    (unico,) = erro.value.errors()
    assert unico["loc"] == (chave,)
    assert unico["msg"].startswith("esperado") and mensagem in unico["msg"]


def test_config_rejeita_chave_desconhecida_e_relata_todos_os_erros() -> None:
    with pytest.raises(ValidationError) as erro:
        PagamentosConfig.model_validate({**CONFIG, "agencia": "1", "carteria": "17", "banco": "237"})
    assert {e["loc"] for e in erro.value.errors()} == {("agencia",), ("carteria",), ("banco",)}
