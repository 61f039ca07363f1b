"""Meta's `message_template_status_update` webhook keeps each template's status; malformed ones are refused."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.canais.servidor import RECEPCAO
from bot.dados.banco import criar_engine, sessao
from bot.dados.situacao_modelos import SituacaoModelo
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.cliente_http import Cliente
from tests.apoio.projetos import RAIZ, com_canais
from tests.apoio.relogio import AGORA

SEGREDO = "segredo-do-app"


def _payload() -> dict[str, Any]:
    texto = (RAIZ / "tests" / "data" / "updates" / "meta_modelo_status.json").read_text(encoding="utf-8")
    dados: dict[str, Any] = json.loads(texto)
    return dados


def _com(evento: str, tempo: int, motivo: str | None = None) -> dict[str, Any]:
    payload = copy.deepcopy(_payload())
    payload["entry"][0]["time"] = tempo
    valor = payload["entry"][0]["changes"][0]["value"]
    valor["event"] = evento
    if motivo is None:
        valor.pop("reason")
    else:
        valor["reason"] = motivo
    return payload


@pytest.fixture
async def cliente(projeto: Projeto, url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cliente]:
    monkeypatch.setenv("WHATSAPP_TOKEN", "token-wa")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", SEGREDO)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "verifica")
    app = criar_app(com_canais(projeto), criar_engine(url), lambda: AGORA, demo=False)
    c: Cliente = TestClient(TestServer(app))
    await c.start_server()
    yield c
    await c.close()


async def _postar(cliente: Cliente, payload: Any) -> int:
    corpo = json.dumps(payload).encode()
    assinatura = "sha256=" + hmac.new(SEGREDO.encode(), corpo, hashlib.sha256).hexdigest()
    resposta = await cliente.post("/webhooks/whatsapp", data=corpo, headers={"X-Hub-Signature-256": assinatura})
    await cliente.app[RECEPCAO].ocioso()
    return resposta.status


async def _situacoes(cliente: Cliente) -> list[tuple[str, str, str | None, str | None, datetime]]:
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        linhas = (await s.exec(select(SituacaoModelo))).all()
    return [(m.nome, m.situacao, m.motivo, m.id_meta, m.atualizado_em) for m in linhas]


async def test_situacao_do_modelo_guardada_e_so_avanca(cliente: Cliente) -> None:
    rejeitado = datetime.fromtimestamp(1795442400, UTC)
    assert await _postar(cliente, _payload()) == 200
    assert await _situacoes(cliente) == [("lembrete_amanha", "REJECTED", "INCORRECT_CATEGORY", "900001", rejeitado)]
    assert await _postar(cliente, _com("APPROVED", 1795446000, "NONE")) == 200
    aprovado = ("lembrete_amanha", "APPROVED", None, "900001", datetime.fromtimestamp(1795446000, UTC))
    assert await _situacoes(cliente) == [aprovado]
    assert await _postar(cliente, _com("PENDING", 1795443000)) == 200  # older, arriving late: changes nothing
    assert await _postar(cliente, _payload()) == 200  # the same delivery again
    assert await _situacoes(cliente) == [aprovado]


@pytest.mark.parametrize("falta", ["message_template_id", "message_template_name", "event"])
async def test_atualizacao_sem_campo_e_recusada(cliente: Cliente, falta: str) -> None:
    payload = _payload()
    payload["entry"][0]["changes"][0]["value"].pop(falta)
    assert await _postar(cliente, payload) == 400
    payload = _payload()
    payload["entry"][0]["time"] = "ontem"
    assert await _postar(cliente, payload) == 400
    assert await _situacoes(cliente) == []
