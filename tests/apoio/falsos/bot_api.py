"""A local fake of Telegram's Bot API, speaking its wire format."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.apoio.falsos.sem_resposta import sem_resposta


@dataclass
class FalsoBotApi:
    """POST /bot{token}/{method} for getMe, sendMessage and answerCallbackQuery, with form-encoded parameters."""

    enviadas: list[dict[str, Any]] = field(default_factory=list)
    documentos: list[dict[str, Any]] = field(default_factory=list)  # sendDocument: chat_id, filename, mime, bytes
    respondidos: list[str] = field(default_factory=list)
    erros: list[tuple[int, str]] = field(default_factory=list)
    depois_de_aceitar: list[str] = field(default_factory=list)  # as in FalsoGraph
    solto: asyncio.Event = field(default_factory=asyncio.Event)

    # Files by file_id: (bytes, file_path); `erros_arquivo` are HTTP statuses of the next downloads, in order.
    arquivos: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    erros_arquivo: list[int] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_post("/bot{token}/{metodo}", self._metodo)
        app.router.add_get("/file/bot{token}/{caminho:.+}", self._baixar_arquivo)
        return app

    def _documento(self, campos: Any) -> web.Response:
        """sendDocument, multipart/form-data: the file part carries its name and type, as PTB uploads it."""
        arquivo = campos["document"]
        assert isinstance(arquivo, web.FileField), campos
        conteudo = arquivo.file.read()
        chat_id = int(campos["chat_id"])
        self.documentos.append(
            {"chat_id": chat_id, "nome": arquivo.filename, "mime": arquivo.content_type, "conteudo": conteudo}
        )
        n = len(self.documentos)
        documento = {"file_id": f"BQACAgE{n}", "file_unique_id": f"U{n}", "file_name": arquivo.filename,
                     "mime_type": arquivo.content_type, "file_size": len(conteudo)}  # fmt: skip
        chat = {"id": chat_id, "type": "private", "first_name": "Maria"}
        mensagem = {"message_id": 5000 + len(self.documentos), "date": 1795442400, "chat": chat, "document": documento}
        return web.json_response({"ok": True, "result": mensagem})

    def _get_file(self, parametros: dict[str, str]) -> web.Response:
        achado = self.arquivos.get(parametros["file_id"])
        if achado is None:
            corpo = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return web.json_response(corpo, status=400)
        arquivo = {"file_id": parametros["file_id"], "file_unique_id": "U" + parametros["file_id"][-8:],
                   "file_size": len(achado[0]), "file_path": achado[1]}  # fmt: skip
        return web.json_response({"ok": True, "result": arquivo})

    async def _baixar_arquivo(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == "123:tg"
        if self.erros_arquivo:
            return web.Response(status=self.erros_arquivo.pop(0), text="Not Found")
        for conteudo, caminho in self.arquivos.values():
            if caminho == request.match_info["caminho"]:
                return web.Response(body=conteudo, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    async def _metodo(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == "123:tg"
        metodo = request.match_info["metodo"]
        campos = await request.post()
        if metodo == "sendDocument":
            return self._documento(campos)
        parametros = {k: str(v) for k, v in campos.items()}
        if metodo == "getFile":
            return self._get_file(parametros)
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
