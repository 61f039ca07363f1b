"""Telegram with python-telegram-bot 22: sending through its real client, and what to do with each update."""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import Any

from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.canais.caixa import Unidade
from bot.canais.http import SessaoHttp
from bot.canais.recebido import Arquivo, ArquivoRecebido, AvisoDoCanal, Contexto, Fala, Recebido
from bot.canais.telegram_cpf import identificar
from bot.canais.telegram_http import PedidoAiohttp
from bot.canais.transporte import FALHAS, falha_de_transporte
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.entrada import Atualizacao, ConviteTelegram
from bot.dados.modelos import Devedor
from bot.formatos import marcas_em_html
from bot.mensagens.avisos_canal import ROTULOS_MIDIA, Aviso
from bot.porta import Botao, Documento, Envio, ErroCanal, Indeliveravel, TentarDepois, TipoCanal

log = logging.getLogger(__name__)

CANAL = TipoCanal.TELEGRAM
MAX_CALLBACK = 64  # bytes of callback_data


def traduzir(erro: TelegramError) -> ErroCanal:
    if isinstance(erro, Forbidden):
        return Indeliveravel(f"Telegram: {erro.message}", "403")  # the debtor blocked the bot
    if isinstance(erro, RetryAfter):
        return TentarDepois(f"Telegram: {erro.message}", "429")
    if isinstance(erro, BadRequest):
        if "chat not found" in erro.message.lower():
            return Indeliveravel(f"Telegram: {erro.message}", "400")
        return ErroCanal(f"Telegram: {erro.message}", "400")
    if isinstance(erro, NetworkError):  # includes TimedOut; `PedidoAiohttp` keeps aiohttp's error as the cause
        causa = erro.__cause__
        if isinstance(causa, FALHAS):
            return falha_de_transporte("Telegram", causa)
        return TentarDepois(f"Telegram: {erro.message}")
    return ErroCanal(f"Telegram: {erro.message}")


def teclado(botoes: tuple[Botao, ...]) -> InlineKeyboardMarkup | None:
    """One button per row; an id longer than Telegram's 64 bytes is a bug in the flow, reported loudly."""
    if not botoes:
        return None
    for botao in botoes:
        if len(botao.id.encode()) > MAX_CALLBACK:
            raise ValueError(f"opção {botao.id!r} passa de {MAX_CALLBACK} bytes (limite do callback_data)")
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.titulo, callback_data=b.id)] for b in botoes])


def url_de_arquivos(base_url: str) -> str:
    """Files live beside the methods: https://api.telegram.org/bot → https://api.telegram.org/file/bot."""
    raiz = base_url.rstrip("/")
    return (raiz.removesuffix("/bot") if raiz.endswith("/bot") else raiz) + "/file/bot"


class RemetenteTelegram:
    """`Remetente` over the Bot API; `base_url` may point at a local Bot API server. Requests go through the
    shared aiohttp session `http` (its own when none is given)."""

    def __init__(self, token: str, base_url: str, espera: float = 15.0, http: SessaoHttp | None = None) -> None:
        self.http = http or SessaoHttp(espera=espera)
        self._dono_do_http = http is None
        pedido = PedidoAiohttp(self.http)
        construtor = Application.builder().token(token).base_url(base_url).base_file_url(url_de_arquivos(base_url))
        construtor = construtor.updater(None).request(pedido).get_updates_request(pedido)
        self.aplicacao = construtor.build()

    async def abrir(self) -> None:
        await self.aplicacao.initialize()

    async def fechar(self) -> None:
        await self.aplicacao.shutdown()
        if self._dono_do_http:
            await self.http.fechar()

    async def enviar(self, envio: Envio) -> str:
        try:
            enviada = await self.aplicacao.bot.send_message(  # WhatsApp's *bold* as HTML, the rest escaped
                chat_id=int(envio.destino),
                text=marcas_em_html(envio.texto),
                parse_mode=ParseMode.HTML,
                reply_markup=teclado(envio.botoes),
            )
        except TelegramError as erro:
            raise traduzir(erro) from erro
        if envio.documento is not None:
            await self._documento(int(envio.destino), envio.documento)
        return f"{enviada.chat_id}:{enviada.message_id}"

    async def _documento(self, chat_id: int, documento: Documento) -> None:
        """sendDocument with the file's bytes (multipart); the text with the link already went out."""
        arquivo = InputFile(documento.conteudo, filename=documento.nome)
        try:
            await self.aplicacao.bot.send_document(chat_id=chat_id, document=arquivo)
        except TelegramError as erro:
            log.warning("Telegram: documento %s não enviado (%s): o texto com o link já foi", documento.nome, erro)

    async def responder_botao(self, callback_id: str) -> None:
        """Stop the button's spinner; failing that is harmless."""
        try:
            await self.aplicacao.bot.answer_callback_query(callback_id)
        except TelegramError as erro:
            log.info("answerCallbackQuery falhou: %s", erro)


def unidade_telegram(payload: Any) -> Unidade | None:
    """(tipo, id, corpo, remetente), or None when python-telegram-bot could not read it later either.

    One chat's updates are processed in order, keyed on the chat id."""
    if not isinstance(payload, dict) or type(payload.get("update_id")) is not int:
        return None
    try:
        with warnings.catch_warnings():  # a library deprecation notice is no reason to refuse the update
            warnings.simplefilter("ignore")
            update = Update.de_json(payload, None)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError):
        return None  # a field missing or of the wrong type: refused now rather than failing in the worker
    chat, mensagem = update.effective_chat, update.effective_message
    if chat is not None and type(chat.id) is not int:
        return None  # the library keeps whatever came; a chat id we could not write back to is no update
    if mensagem is not None and type(mensagem.message_id) is not int:
        return None
    if mensagem is not None and not all(_texto_ou_nada(getattr(mensagem, c, None)) for c in ("text", "caption")):
        return None  # the library keeps a list or a number where text goes: nothing we could read later
    consulta = update.callback_query
    if consulta is not None and not _texto_ou_nada(consulta.data):
        return None
    return "telegram", str(payload["update_id"]), payload, None if chat is None else f"{CANAL.value}:{chat.id}"


def _texto_ou_nada(valor: object) -> bool:
    return valor is None or isinstance(valor, str)


async def _devedor_do_chat(contexto: Contexto, chat_id: int) -> int | None:
    async with sessao(contexto.engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.telegram_id == str(chat_id)))).first()
        return devedor.id if devedor else None


async def _aceitar_convite(contexto: Contexto, token: str, chat_id: int) -> int | None:
    """A one-time token ties this chat to its debtor; None if unknown or already used."""
    async with sessao(contexto.engine) as s:
        convite = await s.get(ConviteTelegram, token)
        if convite is None or convite.usado_em is not None:
            return None
        devedor = await s.get(Devedor, convite.devedor_id)
        if devedor is None:
            return None
        devedor.telegram_id = str(chat_id)
        convite.usado_em = contexto.agora()
        s.add_all([devedor, convite])
        await s.commit()
        return devedor.id


async def processar_telegram(contexto: Contexto, atualizacao: Atualizacao) -> Recebido:
    update = Update.de_json(atualizacao.corpo, None)
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        log.info("update %s do Telegram ignorado (sem chat privado)", update.update_id)
        return None
    if update.edited_message is not None:
        log.info("mensagem editada no Telegram ignorada (a original já foi respondida)")
        return None
    destino = str(chat.id)
    consulta = update.callback_query
    if consulta is not None:
        remetente = contexto.remetentes.get(CANAL)
        if isinstance(remetente, RemetenteTelegram):
            await remetente.responder_botao(consulta.id)
        devedor_id = await _devedor_do_chat(contexto, chat.id)
        if devedor_id is None:  # an old button in a chat still identifying itself: ask the current step again
            return await identificar(contexto, destino, "", f"cb:{consulta.id}")
        if not consulta.data:
            return AvisoDoCanal(CANAL, destino, Aviso.SO_TEXTO)
        entrada = Entrada(_titulo_do_botao(consulta.message, consulta.data), consulta.data)
        return Fala(CANAL, destino, devedor_id, entrada, f"cb:{consulta.id}")
    if update.message is not None:
        return await _mensagem(contexto, update.message, destino)
    return None


def _titulo_do_botao(mensagem: Any, dado: str) -> str:
    teclado_original = getattr(mensagem, "reply_markup", None)
    for linha in getattr(teclado_original, "inline_keyboard", ()):
        for botao in linha:
            if botao.callback_data == dado:
                return str(botao.text)
    return dado


async def _mensagem(contexto: Contexto, mensagem: Message, destino: str) -> Recebido:
    id_externo = f"{mensagem.chat_id}:{mensagem.message_id}"
    texto = mensagem.text or ""
    devedor_id = await _devedor_do_chat(contexto, mensagem.chat_id)
    if texto.startswith("/start"):
        partes = texto.split(maxsplit=1)
        if len(partes) == 2:
            devedor_id = await _aceitar_convite(contexto, partes[1].strip(), mensagem.chat_id) or devedor_id
            if devedor_id is None:
                return AvisoDoCanal(CANAL, destino, Aviso.CONVITE_INVALIDO)
        texto = "oi"
    if devedor_id is None:  # ask the CPF and the birth date first (telegram_cpf)
        return await identificar(contexto, destino, texto, id_externo)
    if texto.strip():
        return Fala(CANAL, destino, devedor_id, Entrada(texto), id_externo)
    arquivo = _arquivo(mensagem)
    tipo = arquivo.tipo if arquivo else _tipo(mensagem)
    descricao = f"[{ROTULOS_MIDIA.get(tipo, tipo)}]" + (f" {mensagem.caption}" if mensagem.caption else "")
    return Arquivo(CANAL, destino, devedor_id, id_externo, descricao, arquivo, _duracao(mensagem))


def _arquivo(mensagem: Message) -> ArquivoRecebido | None:
    if mensagem.photo:
        foto = mensagem.photo[-1]  # the largest size
        return ArquivoRecebido("image", foto.file_id, "image/jpeg", None, mensagem.caption)
    if mensagem.document is not None:
        d = mensagem.document
        return ArquivoRecebido("document", d.file_id, d.mime_type, d.file_name, mensagem.caption)
    if mensagem.voice is not None:
        return ArquivoRecebido("voice", mensagem.voice.file_id, mensagem.voice.mime_type, None, mensagem.caption)
    if mensagem.audio is not None:
        a = mensagem.audio
        return ArquivoRecebido("audio", a.file_id, a.mime_type, a.file_name, mensagem.caption)
    return None


def _duracao(mensagem: Message) -> float | None:
    """Seconds of a voice note or audio, as Telegram reports them (checked before the file is transcribed)."""
    audio = mensagem.voice or mensagem.audio
    if audio is None:
        return None
    with warnings.catch_warnings():  # 22.x warns that `duration` becomes a timedelta: both are read
        warnings.simplefilter("ignore")
        duracao = audio.duration
    if not duracao:
        return None
    return duracao.total_seconds() if isinstance(duracao, timedelta) else float(duracao)


def _tipo(mensagem: Message) -> str:
    for tipo in ("voice", "audio", "video", "sticker", "location", "contact"):
        if getattr(mensagem, tipo, None) is not None:
            return tipo
    return "outro"
