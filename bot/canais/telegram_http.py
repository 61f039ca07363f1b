"""python-telegram-bot's requests on the shared aiohttp session: its `BaseRequest` extension point.

The library keeps everything it does well (building each Bot API call, reading answers into typed objects, raising
`Forbidden`, `RetryAfter`, `BadRequest`...); only the transport is ours, so Telegram and WhatsApp share one pool.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.canais.http import SessaoHttp
from bot.canais.transporte import NAO_SAIU


class PedidoAiohttp(BaseRequest):
    """Parameters form-encoded, or multipart when a file goes along, as the Bot API takes them."""

    def __init__(self, http: SessaoHttp) -> None:
        self.http = http

    @property
    def read_timeout(self) -> float:
        return self.http.espera

    async def initialize(self) -> None:
        """Nothing to do: the shared session opens at the first request."""

    async def shutdown(self) -> None:
        """Nothing to do: the session belongs to whoever made it (`RemetenteTelegram` or the server)."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        leitura = read_timeout if isinstance(read_timeout, int | float) else None
        dados: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            dados = request_data.json_parameters
            arquivos = request_data.multipart_data
            if arquivos:
                formulario = aiohttp.FormData(dados)
                for campo, (nome, conteudo, tipo) in arquivos.items():
                    formulario.add_field(campo, conteudo, filename=nome, content_type=tipo)
                dados = formulario
        try:
            async with self.http.sessao.request(method, url, data=dados, timeout=self.http.tempo(leitura)) as resposta:
                return resposta.status, await resposta.read()
        except NAO_SAIU as erro:  # the cause says the request never left (bot/canais/transporte.py)
            raise NetworkError(f"aiohttp.{type(erro).__name__}: {erro}") from erro
        except TimeoutError as erro:  # waiting for the answer: it may have arrived
            raise TimedOut(f"aiohttp.{type(erro).__name__}") from erro
        except aiohttp.ClientError as erro:
            raise NetworkError(f"aiohttp.{type(erro).__name__}: {erro}") from erro
