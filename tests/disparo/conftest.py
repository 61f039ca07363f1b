"""Fixtures of the dispatch tests: a local SMTP server that keeps what it receives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.apoio.falsos.smtp import Caixa
from tests.apoio.processos import porta_livre


@pytest.fixture
def smtp() -> Iterator[tuple[Caixa, int]]:
    caixa, porta = Caixa(), porta_livre()
    controlador = Controller(caixa, hostname="127.0.0.1", port=porta)
    controlador.start()
    yield caixa, porta
    controlador.stop()
