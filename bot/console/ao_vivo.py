"""Server-sent events: the queue and an open conversation refresh themselves without reloading the page.

Each event carries one JSON object mapping element ids to their new HTML; the page's script swaps them in.
A stream re-checks the database every `intervalo_fila` seconds and sends only when something changed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.console.acesso import COOKIE
from bot.console.alertas import alertar_atrasadas
from bot.console.aprovacoes import pendentes
from bot.console.autenticacao import sessao_valida
from bot.console.contexto import CONSOLE, Console, paginas, sessao_atual, usuario
from bot.console.leituras import carregar_leituras
from bot.console.operacoes import Recusa, conversa_legivel
from bot.console.visao import carregar_anexos, carregar_fila, carregar_mensagens
from bot.dados.atendentes import Papel
from bot.dados.banco import sessao

PARAR = web.AppKey("console_parar_ao_vivo", asyncio.Event)
Partes = Callable[[], Awaitable[dict[str, str] | None]]  # None ends the stream (e.g. access was lost)


async def _sessao_viva(console: Console, token: str) -> bool:
    """Whether the cookie's session still holds: not logged out, expired, ended by a password change or by
    deactivating the user."""
    async with sessao(console.engine) as s:
        return await sessao_valida(s, token, console.relogio()) is not None


async def _transmitir(request: web.Request, partes: Partes) -> web.StreamResponse:
    """Stream `partes` while they change; stop as soon as the session ends or access is lost (checked each round)."""
    console, parar = request.app[CONSOLE], request.app[PARAR]
    token = request.cookies.get(COOKIE, "")
    resposta = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await resposta.prepare(request)
    anterior: dict[str, str] | None = None
    while not parar.is_set():
        atuais = await partes() if await _sessao_viva(console, token) else None
        if atuais is None:
            await resposta.write(b"event: fim\ndata: {}\n\n")
            break
        if atuais != anterior:
            try:
                await resposta.write(f"event: atualizar\ndata: {json.dumps(atuais, ensure_ascii=False)}\n\n".encode())
            except ConnectionResetError:
                break
            anterior = atuais
        try:
            await asyncio.wait_for(parar.wait(), console.intervalo_fila)
        except TimeoutError:
            continue
    return resposta


async def partes_da_fila(console: Console, csrf_gestor: str | None = None) -> dict[str, str]:
    """The queue's rows and the alert banner (late hand-offs are recorded as alerts on the way); for a gestor
    (`csrf_gestor`, the token its approval forms carry) also the offers above the book awaiting approval."""
    minutos = console.projeto.config.console.alerta_minutos
    async with sessao(console.engine) as s:
        agora = console.relogio()
        await alertar_atrasadas(s, agora, minutos)
        itens = await carregar_fila(s, agora, minutos)
        aprovacoes = await pendentes(s) if csrf_gestor is not None else None
    partes = {
        "fila-linhas": paginas.get_template("_fila_linhas.html").render(itens=itens),
        "alertas": paginas.get_template("_fila_alertas.html").render(itens=itens, minutos=minutos),
    }
    if aprovacoes is not None:
        modelo = paginas.get_template("_aprovacoes.html")
        partes["aprovacoes-linhas"] = modelo.render(aprovacoes=aprovacoes, csrf=csrf_gestor)
    return partes


async def eventos_fila(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    csrf = sessao_atual(request).csrf if usuario(request).papel == Papel.GESTOR else None
    return await _transmitir(request, lambda: partes_da_fila(console, csrf))


async def eventos_conversa(request: web.Request) -> web.StreamResponse:
    """New messages, statuses and attachments of one conversation, while the person may still read it."""
    console, eu = request.app[CONSOLE], usuario(request)
    try:
        conversa_id = int(request.match_info["conversa_id"])
    except ValueError:
        raise web.HTTPNotFound() from None

    async def partes() -> dict[str, str] | None:
        async with sessao(console.engine) as s:
            try:
                await conversa_legivel(s, eu, conversa_id)
            except Recusa:
                return None
            mensagens = await carregar_mensagens(s, conversa_id)
            anexos = await carregar_anexos(s, conversa_id)
            leituras = await carregar_leituras(s, anexos)
        return {
            "mensagens": paginas.get_template("_mensagens.html").render(mensagens=mensagens),
            "anexos": paginas.get_template("_anexos.html").render(anexos=anexos, leituras=leituras),
        }

    async with sessao(console.engine) as s:
        try:
            await conversa_legivel(s, eu, conversa_id)
        except Recusa as recusa:
            return web.json_response({"erro": recusa.mensagem}, status=recusa.status)
    return await _transmitir(request, partes)
