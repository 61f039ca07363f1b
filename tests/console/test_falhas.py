"""Fault test: a flood of console logins (argon2 on every one) while a signed webhook and /healthz must answer."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
import pytest

from bot.console.acesso import COOKIE_CSRF_ENTRADA
from bot.projeto import Projeto
from tests.apoio.ambiente_canais import abrir
from tests.apoio.console import csrf
from tests.apoio.whatsapp import assinar, texto

_ENXURRADA = 40  # twice the per-address allowance: 20 verifications run, 20 are refused at once


async def test_enxurrada_de_logins_nao_segura_webhook_nem_healthz(
    projeto: Projeto, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with abrir(projeto, url, tmp_path / "anexos", monkeypatch) as ambiente:
        cliente = ambiente.cliente
        formulario = await (await cliente.get("/console/entrar")).text()
        token = csrf(formulario)
        base = str(cliente.make_url("/console/entrar"))

        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as atacante:

            async def tentar(i: int) -> int:
                dados = {"login": f"quem-{i}", "senha": "chute-qualquer-123", "csrf": token}
                cabecalho = {"Cookie": f"{COOKIE_CSRF_ENTRADA}={token}"}
                async with atacante.post(base, data=dados, headers=cabecalho, allow_redirects=False) as resposta:
                    return resposta.status

            enxurrada = asyncio.gather(*(tentar(i) for i in range(_ENXURRADA)))
            await asyncio.sleep(0)  # let the flood start first
            inicio = time.monotonic()
            saude = await cliente.get("/healthz")
            tempo_saude = time.monotonic() - inicio
            corpo = json.dumps(texto("oi", "wamid.DURANTE")).encode()
            cabecalhos = {"Content-Type": "application/json", "X-Hub-Signature-256": assinar(corpo)}
            inicio = time.monotonic()
            webhook = await cliente.post("/webhooks/whatsapp", data=corpo, headers=cabecalhos)
            tempo_webhook = time.monotonic() - inicio
            situacoes = await enxurrada
        assert saude.status == 200 and webhook.status == 200
        # On the event loop, 20 argon2 checks held both for seconds (2.7–7.5 s measured); on threads, not at all.
        assert tempo_saude < 1.0, f"/healthz levou {tempo_saude:.2f} s durante a enxurrada"
        assert tempo_webhook < 1.0, f"o webhook levou {tempo_webhook:.2f} s durante a enxurrada"
        assert sorted(set(situacoes)) == [401, 429] and situacoes.count(401) == 20
