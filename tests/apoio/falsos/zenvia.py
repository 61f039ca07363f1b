"""A local fake of Zenvia's API v2 for SMS: `POST /v2/channels/sms/messages`, with answers to inject."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "zenvia-token-teste"


@dataclass
class FalsaZenvia:
    """Records each accepted SMS; `erros` are (HTTP status, body) answered in order; `derrubar` drops the line of
    the next accepted request after recording it (the client never hears back)."""

    enviadas: list[dict[str, Any]] = field(default_factory=list)
    erros: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    derrubar: int = 0
    falhar_na: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # by request number, from 1
    pedidos: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v2/channels/sms/messages", self._mensagem)
        return app

    async def _mensagem(self, request: web.Request) -> web.Response:
        if request.headers.get("X-API-TOKEN") != TOKEN:
            erro: dict[str, object] = {"code": "AUTHENTICATION_ERROR", "message": "Authentication failed"}
            return web.json_response(erro, status=401)
        self.pedidos += 1
        if self.erros or self.pedidos in self.falhar_na:
            status, corpo = self.falhar_na.pop(self.pedidos) if self.pedidos in self.falhar_na else self.erros.pop(0)
            return web.json_response(corpo, status=status)
        corpo = await request.json()
        invalidos = _invalidos(corpo)
        if invalidos:
            erro = {"code": "VALIDATION_ERROR", "message": "Validation error", "details": invalidos}
            return web.json_response(erro, status=400)
        self.enviadas.append(corpo)
        if self.derrubar:
            self.derrubar -= 1
            assert request.transport is not None
            request.transport.close()
            raise web.HTTPInternalServerError  # never written: the connection is gone
        resposta = {"id": f"zenvia-{next(self._ids)}", "direction": "OUT", "channel": "sms",
                    "timestamp": "2026-11-23T12:00:00.000Z"} | corpo  # fmt: skip
        return web.json_response(resposta)

    def textos(self) -> list[str]:
        return [c["contents"][0]["text"] for c in self.enviadas]


def _invalidos(corpo: Any) -> list[dict[str, str]]:
    """The checks Zenvia makes: a sender, a number of digits, exactly one text content."""
    erros = []
    if not isinstance(corpo.get("from"), str) or not corpo["from"]:
        erros.append({"code": "REQUIRED", "path": "from", "message": "from is required"})
    if not isinstance(corpo.get("to"), str) or not corpo["to"].isdigit() or len(corpo["to"]) < 12:
        erros.append({"code": "INVALID_NUMBER", "path": "to", "message": "to must be a phone number"})
    conteudos = corpo.get("contents")
    if not (isinstance(conteudos, list) and len(conteudos) == 1 and conteudos[0].get("type") == "text"
            and isinstance(conteudos[0].get("text"), str) and conteudos[0]["text"]):  # fmt: skip
        erros.append({"code": "INVALID", "path": "contents", "message": "one text content expected"})
    return erros


@pytest.fixture
async def zenvia() -> AsyncIterator[tuple[FalsaZenvia, str]]:
    """The fake Zenvia on a loopback port, and its base URL."""
    falsa = FalsaZenvia()
    async with TestServer(falsa.app()) as servidor:
        yield falsa, str(servidor.make_url("")).rstrip("/")
