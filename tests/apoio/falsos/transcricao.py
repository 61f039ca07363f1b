"""A local fake of an OpenAI-compatible `/v1/audio/transcriptions` endpoint (multipart in, JSON out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CHAVE = "sk-voz-123"
# What the real service answers for each failure (status, error body), as its clients see it.
ERROS: dict[int, str] = {
    400: "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav']",
    413: "Maximum content size limit (26214400) exceeded",
    429: "Rate limit reached for requests",
    500: "The server had an error while processing your request",
}


@dataclass
class FakeTranscricao:
    """Answers every upload with `texto`, or with the error of `status`; keeps what each request carried."""

    texto: str = "oi"
    status: int = 200
    pedidos: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_post("/v1/audio/transcriptions", self._transcrever)
        return app

    async def _transcrever(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {CHAVE}":
            erro = {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}
            return web.json_response({"error": erro}, status=401)
        formulario = await request.post()
        arquivo = formulario.get("file")
        if not isinstance(arquivo, web.FileField):
            return web.json_response({"error": {"message": "file is required"}}, status=400)
        self.pedidos.append(
            {
                "conteudo": arquivo.file.read(),
                "nome": arquivo.filename,
                "tipo": arquivo.content_type,
                "model": formulario.get("model"),
                "language": formulario.get("language"),
                "response_format": formulario.get("response_format"),
            }
        )
        if self.status != 200:
            corpo = {"error": {"message": ERROS.get(self.status, "error"), "type": "invalid_request_error"}}
            return web.json_response(corpo, status=self.status)
        return web.json_response({"text": self.texto})
