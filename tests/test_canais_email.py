"""E-mail through a real SMTP conversation with a local aiosmtpd server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.canais.config import EmailConfig, Seguranca
from bot.canais.email import RemetenteEmail, compor
from bot.canais.porta import Indeliveravel, TentarDepois
from bot.projeto import Projeto


class Caixa:
    def __init__(self) -> None:
        self.recebidas: list[Message] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@invalido.example"):
            return "550 5.1.1 caixa inexistente"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recebidas.append(email.message_from_bytes(envelope.content))
        return "250 OK"


MARIA = {"devedor": {"primeiro_nome": "Maria"}}


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Caixa, int]]:
    caixa, porta = Caixa(), porta_livre()
    controlador = Controller(caixa, hostname="127.0.0.1", port=porta)
    controlador.start()
    yield caixa, porta
    controlador.stop()


def remetente(porta: int) -> RemetenteEmail:
    config = EmailConfig(host="127.0.0.1", porta=porta, seguranca=Seguranca.NENHUMA, remetente="cobranca@loja.example")
    return RemetenteEmail(config, None)


async def test_email_com_texto_e_html_e_o_credor(projeto: Projeto, smtp: tuple[Caixa, int]) -> None:
    envio = compor(
        projeto.textos,
        "encerrado",
        {"devedor": {"primeiro_nome": "Maria"}},
        projeto.config.credor,
        "maria@example.com",
        "Aviso",
    )
    id_mensagem = await remetente(smtp[1]).enviar(envio)
    recebida = smtp[0].recebidas[0]
    assert recebida["Message-ID"] == id_mensagem
    assert recebida["To"] == "maria@example.com"
    partes = {
        p.get_content_type(): p.get_payload(decode=True).decode() for p in recebida.walk() if not p.is_multipart()
    }
    assert set(partes) == {"text/plain", "text/html"}
    for parte in partes.values():
        assert "Loja Exemplo" in parte and "11.222.333/0001-81" in parte


async def test_destinatario_recusado_e_servidor_fora(smtp: tuple[Caixa, int], projeto: Projeto) -> None:
    envio = compor(
        projeto.textos,
        "encerrado",
        {"devedor": {"primeiro_nome": "Maria"}},
        projeto.config.credor,
        "x@invalido.example",
        "Aviso",
    )
    with pytest.raises(Indeliveravel):
        await remetente(smtp[1]).enviar(envio)
    with pytest.raises(TentarDepois):
        await remetente(porta_livre()).enviar(envio)
