"""Fixtures of the conversation tests: a driver for the pure engine, as Maria."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.projeto import Projeto
from tests.apoio.dialogo import Dialogo, fatos_maria


@pytest.fixture
def dialogo(projeto: Projeto) -> Iterator[Dialogo]:
    yield Dialogo(projeto.motor, fatos_maria())
