"""Fixtures of the channel tests: both chat channels against fresh fakes, and the fake speech-to-text service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.projeto import Projeto
from tests.apoio.ambiente_canais import Ambiente, abrir
from tests.apoio.falsos.transcricao import FakeTranscricao


@pytest.fixture
async def amb_canais(
    projeto: Projeto, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Ambiente]:
    """WhatsApp and Telegram on against fresh fakes, attachments under the test's tmp_path/anexos."""
    async with abrir(projeto, url, tmp_path / "anexos", monkeypatch) as ambiente:
        yield ambiente


@pytest.fixture
async def voz() -> AsyncIterator[tuple[FakeTranscricao, str]]:
    """The fake speech-to-text service on a loopback port, and its base URL (`.../v1`)."""
    servico = FakeTranscricao()
    async with TestServer(servico.app()) as servidor:
        yield servico, str(servidor.make_url("/v1"))
