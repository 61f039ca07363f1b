"""Sending on WhatsApp with `pywa_async`; provider errors become the port's typed errors."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pywa_async.client import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types.callback import Button, Section, SectionList, SectionRow
from pywa_async.types.sent_update import SentMessage
from pywa_async.types.templates import TemplateLanguage

from bot.canais.porta import Botao, Documento, Envio, ErroCanal, Indeliveravel, JanelaFechada, TentarDepois
from bot.canais.transporte import falha_de_transporte
from bot.canais.whatsapp_webhook import JANELA_FECHADA

log = logging.getLogger(__name__)

MAX_BOTOES = 3  # reply buttons per message
MAX_TITULO_BOTAO = 20
MAX_LINHAS = 10  # rows of a list message
MAX_TITULO_LINHA = 24
TITULO_LISTA = "Ver opções"
IDIOMA_MODELO = TemplateLanguage.PORTUGUESE_BR  # approved templates are registered in pt_BR

INDELIVERAVEL = {131026, 131030, 131021}
TENTAR_DEPOIS = {4, 80007, 130429, 131048, 131056, 131000, 131016, 133016}


def traduzir(erro: WhatsAppError) -> ErroCanal:
    """The Cloud API error code decides: template, do not retry, or retry later."""
    codigo, texto = erro.code, f"WhatsApp {erro.code}: {erro.message}"
    if codigo in JANELA_FECHADA:
        return JanelaFechada(texto, str(codigo))
    if codigo in INDELIVERAVEL:
        return Indeliveravel(texto, str(codigo))
    status_http = erro.raw_response.status_code if erro.raw_response is not None else 0
    if codigo in TENTAR_DEPOIS or status_http >= 500:
        return TentarDepois(texto, str(codigo))
    return ErroCanal(texto, str(codigo))


def _botoes(botoes: tuple[Botao, ...]) -> list[Button] | SectionList:
    """Up to three short titles fit reply buttons; anything else becomes a list (at most ten rows)."""
    if len(botoes) <= MAX_BOTOES and all(len(b.titulo) <= MAX_TITULO_BOTAO for b in botoes):
        return [Button(title=b.titulo, callback_data=b.id) for b in botoes]
    if len(botoes) > MAX_LINHAS:
        raise ValueError(f"{len(botoes)} opções: o WhatsApp aceita no máximo {MAX_LINHAS} numa lista")
    linhas = [SectionRow(title=b.titulo[:MAX_TITULO_LINHA], callback_data=b.id) for b in botoes]
    return SectionList(button_title=TITULO_LISTA, sections=[Section(title="Opções", rows=linhas)])


def _parametros(valores: tuple[str, ...]) -> list[dict[str, Any]] | None:
    """The template's body parameters in order, as the Graph API takes them ({{1}}, {{2}}, ...)."""
    if not valores:
        return None
    return [{"type": "body", "parameters": [{"type": "text", "text": v} for v in valores]}]


class RemetenteWhatsapp:
    """`Remetente` over the Cloud API. The httpx client is ours, so tests and proxies can point it anywhere."""

    def __init__(
        self, id_telefone: str, token: str, app_secret: str, base_url: str, versao: str, espera: float = 15.0
    ) -> None:
        self.sessao = httpx.AsyncClient(timeout=httpx.Timeout(espera))
        self.cliente = WhatsApp(
            phone_id=id_telefone,
            token=token,
            session=self.sessao,
            server=None,
            app_secret=app_secret,
            api_version=versao,
        )
        # pywa has no base-URL option and sets Graph's own on the client it is given: point ours back.
        self.sessao.base_url = httpx.URL(f"{base_url.rstrip('/')}/v{versao}")

    async def abrir(self) -> None:
        """Nothing to do: the Cloud API needs no handshake."""

    async def fechar(self) -> None:
        await self.sessao.aclose()

    async def enviar(self, envio: Envio) -> str:
        """Free text (with buttons or a list), or the approved template `envio.modelo` when it is set."""
        para = envio.destino.lstrip("+")
        enviada: SentMessage
        try:
            if envio.modelo:
                enviada = await self.cliente.send_template(
                    to=para,
                    name=envio.modelo,
                    language=IDIOMA_MODELO,
                    params=_parametros(envio.parametros),
                    tracker=envio.chave,
                )
            elif envio.botoes:
                enviada = await self.cliente.send_message(
                    to=para, text=envio.texto, buttons=_botoes(envio.botoes), tracker=envio.chave
                )
            else:
                enviada = await self.cliente.send_message(
                    to=para, text=envio.texto, preview_url=True, tracker=envio.chave
                )
        except WhatsAppError as erro:
            raise traduzir(erro) from erro
        except httpx.TransportError as erro:
            raise falha_de_transporte("WhatsApp", erro) from erro
        if envio.documento is not None and not envio.modelo:  # a closed window takes templates only
            await self._documento(para, envio.documento)
        return str(enviada.id)

    async def _documento(self, para: str, documento: Documento) -> None:
        """Upload the file (POST /{phone-id}/media) and send it as a document; the text already went out."""
        try:
            await self.cliente.send_document(
                to=para, document=documento.conteudo, filename=documento.nome, mime_type=documento.mime
            )
        except (WhatsAppError, httpx.TransportError) as erro:
            log.warning("WhatsApp: documento %s não enviado (%s): o texto com o link já foi", documento.nome, erro)
