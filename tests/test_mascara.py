"""Personal data never reaches a log line (LGPD): a whole conversation's logs are scanned."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.mascara import MascaraDados, mascarar
from bot.projeto import Projeto
from tests.apoio.cliente_http import Cliente
from tests.apoio.whatsapp import postar, texto

SENSIVEIS = ("39053344705", "390.533.447-05", "5511987654321", "551187654321", "maria.silva@exemplo.com.br")


@pytest.mark.parametrize(
    ("linha", "esperada"),
    [
        ("cpf 390.533.447-05 recusado", "cpf [cpf] recusado"),
        ("cpf 39053344705", "cpf [número]"),
        ("de +55 (11) 98765-4321 às 10h", "de [telefone] às 10h"),
        ("wa_id 551187654321 ok", "wa_id [número] ok"),
        ("escreva para maria.silva@exemplo.com.br", "escreva para [e-mail]"),
        ("conversa 42, devedor 7, 10 mensagens", "conversa 42, devedor 7, 10 mensagens"),  # ids stay readable
    ],
)
def test_mascarar(linha: str, esperada: str) -> None:
    assert mascarar(linha) == esperada


@pytest.fixture
def registro() -> Iterator[io.StringIO]:
    """The root logger at DEBUG into a buffer, through the same filter `python -m bot` installs."""
    saida = io.StringIO()
    manipulador = logging.StreamHandler(saida)
    manipulador.addFilter(MascaraDados())
    raiz = logging.getLogger()
    nivel = raiz.level
    raiz.addHandler(manipulador)
    raiz.setLevel(logging.DEBUG)
    yield saida
    raiz.removeHandler(manipulador)
    raiz.setLevel(nivel)


async def test_conversa_inteira_sem_dado_pessoal_no_log(
    projeto: Projeto,
    cliente_whatsapp: Cliente,
    registro: io.StringIO,
) -> None:
    falas = ["oi", "390.533.447-05", "meu email é maria.silva@exemplo.com.br", "tô sem trampo", "quero parcelar"]
    for numero, fala in enumerate(falas):
        assert await postar(cliente_whatsapp, texto(fala, f"wamid.LOG{numero}")) == 200
    logging.getLogger("bot.teste").exception("falhou com %s", "39053344705", exc_info=ValueError("cpf 39053344705"))
    linhas = registro.getvalue()
    assert "[número]" in linhas  # the forced error line was there, masked
    assert [s for s in SENSIVEIS if s in linhas] == []
    assert [f for f in falas[2:] if f in linhas] == []  # nor what the debtor wrote
