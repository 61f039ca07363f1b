"""Sending SMS through Zenvia's API v2; provider answers become the port's typed errors.

`POST {base}/v2/channels/sms/messages` with `X-API-TOKEN` and `{"from", "to", "contents": [{"type": "text",
"text"}], "externalId"}`; Zenvia answers 200 with the message and its `id`, or 4xx/5xx with `{"code", "message",
"details": [{"code", "path", "message"}]}`. A text longer than `max_segmentos` goes as several SMS, in order
(`bot/canais/sms_texto.py` decides encoding and cuts); the id returned is the first one's.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.canais.http import SessaoHttp
from bot.canais.sms_texto import mensagens, transliterar
from bot.canais.transporte import FALHAS, falha_de_transporte
from bot.formatos import sem_marcas
from bot.porta import Envio, ErroCanal, Indeliveravel, SemConfirmacao, TentarDepois

log = logging.getLogger(__name__)

CAMINHO = "/v2/channels/sms/messages"


def texto_do_sms(envio: Envio, remover_acentos: bool) -> str:
    """What an SMS can carry: no buttons, so their titles are listed as what to answer."""
    texto = sem_marcas(envio.texto)  # SMS shows no bold: "*Loja*" would arrive with its asterisks
    if envio.botoes:
        texto += "\n\nResponda: " + " / ".join(b.titulo for b in envio.botoes)
    return transliterar(texto) if remover_acentos else texto


def _detalhes(corpo: Any) -> tuple[str, str, set[str]]:
    """Zenvia's error code, its message and the request fields it blames."""
    if not isinstance(corpo, dict):
        return "", "", set()
    bruto = corpo.get("details")
    detalhes: list[Any] = bruto if isinstance(bruto, list) else []
    campos = {str(d.get("path", "")) for d in detalhes if isinstance(d, dict)}
    mensagens_erro = [str(d.get("message", "")) for d in detalhes if isinstance(d, dict)]
    texto = "; ".join([str(corpo.get("message", "")), *mensagens_erro]).strip("; ")
    return str(corpo.get("code", "")), texto, campos


def traduzir(status: int, corpo: Any) -> ErroCanal:
    """429 and 5xx wait; a refused destination number is permanent; anything else is a refusal to look at."""
    codigo, texto, campos = _detalhes(corpo)
    mensagem = f"Zenvia HTTP {status} {codigo}: {texto}".rstrip(": ")
    if status == 429 or status >= 500:
        return TentarDepois(mensagem, codigo or str(status))
    if status in (400, 422) and "to" in campos:
        return Indeliveravel(mensagem, codigo or str(status))
    return ErroCanal(mensagem, codigo or str(status))


class RemetenteSms:
    """`Remetente` over Zenvia, on the server's shared aiohttp session (`bot/canais/http.py`; its own if none)."""

    def __init__(
        self,
        remetente: str,
        token: str,
        base_url: str,
        remover_acentos: bool,
        max_segmentos: int,
        espera: float = 15,
        http: SessaoHttp | None = None,
    ) -> None:
        self.remetente, self.token = remetente, token
        self.url = base_url.rstrip("/") + CAMINHO
        self.remover_acentos, self.max_segmentos = remover_acentos, max_segmentos
        self.cabecalhos = {"X-API-TOKEN": token, "Content-Type": "application/json"}
        self.http = http or SessaoHttp(espera=espera)
        self._dono_do_http = http is None

    async def abrir(self) -> None:
        """Nothing to do: the session opens at the first request."""

    async def fechar(self) -> None:
        if self._dono_do_http:
            await self.http.fechar()

    async def enviar(self, envio: Envio) -> str:
        """Each part in order; a failure after the first part went out is `SemConfirmacao` (never re-sent)."""
        partes = mensagens(texto_do_sms(envio, self.remover_acentos), self.max_segmentos)
        ids: list[str] = []
        for numero, parte in enumerate(partes, start=1):
            chave = None if envio.chave is None else (envio.chave if numero == 1 else f"{envio.chave}#{numero}")
            try:
                ids.append(await self._postar(envio.destino, parte, chave))
            except ErroCanal as erro:
                if not ids:
                    raise
                raise SemConfirmacao(f"SMS {numero}/{len(partes)} falhou depois de o 1º sair: {erro}") from erro
        return ids[0]

    async def _postar(self, destino: str, texto: str, chave: str | None) -> str:
        corpo: dict[str, Any] = {
            "from": self.remetente,
            "to": destino.lstrip("+"),
            "contents": [{"type": "text", "text": texto}],
        }
        if chave is not None:
            corpo["externalId"] = chave
        try:
            async with self.http.sessao.post(self.url, json=corpo, headers=self.cabecalhos) as resposta:
                status, bruto = resposta.status, await resposta.text()
        except FALHAS as erro:
            raise falha_de_transporte("Zenvia", erro) from erro
        lido = _json(bruto)
        if status >= 400:
            raise traduzir(status, lido)
        if not isinstance(lido, dict) or not isinstance(lido.get("id"), str) or not lido["id"]:
            raise SemConfirmacao(f"Zenvia aceitou (HTTP {status}) sem devolver o id da mensagem")
        return str(lido["id"])


def _json(texto: str) -> Any:
    try:
        return json.loads(texto) if texto.strip() else None
    except json.JSONDecodeError:
        return None
