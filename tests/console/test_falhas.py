"""Fault test: a flood of console logins (argon2 on every one) while a signed webhook and /healthz must answer."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
import pytest

from bot.console.acesso import COOKIE_CSRF_ENTRADA
from bot.console.autenticacao import gerar_hash, senha_confere
from bot.projeto import Projeto
from tests.apoio.ambiente_canais import abrir
from tests.apoio.console import csrf
from tests.apoio.whatsapp import assinar, texto

_ENXURRADA = 40  # twice the per-address allowance: 20 verifications run, 20 are refused at once
_SONDAS = 5  # /healthz asked one after the other during the flood


def _uma_verificacao() -> float:
    """How long one argon2 check takes on this machine, now (what a login blocks, if on the event loop)."""
    inicio = time.monotonic()
    senha_confere(gerar_hash("uma-senha-qualquer"), "outra-senha-qualquer")
    return (time.monotonic() - inicio) / 2  # a hash and a check: each costs about the same


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

            uma = _uma_verificacao()
            enxurrada = asyncio.gather(*(tentar(i) for i in range(_ENXURRADA)))
            # Real time on purpose (no controlled clock can stand in): the flood must reach the server and its
            # checks be running when the probes ask, and a blocked loop must be seen as one.
            await asyncio.sleep(2 * uma)
            inicio = time.monotonic()
            saudes = [(await cliente.get("/healthz")).status for _ in range(_SONDAS)]
            tempo_saude = time.monotonic() - inicio
            corpo = json.dumps(texto("oi", "wamid.DURANTE")).encode()
            cabecalhos = {"Content-Type": "application/json", "X-Hub-Signature-256": assinar(corpo)}
            inicio = time.monotonic()
            webhook = await cliente.post("/webhooks/whatsapp", data=corpo, headers=cabecalhos)
            tempo_webhook = time.monotonic() - inicio
            ainda = not enxurrada.done()
            situacoes = await enxurrada
        assert saudes == [200] * _SONDAS and webhook.status == 200
        # Checks on the event loop would hold it for the whole flood: this test's own coroutine would only wake
        # after the last one. On threads the loop stays free and the probes answer at once, well within what one
        # check costs on this machine now (so a slow or loaded machine judges the same).
        assert ainda, "a enxurrada acabou antes das sondas: o laço de eventos ficou preso nas verificações"
        assert tempo_saude < 2 * uma, f"{_SONDAS} /healthz levaram {tempo_saude:.2f} s; uma verificação, {uma:.2f} s"
        assert tempo_webhook < 2 * uma, f"o webhook levou {tempo_webhook:.2f} s; uma verificação, {uma:.2f} s"
        assert sorted(set(situacoes)) == [401, 429] and situacoes.count(401) == 20
