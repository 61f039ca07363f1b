"""A company's system that receives the bot's outbound events: records each POST, answers what the test cues."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Recebido:
    cabecalhos: dict[str, str]
    corpo: bytes


@dataclass
class Receptor:
    """`respostas` are served in order (then 200): e.g. [500, 503] fails twice, then accepts."""

    respostas: list[int] = field(default_factory=list)
    recebidos: list[Recebido] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/eventos", self._receber)
        return app

    async def _receber(self, request: web.Request) -> web.Response:
        self.recebidos.append(Recebido(dict(request.headers), await request.read()))
        status = self.respostas.pop(0) if self.respostas else 200
        return web.Response(status=status, text="ok" if status < 300 else "falha simulada")
