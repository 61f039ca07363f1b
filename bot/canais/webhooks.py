"""Webhook routes in the aiohttp server: requests verified, updates stored before the 200, processed after."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.atendimento.servico import Atendimento
from bot.canais import caixa
from bot.canais.baixadores import BaixadorTelegram, BaixadorWhatsapp
from bot.canais.http import SessaoHttp
from bot.canais.midia import ANEXOS, MB, Anexos
from bot.canais.recepcao import Recepcao
from bot.canais.sms import RemetenteSms
from bot.canais.sms_recepcao import processar_sms
from bot.canais.sms_webhook import CABECALHO_SEGREDO, remetente_sms, unidade_sms
from bot.canais.transcricao import criar_transcritor
from bot.canais.whatsapp_recepcao import processar_whatsapp
from bot.canais.whatsapp_webhook import (
    CABECALHO_ASSINATURA,
    CorpoInvalido,
    Unidade,
    assinatura_valida,
    unidades,
)
from bot.config.canais import CanaisConfig, ler_segredo
from bot.corpo import JsonInvalido, ler_json
from bot.disparo.email import RemetenteEmail
from bot.porta import Remetente, TipoCanal
from bot.projeto import Projeto

if TYPE_CHECKING:  # python-telegram-bot costs ~0.5 s to import: loaded only when its channel is on
    from bot.canais.telegram import RemetenteTelegram
    from bot.canais.whatsapp import RemetenteWhatsapp

log = logging.getLogger(__name__)

LIMITE_CORPO = 256 * 1024  # WhatsApp batches up to ~1000 updates; anything bigger is not a real webhook
CABECALHO_TELEGRAM = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class SegredosWebhook:
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    telegram_secret: str | None = None
    sms_segredo: str | None = None


RECEPCAO = web.AppKey("recepcao", Recepcao)
VIGIA_ANEXOS = web.AppKey("vigia_anexos", asyncio.Task[None])
SEGREDOS = web.AppKey("segredos_webhook", SegredosWebhook)
VARREDURA = web.AppKey("varredura_segundos", float)
RETENCAO = web.AppKey("retencao_caixa", timedelta)
HTTP = web.AppKey("sessao_http", SessaoHttp)


def _iguais(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


async def _corpo_json(request: web.Request) -> tuple[bytes, Any] | web.Response:
    if request.content_length is not None and request.content_length > LIMITE_CORPO:
        return web.json_response({"erro": "corpo grande demais"}, status=413)
    bruto = await request.content.read(LIMITE_CORPO + 1)
    if len(bruto) > LIMITE_CORPO:
        return web.json_response({"erro": "corpo grande demais"}, status=413)
    try:
        return bruto, ler_json(bruto)
    except JsonInvalido as erro:  # answered after the signature check: an unsigned body learns nothing
        return bruto, erro


async def verificar_whatsapp(request: web.Request) -> web.Response:
    """GET: Meta's subscription challenge, answered only with our verify token."""
    esperado = request.app[SEGREDOS].whatsapp_verify_token
    q = request.query
    if esperado and q.get("hub.mode") == "subscribe" and _iguais(q.get("hub.verify_token", ""), esperado):
        return web.Response(text=q.get("hub.challenge", ""))
    return web.json_response({"erro": "verify token inválido"}, status=403)


async def webhook_whatsapp(request: web.Request) -> web.Response:
    """POST: signed by Meta (missing → 401, wrong → 403); every message and status stored, then a 200."""
    segredo = request.app[SEGREDOS].whatsapp_app_secret
    assert segredo is not None
    lido = await _corpo_json(request)
    if isinstance(lido, web.Response):
        return lido
    bruto, payload = lido
    assinatura = request.headers.get(CABECALHO_ASSINATURA)
    if not assinatura:
        return web.json_response({"erro": f"{CABECALHO_ASSINATURA} ausente"}, status=401)
    if not assinatura_valida(segredo, bruto, assinatura):
        return web.json_response({"erro": "assinatura inválida"}, status=403)
    if isinstance(payload, JsonInvalido):
        return web.json_response({"erro": str(payload)}, status=400)
    try:
        lista = unidades(payload)
    except CorpoInvalido as erro:
        return web.json_response({"erro": f"corpo inválido: {erro}"}, status=400)
    recepcao = request.app[RECEPCAO]
    novas = await recepcao.gravador.guardar(
        TipoCanal.WHATSAPP.value, [_unidade_whatsapp(u) for u in lista], recepcao.agora()
    )
    recepcao.agendar(novas)
    return web.json_response({"ok": True})


def _unidade_whatsapp(unidade: Unidade) -> caixa.Unidade:
    """A debtor's messages are ordered by their number; statuses need no order."""
    remetente = f"{TipoCanal.WHATSAPP.value}:{unidade.corpo['from']}" if unidade.tipo == "mensagem" else None
    return unidade.tipo, unidade.id_externo, unidade.corpo, remetente


async def webhook_telegram(request: web.Request) -> web.Response:
    """POST: Telegram's secret token header, compared in constant time; the update stored, then a 200."""
    segredo = request.app[SEGREDOS].telegram_secret
    assert segredo is not None
    if not _iguais(request.headers.get(CABECALHO_TELEGRAM, ""), segredo):
        return web.json_response({"erro": "secret token inválido"}, status=403)
    lido = await _corpo_json(request)
    if isinstance(lido, web.Response):
        return lido
    if isinstance(lido[1], JsonInvalido):
        return web.json_response({"erro": str(lido[1])}, status=400)
    from bot.canais.telegram import unidade_telegram  # loaded with the channel (the route exists only then)

    unidade = unidade_telegram(lido[1])
    if unidade is None:
        return web.json_response({"erro": "corpo inválido: esperado um Update do Telegram"}, status=400)
    recepcao = request.app[RECEPCAO]
    novas = await recepcao.gravador.guardar(TipoCanal.TELEGRAM.value, [unidade], recepcao.agora())
    recepcao.agendar(novas)
    return web.json_response({"ok": True})


async def webhook_sms(request: web.Request) -> web.Response:
    """POST: a Zenvia event with our secret header (missing → 401, wrong → 403); stored, then a 200."""
    segredo = request.app[SEGREDOS].sms_segredo
    assert segredo is not None
    recebido = request.headers.get(CABECALHO_SEGREDO)
    if not recebido:
        return web.json_response({"erro": f"{CABECALHO_SEGREDO} ausente"}, status=401)
    if not _iguais(recebido, segredo):
        return web.json_response({"erro": f"{CABECALHO_SEGREDO} inválido"}, status=403)
    lido = await _corpo_json(request)
    if isinstance(lido, web.Response):
        return lido
    if isinstance(lido[1], JsonInvalido):
        return web.json_response({"erro": str(lido[1])}, status=400)
    try:
        u = unidade_sms(lido[1])
    except CorpoInvalido as erro:
        return web.json_response({"erro": f"corpo inválido: {erro}"}, status=400)
    remetente = f"{TipoCanal.SMS.value}:{remetente_sms(u.corpo)}" if u.tipo == "mensagem" else None
    recepcao = request.app[RECEPCAO]
    novas = await recepcao.gravador.guardar(
        TipoCanal.SMS.value, [(u.tipo, u.id_externo, u.corpo, remetente)], recepcao.agora()
    )
    recepcao.agendar(novas)
    return web.json_response({"ok": True})


def _sms(config: CanaisConfig, nivel: int, http: SessaoHttp) -> tuple[RemetenteSms, str] | None:
    c = config.sms
    token, segredo = ler_segredo(c.env_token), ler_segredo(c.env_segredo_webhook)
    if not (c.remetente and token and segredo):
        log.log(nivel, "canal SMS desligado: defina canais.sms.remetente e as variáveis de ambiente %s e %s",
                c.env_token, c.env_segredo_webhook)  # fmt: skip
        return None
    remetente = RemetenteSms(
        c.remetente, token, str(c.api_base_url), c.acentos == "remover", c.max_segmentos, http=http
    )
    return remetente, segredo


def _whatsapp(config: CanaisConfig, nivel: int, http: SessaoHttp) -> tuple[RemetenteWhatsapp, SegredosWebhook] | None:
    c = config.whatsapp
    token, segredo, verificacao = (
        ler_segredo(c.env_token),
        ler_segredo(c.env_segredo_app),
        ler_segredo(c.env_token_verificacao),
    )
    if not (c.id_telefone and token and segredo and verificacao):
        log.log(
            nivel,
            "canal WhatsApp desligado: defina canais.whatsapp.id_telefone e as variáveis de ambiente %s, %s e %s",
            c.env_token,
            c.env_segredo_app,
            c.env_token_verificacao,
        )
        return None
    from bot.canais.whatsapp import RemetenteWhatsapp

    remetente = RemetenteWhatsapp(c.id_telefone, token, segredo, str(c.api_base_url), c.versao_api, http=http)
    return remetente, SegredosWebhook(whatsapp_app_secret=segredo, whatsapp_verify_token=verificacao)


def _telegram(config: CanaisConfig, nivel: int, http: SessaoHttp) -> tuple[RemetenteTelegram, str] | None:
    c = config.telegram
    token, segredo = ler_segredo(c.env_token), ler_segredo(c.env_segredo)
    if not (token and segredo):
        log.log(nivel, "canal Telegram desligado: defina as variáveis de ambiente %s e %s", c.env_token, c.env_segredo)
        return None
    from bot.canais.telegram import RemetenteTelegram

    return RemetenteTelegram(token, str(c.api_base_url), http=http), segredo


def _email(config: CanaisConfig, nivel: int) -> RemetenteEmail | None:
    c = config.email
    if not (c.host and c.remetente):
        log.log(nivel, "canal e-mail desligado: defina canais.email.host e canais.email.remetente")
        return None
    senha = ler_segredo(c.env_senha)
    if c.usuario and not senha:
        log.log(nivel, "canal e-mail desligado: canais.email.usuario sem senha na variável de ambiente %s", c.env_senha)
        return None
    return RemetenteEmail(c, senha)


def instalar_canais(
    app: web.Application, projeto: Projeto, atendimento: Atendimento, nivel_desligado: int = logging.WARNING
) -> Mapping[str, Remetente]:
    """Add the webhooks of every channel with credentials (a channel without them is off, one log line at
    `nivel_desligado`: a warning when serving, information in the demo, where channels are off on purpose).

    `atendimento` is the server's one conversation service (with the payment emissor), shared with the web chat.
    Returns the senders of the channels that are on, for whoever else must write to debtors (the console).
    """
    c, engine, relogio = projeto.config.canais, atendimento.engine, atendimento.relogio
    recepcao = Recepcao(
        atendimento,
        projeto.config.credor.nome,
        trabalhadores=c.trabalhadores,
        prazo=caixa.Prazo(timedelta(seconds=c.prazo_processamento_segundos), c.max_tentativas),
    )
    anexos = Anexos(engine, projeto.raiz / c.pasta_anexos, c.anexo_max_mb * MB, relogio)
    recepcao.anexos = anexos
    # Voice notes: a missing key or model stops the server here, never at the first note (bot/canais/notas_de_voz.py).
    t = c.transcricao
    anexos.transcritor = criar_transcritor(t, projeto.raiz, os.environ, str(projeto.raiz / "config.toml"))
    anexos.audio_max, anexos.audio_max_segundos = t.max_mb * MB, t.max_segundos
    segredos = SegredosWebhook()
    rotas: list[web.AbstractRouteDef] = []
    http = app[HTTP] = SessaoHttp()  # one keep-alive pool for the Graph API and the Bot API
    whatsapp = _whatsapp(projeto.config.canais, nivel_desligado, http)
    if whatsapp is not None:
        remetente_wa = whatsapp[0]
        recepcao.remetentes[TipoCanal.WHATSAPP], segredos = whatsapp
        anexos.baixadores[TipoCanal.WHATSAPP.value] = BaixadorWhatsapp(lambda: remetente_wa.cliente)
        recepcao.processadores[TipoCanal.WHATSAPP.value] = processar_whatsapp
        rotas += [web.get("/webhooks/whatsapp", verificar_whatsapp), web.post("/webhooks/whatsapp", webhook_whatsapp)]
    telegram = _telegram(projeto.config.canais, nivel_desligado, http)
    if telegram is not None:
        recepcao.remetentes[TipoCanal.TELEGRAM], segredo_telegram = telegram
        anexos.baixadores[TipoCanal.TELEGRAM.value] = BaixadorTelegram(telegram[0].aplicacao.bot)
        segredos = SegredosWebhook(segredos.whatsapp_app_secret, segredos.whatsapp_verify_token, segredo_telegram)
        from bot.canais.telegram import processar_telegram

        recepcao.processadores[TipoCanal.TELEGRAM.value] = processar_telegram
        rotas.append(web.post("/webhooks/telegram", webhook_telegram))
    sms = _sms(projeto.config.canais, nivel_desligado, http)
    if sms is not None:
        recepcao.remetentes[TipoCanal.SMS], segredo_sms = sms
        segredos = replace(segredos, sms_segredo=segredo_sms)
        recepcao.processadores[TipoCanal.SMS.value] = processar_sms
        rotas.append(web.post("/webhooks/sms", webhook_sms))
    email = _email(projeto.config.canais, nivel_desligado)
    if email is not None:
        recepcao.remetentes[TipoCanal.EMAIL] = email  # outbound only: reminders and agreement copies
    app[RECEPCAO] = recepcao
    app[ANEXOS] = anexos
    app[VARREDURA] = c.varredura_segundos
    app[RETENCAO] = timedelta(days=c.retencao_dias)
    app[SEGREDOS] = segredos
    app.add_routes(rotas)
    app.cleanup_ctx.append(_ciclo)
    return {canal.value: cliente for canal, cliente in recepcao.remetentes.items()}


PURGA = timedelta(hours=1)  # how often the inbox is cleared of rows past `canais.retencao_dias`


async def _varrer_sempre(recepcao: Recepcao, intervalo: float, retencao: timedelta) -> None:
    """At start and every `intervalo` s: updates any instance stored but left behind (a crash, a locked
    database), and replies whose time came (a provider that refused for a while, a worker that died); once an
    hour, processed updates older than `retencao` are deleted."""
    purgada: datetime | None = None
    while True:
        try:
            await recepcao.varrer()
            await recepcao.saida.varrer()
            agora = recepcao.agora()
            if purgada is None or agora - purgada >= PURGA:
                apagadas = await caixa.purgar(recepcao.engine, agora - retencao)
                purgada = agora
                if apagadas:
                    log.info("caixa de entrada: %s atualizações processadas há mais de %s apagadas", apagadas, retencao)
        except Exception:  # the database may be away for a while: try again at the next round
            log.exception("falha ao procurar atualizações ou respostas paradas")
        await asyncio.sleep(intervalo)


async def _ciclo(app: web.Application) -> AsyncIterator[None]:
    """Start the clients and the sweep; at exit, stop the sweep, finish what is queued and close."""
    recepcao = app[RECEPCAO]
    for remetente in recepcao.remetentes.values():
        await remetente.abrir()
    varredura = asyncio.create_task(_varrer_sempre(recepcao, app[VARREDURA], app[RETENCAO]))
    parar = asyncio.Event()
    app[VIGIA_ANEXOS] = asyncio.create_task(app[ANEXOS].vigiar(parar))  # files a provider failed to hand over
    yield
    parar.set()
    await app[VIGIA_ANEXOS]
    varredura.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await varredura
    await recepcao.ocioso()
    await recepcao.parar()
    for remetente in recepcao.remetentes.values():
        await remetente.fechar()
    transcritor = app[ANEXOS].transcritor
    if transcritor is not None:
        await transcritor.fechar()
    await app[HTTP].fechar()
