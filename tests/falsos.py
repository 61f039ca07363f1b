"""Local fakes of the providers, speaking their wire format: the Graph API (WhatsApp) and the Bot API (Telegram)."""

from __future__ import annotations

import asyncio
import hashlib
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

    # Media the debtor sent, by media id: (bytes, mime). `sha256_trocado` declares a wrong checksum for those ids;
    # `erros_midia` are HTTP statuses answered in order by the media-URL lookup (404: id unknown or expired).
    midias: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    sha256_trocado: set[str] = field(default_factory=set)
    erros_midia: list[int] = field(default_factory=list)
    baixadas: list[str] = field(default_factory=list)
    enviados: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # uploaded media: (name, mime, bytes)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_post("/v{versao}/{telefone}/messages", self._mensagens)
        app.router.add_post("/v{versao}/{telefone}/media", self._subir_midia)
        app.router.add_get("/v{versao}/{id_midia}", self._url_da_midia)
        app.router.add_get("/whatsapp_business/attachments/", self._baixar_midia)
        return app

    async def _subir_midia(self, request: web.Request) -> web.Response:
        """POST /{phone-id}/media (multipart: file, type, messaging_product) → {"id": media id}."""
        assert request.headers["Authorization"] == "Bearer token-wa"
        campos = await request.post()
        arquivo = campos["file"]
        assert isinstance(arquivo, web.FileField), campos
        assert campos["messaging_product"] == "whatsapp" and campos["type"] == arquivo.content_type
        id_midia = f"MIDIA{len(self.enviados) + 1}"
        self.enviados[id_midia] = (arquivo.filename, arquivo.content_type, arquivo.file.read())
        return web.json_response({"id": id_midia})

    async def _url_da_midia(self, request: web.Request) -> web.Response:
        """GET /{media-id}: where to fetch the file (a short-lived URL), its type, size and sha256 (hex)."""
        assert request.headers["Authorization"] == "Bearer token-wa"
        id_midia = request.match_info["id_midia"]
        status = self.erros_midia.pop(0) if self.erros_midia else 200
        if id_midia not in self.midias or status != 200:
            status = 404 if status == 200 else status
            erro = {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
                    "error_subcode": 33, "fbtrace_id": "AbC"}  # fmt: skip
            return web.json_response({"error": erro}, status=status)
        conteudo, mime = self.midias[id_midia]
        resumo = hashlib.sha256(b"outro" if id_midia in self.sha256_trocado else conteudo).hexdigest()
        url = request.url.with_path("/whatsapp_business/attachments/").with_query(mid=id_midia, ext="1", hash="x")
        corpo = {"messaging_product": "whatsapp", "url": str(url), "mime_type": mime, "sha256": resumo,
                 "file_size": len(conteudo), "id": id_midia}  # fmt: skip
        return web.json_response(corpo)

    async def _baixar_midia(self, request: web.Request) -> web.Response:
        """The lookaside URL: the bytes, only with the bearer token (as Meta's CDN does)."""
        if request.headers.get("Authorization") != "Bearer token-wa":
            return web.Response(status=401)
        conteudo, mime = self.midias[request.query["mid"]]
        self.baixadas.append(request.query["mid"])
        return web.Response(body=conteudo, content_type=mime)

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


async def sem_resposta(request: web.Request, modo: str, solto: asyncio.Event) -> None:
    """The provider got the message but the client never hears back: it waits forever, or the line drops."""
    if modo == "derrubar":
        assert request.transport is not None
        request.transport.close()
        raise asyncio.CancelledError  # aiohttp stops the handler without writing an answer
    assert modo == "prender", modo
    await solto.wait()  # set by the test's teardown, long after the client gave up


def com_canais(projeto: Any, graph_url: str = "", bot_api_url: str = "", **canais_extra: Any) -> Any:
    """The shipped project with the channels pointed at local fakes (and `canais_extra`: pasta_anexos, ...)."""
    from dataclasses import replace

    canais = projeto.config.canais.model_copy(
        update=canais_extra
        | {
            "whatsapp": projeto.config.canais.whatsapp.model_copy(
                update={"id_telefone": "106540352242922", "api_base_url": graph_url or "http://127.0.0.1:9"}
            ),
            "telegram": projeto.config.canais.telegram.model_copy(
                update={"api_base_url": f"{bot_api_url or 'http://127.0.0.1:9'}/bot"}
            ),
        }
    )
    return replace(projeto, config=projeto.config.model_copy(update={"canais": canais}))


def com_sms(projeto: Any, url: str) -> Any:
    """The project with SMS on (Zenvia), sending to the fake at `url`."""
    from dataclasses import replace

    canais = projeto.config.canais
    sms = canais.sms.model_copy(update={"remetente": "cobranca-loja", "api_base_url": url})
    config = projeto.config.model_copy(update={"canais": canais.model_copy(update={"sms": sms})})
    return replace(projeto, config=config)
