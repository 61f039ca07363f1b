"""A local fake of the Graph API (WhatsApp Cloud API): messages, media and templates, speaking its wire format."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.apoio.falsos.sem_resposta import sem_resposta


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
