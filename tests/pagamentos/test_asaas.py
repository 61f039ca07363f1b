"""The Asaas adapter against the local fake: one charge per key across retries, errors mapped to typed ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestServer

from bot.boleto_pix.boleto import formatar_linha
from bot.boleto_pix.provedor import (
    ErroProvedor,
    PedidoCobranca,
    Provedor,
    ProvedorIndisponivel,
    ProvedorRecusou,
)
from bot.config.pagamentos import PagamentosConfig
from bot.pagamentos.asaas import ProvedorAsaas
from bot.pagamentos.local import ProvedorLocal, emitir_documento
from bot.projeto import Projeto
from tests.apoio.falsos.asaas import BARRAS, LINHA, PIX, TOKEN, FakeAsaas, Falha

PEDIDO = PedidoCobranca(
    chave="doc-12345670000000042",
    nosso_numero="42",
    valor=Decimal("150.00"),
    vencimento=date(2026, 11, 26),
    descricao="Acordo 1 parcela 1/1",
    devedor_nome="Maria da Silva Santos",
    devedor_cpf="39053344705",
    uf="SP",
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAsaas]:
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        asaas.url = str(servidor.make_url("/v3"))
        yield asaas
        asaas.liberar.set()  # a request left hanging on purpose ends before the server closes


def provedor(fake: FakeAsaas, token: str = TOKEN, forma: str = "BOLETO") -> ProvedorAsaas:
    return ProvedorAsaas(fake.url, token, forma, timeout_segundos=0.5)


async def test_cria_cliente_e_cobranca_com_os_campos_documentados(fake: FakeAsaas) -> None:
    emitida = await provedor(fake).emitir(PEDIDO)

    assert (emitida.linha_digitavel, emitida.codigo_barras, emitida.pix) == (formatar_linha(LINHA), BARRAS, PIX)
    assert emitida.id_externo in fake.pagamentos
    cliente, cobranca = fake.corpos
    assert cliente == {"name": "Maria da Silva Santos", "cpfCnpj": "39053344705"}
    assert cobranca == {
        "customer": next(iter(fake.clientes)),
        "billingType": "BOLETO",
        "dueDate": "2026-11-26",
        "description": "Acordo 1 parcela 1/1",
        "externalReference": "doc-12345670000000042",
        "value": 150.0,
    }


async def test_repetir_nao_cria_segunda_cobranca_nem_segundo_cliente(fake: FakeAsaas) -> None:
    primeira = await provedor(fake).emitir(PEDIDO)
    segunda = await provedor(fake).emitir(PEDIDO)
    assert primeira == segunda
    assert (len(fake.pagamentos), len(fake.clientes)) == (1, 1)
    assert fake.criados("POST", "/v3/payments") == 1

    outro = await provedor(fake).emitir(replace(PEDIDO, chave="doc-outro"))
    assert outro.id_externo != primeira.id_externo
    assert fake.criados("POST", "/v3/customers") == 1  # the debtor is found by CPF, not created again


async def test_timeout_depois_de_criar_e_a_repeticao_reusa_a_cobranca(fake: FakeAsaas) -> None:
    fake.falhas.append(Falha("POST", "/v3/payments", pendurar_depois=True))
    with pytest.raises(ProvedorIndisponivel, match="não respondeu a tempo"):
        await provedor(fake).emitir(PEDIDO)
    assert len(fake.pagamentos) == 1  # the first POST did create the charge

    emitida = await provedor(fake).emitir(PEDIDO)
    assert emitida.id_externo == next(iter(fake.pagamentos))
    assert len(fake.pagamentos) == 1 and fake.criados("POST", "/v3/payments") == 1


async def test_cobranca_parcelada_envia_installment(fake: FakeAsaas) -> None:
    pedido = replace(PEDIDO, parcelas=3, valor=Decimal("50.00"))
    emitida = await provedor(fake).emitir(pedido)
    corpo = fake.corpos[-1]
    assert (corpo["installmentCount"], corpo["installmentValue"]) == (3, 50.0) and "value" not in corpo
    assert len(fake.pagamentos) == 3
    assert fake.pagamentos[emitida.id_externo]["installmentNumber"] == 1
    assert (await provedor(fake).emitir(pedido)).id_externo == emitida.id_externo
    assert len(fake.pagamentos) == 3


async def test_pix_nao_busca_linha_digitavel(fake: FakeAsaas) -> None:
    emitida = await provedor(fake, forma="PIX").emitir(PEDIDO)
    assert (emitida.linha_digitavel, emitida.pix) == ("", PIX)
    assert not any(caminho.endswith("/identificationField") for _, caminho in fake.chamadas)


@pytest.mark.parametrize(
    ("falha", "tipo", "trecho"),
    [
        (
            Falha("POST", "/v3/payments", 400, {"errors": [{"code": "invalid_dueDate", "description": "Data"}]}),
            ProvedorRecusou,
            "HTTP 400): invalid_dueDate: Data",
        ),
        (Falha("GET", "/v3/customers", 404, None), ProvedorRecusou, "HTTP 404): sem detalhes"),
        (Falha("POST", "/v3/payments", 500, None), ProvedorIndisponivel, "HTTP 500"),
        (Falha("GET", "/v3/payments", 503, {"x": 1}), ProvedorIndisponivel, "HTTP 503"),
        (Falha("POST", "/v3/customers", 200, None), ErroProvedor, "sem o campo 'id'"),
    ],
)
async def test_erros_do_asaas_viram_erros_tipados(
    fake: FakeAsaas, falha: Falha, tipo: type[ErroProvedor], trecho: str
) -> None:
    fake.falhas.append(falha)
    with pytest.raises(tipo) as erro:
        await provedor(fake).emitir(PEDIDO)
    assert type(erro.value) is tipo and trecho in erro.value.motivo


async def test_token_errado_e_servidor_fora_do_ar(fake: FakeAsaas) -> None:
    with pytest.raises(ProvedorRecusou) as erro:
        await provedor(fake, token="errado").emitir(PEDIDO)
    assert erro.value.status == 401
    fora = ProvedorAsaas("http://127.0.0.1:9/v3", TOKEN, timeout_segundos=0.5)  # discard port: nobody listens
    with pytest.raises(ProvedorIndisponivel, match="falha de conexão"):
        await fora.emitir(PEDIDO)


async def test_provedor_local_atras_da_mesma_porta(projeto: Projeto) -> None:
    config: PagamentosConfig = projeto.config.pagamentos
    local: Provedor = ProvedorLocal(config)
    emitida = await local.emitir(PEDIDO)
    esperado = emitir_documento(config, PEDIDO.valor, PEDIDO.vencimento, "42", PEDIDO.descricao, "SP")
    assert (emitida.linha_digitavel, emitida.pix, emitida.id_externo) == (
        esperado.boleto.linha_formatada,
        esperado.pix,
        esperado.txid,
    )
    assert await local.emitir(PEDIDO) == emitida
    sabado = replace(PEDIDO, vencimento=date(2026, 11, 28))
    with pytest.raises(ErroProvedor, match="dia sem expediente"):
        await local.emitir(sabado)
