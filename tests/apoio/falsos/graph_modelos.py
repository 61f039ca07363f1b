"""A local fake of the Graph API's template management: `GET`/`POST /v{versao}/{waba-id}/message_templates`."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

WABA = "102290129340398"
TOKEN = "token-wa"


def _erro(mensagem: str, codigo: int, subcodigo: int, status: int = 400) -> web.Response:
    corpo = {"message": mensagem, "type": "OAuthException", "code": codigo, "error_subcode": subcodigo,
             "error_user_msg": mensagem, "fbtrace_id": "AbCdEf"}  # fmt: skip
    return web.json_response({"error": corpo}, status=status)


@dataclass
class FalsaGestaoGraph:
    """Templates of one WhatsApp Business Account, listed `por_pagina` at a time with cursors; `recusar` names
    are refused at creation (as Meta refuses a body it finds promotional or malformed)."""

    modelos: list[dict[str, Any]] = field(default_factory=list)
    criados: list[dict[str, Any]] = field(default_factory=list)
    recusar: set[str] = field(default_factory=set)
    por_pagina: int = 2
    pedidos: list[dict[str, str]] = field(default_factory=list)  # query of each listing call
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(900001))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v{versao}/{waba}/message_templates", self._listar)
        app.router.add_post("/v{versao}/{waba}/message_templates", self._criar)
        return app

    def _conferir(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _erro("Invalid OAuth access token", 190, 0, 401)
        if request.match_info["waba"] != WABA:
            return _erro("Unsupported get request: object does not exist", 100, 33)
        return None

    async def _listar(self, request: web.Request) -> web.Response:
        recusa = self._conferir(request)
        if recusa is not None:
            return recusa
        self.pedidos.append(dict(request.query))
        inicio = int(request.query.get("after", "0") or 0)
        limite = min(int(request.query.get("limit", "25")), self.por_pagina)
        pagina = self.modelos[inicio : inicio + limite]
        campos = request.query.get("fields", "").split(",")
        dados = [{k: v for k, v in m.items() if k in campos} for m in pagina]
        paginacao: dict[str, Any] = {"cursors": {"before": str(inicio), "after": str(inicio + len(pagina))}}
        if inicio + limite < len(self.modelos):
            paginacao["next"] = str(request.url.update_query(after=str(inicio + limite)))
        return web.json_response({"data": dados, "paging": paginacao})

    async def _criar(self, request: web.Request) -> web.Response:
        recusa = self._conferir(request)
        if recusa is not None:
            return recusa
        corpo = await request.json()
        nome, idioma = corpo["name"], corpo["language"]
        if any(m["name"] == nome and m["language"] == idioma for m in self.modelos):
            return _erro(f"Content in this language already exists: {nome}", 100, 2388024)
        if nome in self.recusar:
            return _erro("Message template content is invalid", 100, 2388043)
        [corpo_texto] = corpo["components"]
        assert corpo_texto["type"] == "BODY" and corpo["parameter_format"] == "POSITIONAL", corpo
        variaveis = set(re.findall(r"\{\{(\d+)\}\}", corpo_texto["text"]))
        exemplos = corpo_texto.get("example", {}).get("body_text", [[]])[0]
        if len(exemplos) != len(variaveis):
            return _erro("Number of parameters does not match the expected number of params", 100, 2388043)
        assert corpo["category"] in {"UTILITY", "MARKETING", "AUTHENTICATION"}, corpo
        self.criados.append(corpo)
        novo = {"id": str(next(self._ids)), "name": nome, "language": idioma, "status": "PENDING",
                "category": corpo["category"]}  # fmt: skip
        self.modelos.append(novo)
        return web.json_response({"id": novo["id"], "status": "PENDING", "category": corpo["category"]})
