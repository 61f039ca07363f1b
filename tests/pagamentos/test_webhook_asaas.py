"""Provider asaas end to end: chat → agreement → charge at the fake Asaas → webhook → paid + thank-you queued."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.boleto_pix.boleto import formatar_linha
from bot.config.erros import ConfigInvalida
from bot.dados.banco import criar_engine
from bot.dados.cobrancas import CobrancaPsp, PagamentoRecebido
from bot.dados.modelos import AcordoParcela, DocumentoPagamento, Evento, Mensagem
from bot.dados.saida import Saida
from bot.web.app import criar_app
from tests.apoio.ambiente_asaas import AMBIENTE, SEGREDO, Cenario, projeto_asaas
from tests.apoio.falsos.asaas import LINHA, PIX, TOKEN, FakeAsaas, Falha
from tests.apoio.projetos import RAIZ
from tests.apoio.relogio import AGORA

ROTA = "/api/conversas/1/mensagens"  # Maria, the first line of the example portfolio


@pytest.fixture
async def cenario(copia: Path, url: str) -> AsyncIterator[Cenario]:
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=True, ambiente=AMBIENTE)
        async with TestClient(TestServer(app)) as cliente:
            yield Cenario(cliente, asaas, url)
        asaas.liberar.set()


def evento(nome: str, pagamento: dict[str, Any]) -> dict[str, Any]:
    arquivo = RAIZ / "tests" / "data" / "asaas" / "payment_received.json"
    modelo: dict[str, Any] = json.loads(arquivo.read_text(encoding="utf-8"))
    campos = {k: pagamento[k] for k in ("id", "value", "externalReference", "customer", "dueDate")}
    return modelo | {"event": nome, "payment": modelo["payment"] | campos}


async def test_ciclo_completo_com_asaas(cenario: Cenario) -> None:
    textos = await cenario.negociar()

    assert "Acordo registrado!" in textos[-2] and PIX not in textos[-2]  # the engine's codes are not payable
    assert PIX in textos[-1] and formatar_linha(LINHA) in textos[-1]
    (pagamento,) = cenario.asaas.pagamentos.values()
    (documento,) = await cenario.consultar(DocumentoPagamento)
    assert pagamento["externalReference"] == f"doc-{documento.txid}"
    assert (documento.pix, documento.linha_digitavel) == (PIX, formatar_linha(LINHA))
    assert float(documento.valor) == pagamento["value"]
    (cobranca,) = await cenario.consultar(CobrancaPsp)
    assert (cobranca.situacao, cobranca.id_externo) == ("emitida", pagamento["id"])

    status, corpo = await cenario.webhook(evento("PAYMENT_RECEIVED", pagamento))
    assert (status, corpo["resultado"]) == (200, "registrado")
    assert {p.situacao for p in await cenario.consultar(AcordoParcela)} == {"paga"}
    no_chat = [m for m in await cenario.consultar(Mensagem) if m.texto.startswith("Recebemos seu pagamento")]
    (agradecimento,) = await cenario.consultar(Saida)
    assert len(no_chat) == 1 and agradecimento.texto.startswith("Recebemos seu pagamento")
    assert (agradecimento.alvo, agradecimento.passo, agradecimento.canal) == (
        f"pagamento:{(await cenario.consultar(PagamentoRecebido))[0].id}",
        "agradecimento",
        "whatsapp",
    )

    for repetido in ("PAYMENT_RECEIVED", "PAYMENT_CONFIRMED"):  # redelivered, then the later confirmation
        status, corpo = await cenario.webhook(evento(repetido, pagamento))
        assert (status, corpo["resultado"]) == (200, "duplicado")
    (recebido,) = await cenario.consultar(PagamentoRecebido)
    assert (recebido.provedor, recebido.id_provedor, recebido.origem) == ("asaas", pagamento["id"], "webhook")
    assert len(await cenario.consultar(Saida)) == 1
    assert len([m for m in await cenario.consultar(Mensagem) if m.texto.startswith("Recebemos")]) == 1

    corpo = await (await cenario.cliente.post(ROTA, json={"texto": "manda o boleto de novo"})).json()
    assert corpo["respostas"]  # the conversation goes on after the payment
    assert len(cenario.asaas.pagamentos) == 1


async def test_confirmado_antes_do_recebido_conta_uma_vez(cenario: Cenario) -> None:
    await cenario.negociar()
    (pagamento,) = cenario.asaas.pagamentos.values()
    assert (await cenario.webhook(evento("PAYMENT_CONFIRMED", pagamento)))[1]["resultado"] == "registrado"
    assert (await cenario.webhook(evento("PAYMENT_RECEIVED", pagamento)))[1]["resultado"] == "duplicado"
    assert len(await cenario.consultar(PagamentoRecebido)) == 1


async def test_erro_do_provedor_da_mensagem_gentil_e_evento(cenario: Cenario) -> None:
    cenario.asaas.falhas.append(Falha("POST", "/v3/payments", 500))
    textos = await cenario.negociar()
    assert "não consegui gerar o boleto" in textos[-1]
    (erro,) = [e for e in await cenario.consultar(Evento) if e.tipo == "erro_provedor"]
    assert erro.dados["tipo"] == "ProvedorIndisponivel" and erro.dados["status"] == 500
    (cobranca,) = await cenario.consultar(CobrancaPsp)
    assert cobranca.situacao == "falhou"
    corpo = await (await cenario.cliente.post(ROTA, json={"texto": "oi"})).json()
    assert corpo["respostas"]  # the conversation never crashes


@pytest.mark.parametrize(
    ("corpo", "token", "status"),
    [
        ({"event": "PAYMENT_RECEIVED"}, None, 401),
        ({"event": "PAYMENT_RECEIVED"}, "errado", 401),
        ({"event": "PAYMENT_RECEIVED"}, "", 401),
        (b"{nao e json", SEGREDO, 400),
        (b"[1, 2]", SEGREDO, 400),
        ({"event": "PAYMENT_RECEIVED", "payment": {"id": "pay_1", "value": "abc"}}, SEGREDO, 400),
        ({"event": "PAYMENT_RECEIVED", "payment": {"value": 10}}, SEGREDO, 400),
        ({"event": "PAYMENT_RECEIVED", "payment": {"id": "pay_1", "value": -5}}, SEGREDO, 400),
        (b"{" + b" " * 40_000 + b"}", SEGREDO, 413),
    ],
)
async def test_webhook_recusa_sem_token_ou_malformado(cenario: Cenario, corpo: Any, token: str, status: int) -> None:
    assert (await cenario.webhook(corpo, token))[0] == status


async def test_evento_desconhecido_e_pagamento_alheio_sao_ignorados(
    cenario: Cenario, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    status, corpo = await cenario.webhook({"event": "PAYMENT_OVERDUE", "payment": {"id": "pay_1"}})
    assert (status, corpo) == (200, {"ok": True, "ignorado": "PAYMENT_OVERDUE"})
    assert "evento PAYMENT_OVERDUE ignorado" in caplog.text
    alheio = {"id": "pay_9", "value": 10, "externalReference": "outro", "customer": "c", "dueDate": "2026-11-26"}
    status, corpo = await cenario.webhook(evento("PAYMENT_RECEIVED", alheio))
    assert (status, corpo["ignorado"]) == (200, "cobranca_desconhecida")
    assert await cenario.consultar(PagamentoRecebido) == []


async def test_token_ausente_no_ambiente_e_erro_de_configuracao(copia: Path, url: str) -> None:
    projeto = projeto_asaas(copia, "http://127.0.0.1:9/v3")
    with pytest.raises(ConfigInvalida, match="ASAAS_WEBHOOK_TOKEN não está definida"):
        criar_app(projeto, criar_engine(url), lambda: AGORA, demo=False, ambiente={"ASAAS_TOKEN": TOKEN})
    with pytest.raises(ConfigInvalida, match=r"\[pagamentos.asaas_token_env\].*ASAAS_TOKEN"):
        criar_app(projeto, criar_engine(url), lambda: AGORA, demo=False, ambiente={})
