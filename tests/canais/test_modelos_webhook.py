"""Meta's `message_template_status_update` webhook keeps each template's status; malformed ones are refused."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.canais.webhooks import RECEPCAO
from bot.dados.banco import sessao
from bot.dados.situacao_modelos import SituacaoModelo
from tests.apoio.atualizacoes import carregar
from tests.apoio.cliente_http import Cliente
from tests.apoio.whatsapp import postar


def _com(evento: str, tempo: int, motivo: str | None = None) -> dict[str, Any]:
    payload = copy.deepcopy(carregar("meta_modelo_status.json"))
    payload["entry"][0]["time"] = tempo
    valor = payload["entry"][0]["changes"][0]["value"]
    valor["event"] = evento
    if motivo is None:
        valor.pop("reason")
    else:
        valor["reason"] = motivo
    return payload


async def _situacoes(cliente_whatsapp: Cliente) -> list[tuple[str, str, str | None, str | None, datetime]]:
    async with sessao(cliente_whatsapp.app[RECEPCAO].engine) as s:
        linhas = (await s.exec(select(SituacaoModelo))).all()
    return [(m.nome, m.situacao, m.motivo, m.id_meta, m.atualizado_em) for m in linhas]


async def test_situacao_do_modelo_guardada_e_so_avanca(cliente_whatsapp: Cliente) -> None:
    rejeitado = datetime.fromtimestamp(1795442400, UTC)
    assert await postar(cliente_whatsapp, carregar("meta_modelo_status.json")) == 200
    assert await _situacoes(cliente_whatsapp) == [
        ("lembrete_amanha", "REJECTED", "INCORRECT_CATEGORY", "900001", rejeitado)
    ]
    assert await postar(cliente_whatsapp, _com("APPROVED", 1795446000, "NONE")) == 200
    aprovado = ("lembrete_amanha", "APPROVED", None, "900001", datetime.fromtimestamp(1795446000, UTC))
    assert await _situacoes(cliente_whatsapp) == [aprovado]
    assert await postar(cliente_whatsapp, _com("PENDING", 1795443000)) == 200  # older, arriving late: changes nothing
    assert await postar(cliente_whatsapp, carregar("meta_modelo_status.json")) == 200  # the same delivery again
    assert await _situacoes(cliente_whatsapp) == [aprovado]


async def test_reabilitado_volta_a_aprovado_e_trava_nao_muda_a_situacao(cliente_whatsapp: Cliente) -> None:
    """Meta's events are not all statuses: REINSTATED and UNARCHIVED leave the template sendable, LOCKED only
    stops edits (a status of "REINSTATED" or "LOCKED" would have `check` warn of a template that works)."""
    for evento, tempo, situacao in [("DISABLED", 1795446000, "DISABLED"), ("REINSTATED", 1795447000, "APPROVED"),
                                    ("LOCKED", 1795448000, "APPROVED"), ("ARCHIVED", 1795449000, "ARCHIVED"),
                                    ("UNARCHIVED", 1795450000, "APPROVED")]:  # fmt: skip
        assert await postar(cliente_whatsapp, _com(evento, tempo, "NONE")) == 200
        ((_, guardada, *_),) = await _situacoes(cliente_whatsapp)
        assert guardada == situacao, evento


async def test_idioma_escrito_como_local_e_motivo_nulo(cliente_whatsapp: Cliente) -> None:
    """Meta's webhook writes "pt-BR" (and `reason: null` on approval) where the list of templates says "pt_BR":
    the status lands on the declared template, so `check` sees it approved."""
    payload = _com("APPROVED", 1795446000)
    valor = payload["entry"][0]["changes"][0]["value"]
    valor["message_template_language"], valor["reason"] = "pt-BR", None
    assert await postar(cliente_whatsapp, payload) == 200
    async with sessao(cliente_whatsapp.app[RECEPCAO].engine) as s:
        (guardada,) = (await s.exec(select(SituacaoModelo))).all()
    assert (guardada.nome, guardada.idioma, guardada.situacao, guardada.motivo) == (
        "lembrete_amanha", "pt_BR", "APPROVED", None)  # fmt: skip


@pytest.mark.parametrize("falta", ["message_template_id", "message_template_name", "event"])
async def test_atualizacao_sem_campo_e_recusada(cliente_whatsapp: Cliente, falta: str) -> None:
    payload = carregar("meta_modelo_status.json")
    payload["entry"][0]["changes"][0]["value"].pop(falta)
    assert await postar(cliente_whatsapp, payload) == 400
    payload = carregar("meta_modelo_status.json")
    payload["entry"][0]["time"] = "ontem"
    assert await postar(cliente_whatsapp, payload) == 400
    assert await _situacoes(cliente_whatsapp) == []
