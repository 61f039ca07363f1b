"""Login, logout and the guard in front of every console page: session cookie, CSRF token, safe headers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.console.autenticacao import Limites, abrir_sessao, csrf_confere, entrar, fechar_sessao, sessao_valida
from bot.console.contexto import CONSOLE, SESSAO, USUARIO, pagina, usuario
from bot.console.operacoes import auditar
from bot.dados.banco import sessao

log = logging.getLogger(__name__)

PREFIXO = "/console"
COOKIE = "console_sessao"
COOKIE_CSRF_ENTRADA = "console_csrf_entrada"  # double-submit token for the login form (there is no session yet)
_LIVRES = {f"{PREFIXO}/entrar"}


def redirecionar(destino: str) -> web.Response:
    return web.Response(status=303, headers={"Location": destino})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _cookie_seguro(request: web.Request) -> bool:
    """Secure cookies except over plain http on this machine (the demo), where a browser would drop them."""
    return request.secure or request.host.split(":")[0] not in {"127.0.0.1", "localhost", "[::1]"}


def _pede_cookie(resposta: web.StreamResponse, request: web.Request, nome: str, valor: str) -> None:
    resposta.set_cookie(nome, valor, httponly=True, samesite="Strict", secure=_cookie_seguro(request), path=PREFIXO)


@web.middleware
async def guarda(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /console path but login and static files needs a session; every POST its CSRF token."""
    caminho = request.path
    if not caminho.startswith(PREFIXO) or caminho.startswith(f"{PREFIXO}/estatico/"):
        return await handler(request)
    if caminho not in _LIVRES:
        negado = await _autenticar(request)
        if negado is not None:
            return negado
    return await handler(request)  # security headers: bot.cabecalhos, on every response


async def _autenticar(request: web.Request) -> web.StreamResponse | None:
    console = request.app[CONSOLE]
    token = request.cookies.get(COOKIE)
    achado = None
    if token:
        async with sessao(console.engine) as s:
            achado = await sessao_valida(s, token, console.relogio())
    if achado is None:
        if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
            return redirecionar(f"{PREFIXO}/entrar")
        return web.json_response({"erro": "sessão necessária"}, status=401)
    request[USUARIO], request[SESSAO] = achado
    if request.method != "GET":
        recebido = request.headers.get("X-CSRF-Token")
        if recebido is None:
            recebido = str((await request.post()).get("csrf", "")) or None
        if not csrf_confere(achado[1].csrf, recebido):
            return web.json_response({"erro": "token CSRF ausente ou inválido"}, status=403)
    return None


async def formulario_entrar(request: web.Request) -> web.StreamResponse:
    token = secrets.token_urlsafe(24)
    resposta = pagina(request, "entrar.html", csrf_entrada=token, erro=None, login="")
    _pede_cookie(resposta, request, COOKIE_CSRF_ENTRADA, token)
    return resposta


async def entrar_post(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    dados = await request.post()
    if not csrf_confere(request.cookies.get(COOKIE_CSRF_ENTRADA, "-"), str(dados.get("csrf", ""))):
        return web.json_response({"erro": "token CSRF ausente ou inválido"}, status=403)
    login, senha = str(dados.get("login", "")), str(dados.get("senha", ""))
    agora, limites = console.relogio(), Limites.de(console.projeto.config.console)
    espera = max(
        console.limitador("endereco").esperar(request.remote or "-", agora),
        console.limitador("login").esperar(login.strip().lower()[:64], agora),
    )
    if espera:
        log.info("login recusado: tentativas demais (espera %s s)", espera)
        return web.json_response(
            {"erro": f"Muitas tentativas de login. Tente de novo em {espera} s."},
            status=429,
            headers={"Retry-After": str(espera)},
        )
    async with sessao(console.engine) as s:
        resultado = await entrar(s, login, senha, agora, limites)
        if resultado.usuario is None:
            log.info("login recusado%s", " (bloqueado)" if resultado.bloqueado else "")
            erro = (
                "Muitas tentativas erradas: acesso bloqueado por alguns minutos."
                if resultado.bloqueado
                else "Login ou senha incorretos."
            )
            token = secrets.token_urlsafe(24)
            # the login stays typed; the password never comes back in a page
            resposta = pagina(request, "entrar.html", status=401, csrf_entrada=token, erro=erro, login=login)
            _pede_cookie(resposta, request, COOKIE_CSRF_ENTRADA, token)
            return resposta
        auditar(s, resultado.usuario, "entrou", agora, None)
        valor = await abrir_sessao(s, resultado.usuario, agora, limites)
    resposta = redirecionar(f"{PREFIXO}/")
    _pede_cookie(resposta, request, COOKIE, valor)
    resposta.del_cookie(COOKIE_CSRF_ENTRADA, path=PREFIXO)
    return resposta


async def sair(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    async with sessao(console.engine) as s:
        auditar(s, usuario(request), "saiu", console.relogio(), None)
        await fechar_sessao(s, request.cookies[COOKIE])
    resposta = redirecionar(f"{PREFIXO}/entrar")
    resposta.del_cookie(COOKIE, path=PREFIXO)
    return resposta
