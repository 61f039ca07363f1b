"""A local fake of an OpenAI-compatible `/v1/chat/completions` endpoint, with failures to inject."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CHAVE = "sk-teste-123"


@dataclass
class FakeOpenAI:
    """Answers every completion with `conteudo` (a string the model "wrote"), or fails as told."""

    conteudo: str = '{"intencao": null}'
    status: int = 200
    pendurar: bool = False  # never answer: the client times out
    pedidos: list[dict[str, Any]] = field(default_factory=list)
    _nunca: asyncio.Event = field(default_factory=asyncio.Event)

    def responder(self, intencao: str | None) -> None:
        self.conteudo = json.dumps({"intencao": intencao})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completar)
        return app

    async def _completar(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {CHAVE}":
            return web.json_response({"error": {"message": "Incorrect API key provided"}}, status=401)
        self.pedidos.append(await request.json())
        if self.pendurar:
            await self._nunca.wait()
        if self.status != 200:
            return web.json_response({"error": {"message": "The server had an error"}}, status=self.status)
        return web.json_response(
            {
                "id": "chatcmpl-teste",
                "object": "chat.completion",
                "model": self.pedidos[-1].get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.conteudo},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )
