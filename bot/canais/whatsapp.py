"""Sending on WhatsApp: Graph API requests on the shared aiohttp session; errors typed by pywa, then by the port.

The messages are the Cloud API's JSON, written here in a few lines (text, reply buttons, a list, an approved
template, a document). pywa keeps what it does well: its `WhatsAppError` family reads the error object of a
refusal (loaded only then), and its client fetches the media debtors send (`bot/canais/baixadores.py`).
"""

from __future__ import annotations

import json
import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

import aiohttp

from bot import porta
from bot.canais.http import SessaoHttp
from bot.canais.transporte import FALHAS, falha_de_transporte
from bot.canais.whatsapp_webhook import JANELA_FECHADA
from bot.porta import Botao, Documento, Envio, ErroCanal

if TYPE_CHECKING:
    from pywa_async.client import WhatsApp
    from pywa_async.errors import WhatsAppError

log = logging.getLogger(__name__)

MAX_BOTOES = 3  # reply buttons per message
MAX_TITULO_BOTAO = 20
MAX_LINHAS = 10  # rows of a list message
MAX_TITULO_LINHA = 24
TITULO_LISTA = "Ver opções"
IDIOMA_MODELO = "pt_BR"  # approved templates are registered in pt_BR

INDELIVERAVEL = {131026, 131030, 131021}
TENTAR_DEPOIS = {4, 80007, 130429, 131048, 131056, 131000, 131016, 133016}


def traduzir(erro: WhatsAppError, status_http: int) -> ErroCanal:
    """The Cloud API error code decides: template, do not retry, or retry later."""
    codigo, texto = erro.code, f"WhatsApp {erro.code}: {erro.message}"
    if codigo in JANELA_FECHADA:
        return porta.JanelaFechada(texto, str(codigo))
    if codigo in INDELIVERAVEL:
        return porta.Indeliveravel(texto, str(codigo))
    if codigo in TENTAR_DEPOIS or status_http >= 500:
        return porta.TentarDepois(texto, str(codigo))
    return ErroCanal(texto, str(codigo))


def recusa(status_http: int, corpo: Any) -> ErroCanal:
    """A non-2xx answer: Graph's error object through pywa's typed errors; anything else by its HTTP status."""
    erro = corpo.get("error") if isinstance(corpo, dict) else None
    if isinstance(erro, dict) and isinstance(erro.get("code"), int) and isinstance(erro.get("message"), str):
        from pywa_async.errors import WhatsAppError

        return traduzir(WhatsAppError.from_dict(erro), status_http)
    texto = f"WhatsApp respondeu HTTP {status_http} sem um erro do Graph"
    if status_http < 300:  # accepted, perhaps: sending again could deliver twice
        return porta.SemConfirmacao(f"WhatsApp respondeu HTTP {status_http} com um corpo que não é JSON")
    return porta.TentarDepois(texto, str(status_http)) if status_http >= 500 or status_http == 429 else ErroCanal(texto)


def _interativo(texto: str, botoes: tuple[Botao, ...]) -> dict[str, Any]:
    """Up to three short titles fit reply buttons; anything else becomes a list (at most ten rows)."""
    if len(botoes) <= MAX_BOTOES and all(len(b.titulo) <= MAX_TITULO_BOTAO for b in botoes):
        respostas = [{"type": "reply", "reply": {"id": b.id, "title": b.titulo}} for b in botoes]
        acao: dict[str, Any] = {"buttons": respostas}
        return {"type": "button", "action": acao, "body": {"text": texto}}
    if len(botoes) > MAX_LINHAS:
        raise ValueError(f"{len(botoes)} opções: o WhatsApp aceita no máximo {MAX_LINHAS} numa lista")
    linhas = [{"id": b.id, "title": b.titulo[:MAX_TITULO_LINHA]} for b in botoes]
    acao = {"button": TITULO_LISTA, "sections": [{"title": "Opções", "rows": linhas}]}
    return {"type": "list", "action": acao, "body": {"text": texto}}


def _modelo(nome: str, valores: tuple[str, ...]) -> dict[str, Any]:
    """The template and its body parameters in order, as the Graph API takes them ({{1}}, {{2}}, ...)."""
    modelo: dict[str, Any] = {"name": nome, "language": {"code": IDIOMA_MODELO}}
    if valores:
        modelo["components"] = [{"type": "body", "parameters": [{"type": "text", "text": v} for v in valores]}]
    return modelo


def mensagem(envio: Envio) -> dict[str, Any]:
    """The body of POST /{phone-id}/messages for `envio` (the key goes as `biz_opaque_callback_data`)."""
    corpo: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": envio.destino.lstrip("+"),
    }
    if envio.chave:
        corpo["biz_opaque_callback_data"] = envio.chave
    if envio.modelo:
        corpo["type"], corpo["template"] = "template", _modelo(envio.modelo, envio.parametros)
    elif envio.botoes:
        corpo["type"], corpo["interactive"] = "interactive", _interativo(envio.texto, envio.botoes)
    else:
        corpo["type"], corpo["text"] = "text", {"body": envio.texto, "preview_url": True}
    return corpo


class RemetenteWhatsapp:
    """`Remetente` over the Cloud API at `base_url` (Graph's, or a proxy or a test's), on a shared session."""

    def __init__(
        self,
        id_telefone: str,
        token: str,
        app_secret: str,
        base_url: str,
        versao: str,
        espera: float = 15.0,
        http: SessaoHttp | None = None,
    ) -> None:
        self.id_telefone, self.token, self.app_secret, self.versao = id_telefone, token, app_secret, versao
        self.raiz = f"{base_url.rstrip('/')}/v{versao}"
        self.cabecalhos = {"Authorization": f"Bearer {token}"}
        self.http = http or SessaoHttp(espera=espera)
        self._dono_do_http = http is None

    @cached_property
    def cliente(self) -> WhatsApp:
        """pywa's client (its own httpx session), built at the first media download."""
        import httpx
        from pywa_async.client import WhatsApp

        sessao = self._httpx = httpx.AsyncClient(timeout=httpx.Timeout(self.http.espera))
        cliente = WhatsApp(
            phone_id=self.id_telefone,
            token=self.token,
            session=sessao,
            server=None,
            app_secret=self.app_secret,
            api_version=self.versao,
        )
        sessao.base_url = httpx.URL(self.raiz)  # pywa sets Graph's own base URL on the client it is given
        return cliente

    async def abrir(self) -> None:
        """Nothing to do: the Cloud API needs no handshake, and the session opens at the first request."""

    async def fechar(self) -> None:
        if self._dono_do_http:
            await self.http.fechar()
        if "cliente" in self.__dict__:
            await self._httpx.aclose()
            del self.__dict__["cliente"]

    async def enviar(self, envio: Envio) -> str:
        """Free text (with buttons or a list), or the approved template `envio.modelo` when it is set."""
        resposta = await self._post("messages", json=mensagem(envio))
        try:
            wamid = str(resposta["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as erro:
            texto = f"WhatsApp aceitou sem devolver o id da mensagem: {str(resposta)[:200]}"
            raise porta.SemConfirmacao(texto) from erro
        if envio.documento is not None and not envio.modelo:  # a closed window takes templates only
            await self._documento(envio.destino.lstrip("+"), envio.documento)
        return wamid

    async def _post(self, recurso: str, **corpo: Any) -> Any:
        """POST /{phone-id}/{recurso}: the JSON answer, or the port's typed error."""
        url = f"{self.raiz}/{self.id_telefone}/{recurso}"
        try:
            async with self.http.sessao.post(url, headers=self.cabecalhos, **corpo) as resposta:
                status, bruto = resposta.status, await resposta.read()
        except FALHAS as erro:
            raise falha_de_transporte("WhatsApp", erro) from erro
        try:
            lido: Any = json.loads(bruto)
        except ValueError:  # not JSON: a proxy's error page, say
            lido = None
        if status >= 300 or lido is None:
            raise recusa(status, lido)
        return lido

    async def _documento(self, para: str, documento: Documento) -> None:
        """Upload the file (POST /{phone-id}/media) and send it as a document; the text already went out."""
        formulario = aiohttp.FormData()
        formulario.add_field("messaging_product", "whatsapp")
        formulario.add_field("type", documento.mime)
        formulario.add_field("file", documento.conteudo, filename=documento.nome, content_type=documento.mime)
        try:
            midia = await self._post("media", data=formulario)
            corpo = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": para,
                     "type": "document", "document": {"id": str(midia["id"]), "filename": documento.nome}}  # fmt: skip
            await self._post("messages", json=corpo)
        except (ErroCanal, KeyError, TypeError) as erro:
            log.warning("WhatsApp: documento %s não enviado (%s): o texto com o link já foi", documento.nome, erro)
