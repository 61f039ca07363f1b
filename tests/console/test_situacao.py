"""Agents read each message's delivery in pt-BR, the reply outbox's states included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.console.contexto import paginas, situacao
from bot.dados.modelos import Mensagem


@pytest.mark.parametrize(
    ("status", "lido"),
    [
        ("pendente", "na fila de envio"),
        ("delivered", "entregue"),
        ("read", "lida"),
        ("falhou: JanelaFechada", "não enviada: JanelaFechada"),
        ("falhou", "não enviada"),
        ("incerta", "incerta: o provedor não confirmou, pode não ter chegado (confira com o devedor)"),
        ("um estado novo", "um estado novo"),  # unknown: shown as stored, never hidden
    ],
)
def test_situacao_em_portugues(status: str, lido: str) -> None:
    assert situacao(status) == lido


def test_a_lista_de_mensagens_usa_a_situacao() -> None:
    mensagem = Mensagem(conversa_id=1, direcao="saida", canal="whatsapp", texto="Olá", status="incerta",
                        criada_em=datetime(2026, 12, 3, 15, tzinfo=UTC))  # fmt: skip
    html = paginas.get_template("_mensagens.html").render(mensagens=[mensagem])
    assert "03/12/2026 12:00 · incerta: o provedor não confirmou" in html
