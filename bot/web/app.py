"""The aiohttp server: the web chat (a channel like the others) and, in demo mode, a debtor picker."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.api.limite import Limitador
from bot.api.recursos import Api
from bot.api.recursos import instalar as instalar_api
from bot.atendimento.llm import conselheiro_do_projeto
from bot.atendimento.servico import Atendimento, DevedorDesconhecido
from bot.cabecalhos import instalar as instalar_cabecalhos
from bot.canais.webhooks import instalar_canais
from bot.config.arquivo import url_do_servidor
from bot.console.contexto import Console
from bot.console.rotas import registrar as registrar_console
from bot.console.usuarios import criar_usuarios_demo
from bot.conversa.fatos import Entrada, Resposta
from bot.corpo import JsonInvalido, ler_json
from bot.dados.banco import criar_engine, migrar, sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import Conversa, Devedor, Mensagem
from bot.disparo.servidor import instalar_regua
from bot.formatos import primeiro_nome
from bot.integracoes.painel import registrar as registrar_integracoes
from bot.integracoes.postagem import Postagem, segredos_do_ambiente
from bot.integracoes.postagem import instalar as instalar_postagem
from bot.observabilidade.endpoints import instalar_operacao
from bot.pagamentos.confirmacao import Confirmador
from bot.pagamentos.pagina import Pagina
from bot.pagamentos.pagina import instalar as instalar_pagina
from bot.pagamentos.provedores import criar_emissor, segredo
from bot.pagamentos.reemissao import Reemissor
from bot.pagamentos.reemissao import instalar as instalar_reemissao
from bot.pagamentos.webhook_asaas import WebhookAsaas
from bot.pagamentos.webhook_asaas import instalar as instalar_webhook_asaas
from bot.porta import Remetente
from bot.projeto import Projeto
from bot.resultados.atribuicao import resolvedor, variacoes
from bot.resultados.paginas import registrar as registrar_resultados
from bot.resultados.protecao import vigia
from bot.titular.retencao import Retencao
from bot.titular.retencao import instalar as instalar_retencao

log = logging.getLogger(__name__)

ATENDIMENTO = web.AppKey("atendimento", Atendimento)
ENGINE = web.AppKey("engine", AsyncEngine)
PAGINAS = web.AppKey("paginas", Environment)
DEMO = web.AppKey("demo", bool)
CANAIS_LIGADOS: web.AppKey[tuple[str, ...]] = web.AppKey("canais_ligados")
CANAL_WEB = "web"
ID_MAXIMO = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
TEXTO_MAXIMO = 2000  # a chat message longer than this is refused, not truncated

_paginas = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "paginas"), autoescape=select_autoescape(["html"])
)


def _json(resposta: Resposta) -> dict[str, Any]:
    return {
        "texto": resposta.texto,
        "opcoes": [{"id": o.intencao, "titulo": o.titulo} for o in resposta.opcoes],
    }


def _erro(status: int, mensagem: str) -> web.Response:
    return web.json_response({"erro": mensagem}, status=status)


async def pagina_demo(request: web.Request) -> web.Response:
    """The demo page: pick a (fictitious) debtor and chat as them."""
    async with sessao(request.app[ENGINE]) as s:
        devedores = (await s.exec(select(Devedor).order_by(col(Devedor.nome)))).all()
    lista = [
        {"id": d.id, "nome": d.nome, "primeiro_nome": primeiro_nome(d.nome), "cpf": d.cpf, "uf": d.uf}
        for d in devedores
    ]
    html = request.app[PAGINAS].get_template("demo.html").render(devedores=lista)
    return web.Response(text=html, content_type="text/html")


def _devedor_id(request: web.Request) -> int | None:
    """The id in the path, if it is one a database row can have (a 30-digit number is not: 404, not a 500)."""
    texto = request.match_info["devedor_id"]
    if not (texto.isascii() and texto.isdigit()) or not 0 < int(texto) <= ID_MAXIMO:
        return None
    return int(texto)


async def _corpo(request: web.Request) -> dict[str, Any] | web.Response:
    try:
        corpo = ler_json(await request.read())
    except JsonInvalido as erro:
        return _erro(400, str(erro))
    if not isinstance(corpo, dict):
        return _erro(400, "corpo inválido: esperado um objeto JSON")
    return corpo


async def enviar_mensagem(request: web.Request) -> web.Response:
    """POST {"texto": "...", "opcao": "sim"?} → {"respostas": [{"texto", "opcoes": [{"id", "titulo"}]}]}."""
    devedor_id = _devedor_id(request)
    if devedor_id is None:
        return _erro(404, "conversa inexistente")
    corpo = await _corpo(request)
    if isinstance(corpo, web.Response):
        return corpo
    texto, opcao = corpo.get("texto", ""), corpo.get("opcao")
    if not isinstance(texto, str) or (opcao is not None and not isinstance(opcao, str)):
        return _erro(400, "'texto' e 'opcao' devem ser textos")
    if len(texto) > TEXTO_MAXIMO:
        return _erro(413, f"mensagem longa demais (máximo {TEXTO_MAXIMO} caracteres)")
    if not texto.strip() and not opcao:
        return _erro(400, "mensagem vazia")
    try:
        respostas = await request.app[ATENDIMENTO].receber(devedor_id, CANAL_WEB, Entrada(texto, opcao))
    except DevedorDesconhecido:
        return _erro(404, "conversa inexistente")
    return web.json_response({"respostas": [_json(r) for r in respostas]})


async def historico(request: web.Request) -> web.Response:
    """The web conversation so far, oldest first (the page reloads it)."""
    devedor_id = _devedor_id(request)
    if devedor_id is None:
        return _erro(404, "conversa inexistente")
    async with sessao(request.app[ENGINE]) as s:
        conversa = (
            await s.exec(select(Conversa).where(Conversa.devedor_id == devedor_id, Conversa.canal == CANAL_WEB))
        ).first()
        mensagens = (
            []
            if conversa is None
            else (
                await s.exec(select(Mensagem).where(Mensagem.conversa_id == conversa.id).order_by(col(Mensagem.id)))
            ).all()
        )
    return web.json_response(
        {
            "estado": conversa.estado if conversa else None,
            "dono": conversa.dono if conversa else "bot",
            "mensagens": [{"direcao": m.direcao, "texto": m.texto, "opcoes": m.opcoes} for m in mensagens],
        }
    )


async def _fechar(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[ENGINE].dispose()


def criar_app(
    projeto: Projeto,
    engine: AsyncEngine,
    relogio: Callable[[], datetime],
    demo: bool,
    remetentes: Mapping[str, Remetente] | None = None,
    ambiente: Mapping[str, str] = os.environ,
    com_regua: bool = False,
) -> web.Application:
    """The server; `com_regua` adds the régua's clock (as `serve` does, subject to `regua.automatica`)."""
    app = web.Application(client_max_size=64 * 1024)
    app[ENGINE] = engine
    app.cleanup_ctx.append(_fechar)  # first in, last out: every loop below stops before the engine closes
    instalar_cabecalhos(app)
    emissor = criar_emissor(projeto, engine, ambiente)
    conselheiro = conselheiro_do_projeto(projeto, ambiente)
    app[ATENDIMENTO] = Atendimento(projeto.motor, engine, relogio, emissor, conselheiro, variacoes(projeto.config))
    app[PAGINAS] = _paginas
    app[DEMO] = demo
    instalar_operacao(app, engine, relogio, ambiente.get(projeto.config.web.metricas_token_env, "").strip() or None)
    rotas: list[web.RouteDef] = []
    if demo:
        # Chatting as any debtor by id is for the fictitious demo portfolio only: on real data it would let
        # anyone learn who owes the creditor. A real web chat opens from a per-debtor link (channels issue).
        rotas += [
            web.get("/", pagina_demo),
            web.post("/api/conversas/{devedor_id}/mensagens", enviar_mensagem),
            web.get("/api/conversas/{devedor_id}/mensagens", historico),
        ]
    app.add_routes(rotas)
    # One conversation service (with the payment emissor) for the web chat and every channel.
    dos_canais = instalar_canais(app, projeto, app[ATENDIMENTO], logging.INFO if demo else logging.WARNING)
    app[CANAIS_LIGADOS] = tuple(dos_canais)
    confirmador = Confirmador(engine, projeto.textos, projeto.config, emissor)
    para = remetentes if remetentes is not None else dos_canais
    console = Console(projeto, engine, relogio, para, confirmador=confirmador, variacoes=variacoes(projeto.config),
                      variantes_regua=resolvedor(projeto.config.experimentos))  # fmt: skip
    registrar_console(app, console)
    registrar_resultados(app)
    registrar_integracoes(app)
    instalar_pagina(app, Pagina(engine, projeto.config, relogio, confirmador, demo))
    if projeto.config.pagamentos.provedor == "asaas":
        token = segredo(projeto, "asaas_webhook_token_env", ambiente)
        instalar_webhook_asaas(app, WebhookAsaas(engine, confirmador, token, relogio))
    if emissor is not None:  # the retry loop stops before the channels and the engine close
        instalar_reemissao(app, Reemissor(emissor, relogio))
    _instalar_integracao(app, projeto, engine, relogio, confirmador, ambiente, com_regua)
    if com_regua:  # registered last, stopped first: before the channels' clients close
        experimentos = projeto.config.experimentos
        instalar_regua(app, projeto, engine, dos_canais, relogio, resolvedor(experimentos), vigia(engine, experimentos))
    return app


def _instalar_integracao(
    app: web.Application,
    projeto: Projeto,
    engine: AsyncEngine,
    relogio: Callable[[], datetime],
    confirmador: Confirmador,
    ambiente: Mapping[str, str],
    com_rotinas: bool,
) -> None:
    """Issue 18: the HTTP API (`/api/v1`); with `com_rotinas` (serve) the outbound events' delivery loop and the
    LGPD retention job."""
    config = projeto.config
    limitador = Limitador(config.api.requisicoes_por_minuto)
    instalar_api(app, Api(engine, config.api, config.regua.politica, confirmador, relogio, limitador))
    if com_rotinas and config.integracoes.destinos:
        segredos = segredos_do_ambiente(config.integracoes, str(projeto.raiz / "config.toml"), ambiente)
        instalar_postagem(app, Postagem(engine, config.integracoes, segredos, relogio))
    if com_rotinas:
        instalar_retencao(app, Retencao(engine, config.lgpd, relogio, projeto.raiz / config.canais.pasta_anexos))


def rodar(
    projeto: Projeto, url: str, relogio: Callable[[], datetime], porta: int | None, demo: bool, host: str | None = None
) -> int:
    host, porta_final = host or projeto.config.web.host, porta or projeto.config.web.porta
    projeto = projeto.no_endereco(host, porta_final)
    app = criar_app(projeto, criar_engine(url), relogio, demo, com_regua=True)
    ligados: tuple[str, ...] = app[CANAIS_LIGADOS]
    if ligados and projeto.config.web.url_automatica:
        log.warning(
            "web.url_publica não definida: os links de pagamento enviados por %s apontam para %s; defina em "
            "config.toml o endereço público em que o devedor abre este servidor (ex. https://pagar.empresa.com.br)",
            ", ".join(ligados),
            projeto.config.web.url_publica,
        )
    print(f"Servidor em http://{host}:{porta_final}/  (Ctrl+C para parar)", flush=True)
    web.run_app(app, host=host, port=porta_final, print=None, loop=novo_laco())
    return 0


def novo_laco() -> asyncio.AbstractEventLoop:
    """uvloop's event loop (libuv: sockets and timers in C) when installed; asyncio's own otherwise."""
    try:
        import uvloop
    except ImportError:  # not on this platform (Windows): the standard loop does the same, a little slower
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def semear_demo(url: str, carteira: Path) -> str:
    engine = criar_engine(url)
    try:
        leitura = ler_carteira(carteira.read_text(encoding="utf-8-sig"), str(carteira))
        async with sessao(engine) as s:
            return str(await importar_carteira(s, leitura))
    finally:
        await engine.dispose()


def rodar_demo(projeto: Projeto, relogio: Callable[[], datetime], porta: int | None) -> int:
    """A fresh SQLite database seeded with the example portfolio, then the server with the demo page."""
    banco = projeto.raiz / "data" / "demo.db"
    for sufixo in ("", "-wal", "-shm"):
        Path(f"{banco}{sufixo}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{banco}"
    migrar(url)
    carteira = projeto.raiz / "exemplos" / "carteira.csv"
    print(f"Demo: carteira {carteira.name} importada ({asyncio.run(semear_demo(url, carteira))})")
    endereco = url_do_servidor(projeto.config.web.host, porta or projeto.config.web.porta)
    for login, senha, papel in asyncio.run(criar_usuarios_demo(url, relogio())):
        print(f"Console: {endereco}/console/  {papel}: login {login!r} senha {senha!r}")
    return rodar(projeto, url, relogio, porta, demo=True)
