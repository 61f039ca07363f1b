"""Local fakes of the providers, speaking their wire format: the Graph API (WhatsApp) and the Bot API (Telegram)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FalsoGraph:
    """POST /v{versao}/{phone_id}/messages: records each request, answers with a new wamid or a queued error."""

    enviadas: list[dict[str, Any]] = field(default_factory=list)
    erros: list[tuple[int, int]] = field(default_factory=list)  # (HTTP status, Graph error code), used in order
    fora_do_whatsapp: set[str] = field(default_factory=set)  # numbers that answer 131026 (undeliverable)
    # After accepting (and recording) a message: "prender" never answers, "derrubar" drops the connection.
    depois_de_aceitar: list[str] = field(default_factory=list)
    solto: asyncio.Event = field(default_factory=asyncio.Event)
    modelos_aprovados: set[str] = field(
        default_factory=lambda: {
            "lembrete_vencimento",
            "lembrete_amanha",
            "pendencia",
            "pendencia_negociar",
            "parcela_acordo",
            "acordo_pendente",
        }
    )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v{versao}/{telefone}/messages", self._mensagens)
        return app

    async def _mensagens(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer token-wa"
        if self.erros:
            status, codigo = self.erros.pop(0)
            erro = {"message": f"erro {codigo}", "type": "OAuthException", "code": codigo, "fbtrace_id": "AbC"}
            erro["error_data"] = {"messaging_product": "whatsapp", "details": f"detalhe {codigo}"}
            return web.json_response({"error": erro}, status=status)
        corpo = await request.json()
        if corpo["to"] in self.fora_do_whatsapp:
            erro = {"message": "Message undeliverable", "type": "OAuthException", "code": 131026}
            return web.json_response({"error": erro}, status=400)
        if corpo.get("type") == "template":
            recusa = self._modelo_recusado(corpo["template"])
            if recusa is not None:
                return recusa
        self.enviadas.append(corpo)
        wamid = f"wamid.SAIDA{len(self.enviadas)}"
        if self.depois_de_aceitar:
            await sem_resposta(request, self.depois_de_aceitar.pop(0), self.solto)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": corpo["to"], "wa_id": corpo["to"]}],
                "messages": [{"id": wamid}],
            }
        )

    def _modelo_recusado(self, modelo: dict[str, Any]) -> web.Response | None:
        """Meta's checks: a known approved name in that language, body parameters as typed text."""
        assert modelo["language"] == {"code": "pt_BR"}, modelo
        for componente in modelo.get("components", []):
            assert componente["type"].lower() == "body", componente
            assert all(p["type"] == "text" and isinstance(p["text"], str) for p in componente["parameters"])
        if modelo["name"] in self.modelos_aprovados:
            return None
        erro = {"message": "(#132001) Template name does not exist in the translation", "type": "OAuthException",
                "code": 132001, "error_data": {"messaging_product": "whatsapp", "details": modelo["name"]}}  # fmt: skip
        return web.json_response({"error": erro}, status=404)


@dataclass
class FalsoBotApi:
    """POST /bot{token}/{method} for getMe, sendMessage and answerCallbackQuery, with form-encoded parameters."""

    enviadas: list[dict[str, Any]] = field(default_factory=list)
    respondidos: list[str] = field(default_factory=list)
    erros: list[tuple[int, str]] = field(default_factory=list)
    depois_de_aceitar: list[str] = field(default_factory=list)  # as in FalsoGraph
    solto: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{metodo}", self._metodo)
        return app

    async def _metodo(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == "123:tg"
        metodo = request.match_info["metodo"]
        parametros = {k: str(v) for k, v in (await request.post()).items()}
        if metodo == "getMe":
            bot = {"id": 123, "is_bot": True, "first_name": "Cobrança", "username": "cobranca_bot"}
            return web.json_response({"ok": True, "result": bot})
        if metodo == "answerCallbackQuery":
            self.respondidos.append(parametros["callback_query_id"])
            return web.json_response({"ok": True, "result": True})
        assert metodo == "sendMessage", metodo
        if self.erros:
            status, descricao = self.erros.pop(0)
            return web.json_response({"ok": False, "error_code": status, "description": descricao}, status=status)
        if "reply_markup" in parametros:
            parametros["reply_markup"] = json.loads(parametros["reply_markup"])
        self.enviadas.append(parametros)
        if self.depois_de_aceitar:
            await sem_resposta(request, self.depois_de_aceitar.pop(0), self.solto)
        chat = {"id": int(parametros["chat_id"]), "type": "private", "first_name": "Maria"}
        mensagem = {"message_id": 1000 + len(self.enviadas), "date": 1795442400, "chat": chat}
        return web.json_response({"ok": True, "result": mensagem | {"text": parametros["text"]}})


async def sem_resposta(request: web.Request, modo: str, solto: asyncio.Event) -> None:
    """The provider got the message but the client never hears back: it waits forever, or the line drops."""
    if modo == "derrubar":
        assert request.transport is not None
        request.transport.close()
        raise asyncio.CancelledError  # aiohttp stops the handler without writing an answer
    assert modo == "prender", modo
    await solto.wait()  # set by the test's teardown, long after the client gave up


def com_canais(projeto: Any, graph_url: str = "", bot_api_url: str = "") -> Any:
    """The shipped project with the channels pointed at local fakes."""
    from dataclasses import replace

    canais = projeto.config.canais.model_copy(
        update={
            "whatsapp": projeto.config.canais.whatsapp.model_copy(
                update={"id_telefone": "106540352242922", "api_base_url": graph_url or "http://127.0.0.1:9"}
            ),
            "telegram": projeto.config.canais.telegram.model_copy(
                update={"api_base_url": f"{bot_api_url or 'http://127.0.0.1:9'}/bot"}
            ),
        }
    )
    return replace(projeto, config=projeto.config.model_copy(update={"canais": canais}))
