"""`/healthz` (ready only when the database answers) and `/metrics` (Prometheus), plus the error counters."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dados.banco import sessao
from bot.observabilidade.coleta import do_banco
from bot.observabilidade.exposicao import TIPO_CONTEUDO, Familia, Tipo, expor

log = logging.getLogger(__name__)

ESPERA_BANCO = 2.0  # seconds; a load balancer's health check gives up soon after


class Contadores(logging.Handler):
    """Process-local counters: HTTP answers by route and status, and log records at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.respostas: Counter[tuple[str, str]] = Counter()
        self.registros: Counter[tuple[str, str]] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.registros[(record.levelname.lower(), record.name)] += 1

    def familias(self) -> list[Familia]:
        return [
            Familia(
                "cobranca_http_respostas_total",
                Tipo.CONTADOR,
                "Respostas HTTP deste processo por rota e status.",
                [({"rota": r, "status": st}, n) for (r, st), n in sorted(self.respostas.items())],
            ),
            Familia(
                "cobranca_erros_total",
                Tipo.CONTADOR,
                "Avisos e erros registrados no log por este processo, por nível e módulo.",
                [({"nivel": nv, "modulo": m}, n) for (nv, m), n in sorted(self.registros.items())],
            ),
        ]


@dataclass(frozen=True)
class Operacao:
    engine: AsyncEngine
    relogio: Callable[[], datetime]
    contadores: Contadores = field(default_factory=Contadores)
    token_metricas: str | None = None  # when set, /metrics wants `Authorization: Bearer <token>`


OPERACAO = web.AppKey("operacao", Operacao)


async def banco_responde(engine: AsyncEngine) -> str | None:
    """None when `SELECT 1` answers within ESPERA_BANCO; otherwise why not."""
    try:
        async with asyncio.timeout(ESPERA_BANCO), engine.connect() as conexao:
            await conexao.execute(text("SELECT 1"))
    except TimeoutError:
        return f"sem resposta em {ESPERA_BANCO:g} s"
    except (SQLAlchemyError, OSError) as erro:
        return type(erro).__name__
    return None


async def saude(request: web.Request) -> web.Response:
    """200 when this instance can serve (the database answers), 503 otherwise: take it out of the pool."""
    problema = await banco_responde(request.app[OPERACAO].engine)
    if problema is not None:
        log.warning("healthz: banco indisponível (%s)", problema)
        return web.json_response({"ok": False, "banco": problema}, status=503)
    return web.json_response({"ok": True, "banco": "ok"})


def _autorizado(operacao: Operacao, request: web.Request) -> bool:
    if operacao.token_metricas is None:
        return True
    esperado = f"Bearer {operacao.token_metricas}".encode()
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), esperado)


async def metricas(request: web.Request) -> web.Response:
    operacao = request.app[OPERACAO]
    if not _autorizado(operacao, request):
        return web.json_response(
            {"erro": "token ausente ou inválido (Authorization: Bearer ...)"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    do_bd: list[Familia] = []
    try:
        async with asyncio.timeout(ESPERA_BANCO), sessao(operacao.engine) as s:
            do_bd = await do_banco(s, operacao.relogio())
    except (TimeoutError, SQLAlchemyError, OSError) as erro:
        log.warning("metrics: banco indisponível (%s)", type(erro).__name__)
    disponivel = Familia(
        "cobranca_banco_disponivel", Tipo.MEDIDOR, "1 se o banco respondeu.", [({}, float(bool(do_bd)))]
    )
    corpo = expor([*do_bd, disponivel, *operacao.contadores.familias()])
    return web.Response(body=corpo.encode(), headers={"Content-Type": TIPO_CONTEUDO})


@web.middleware
async def contar_respostas(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Count every answer by route template (not the raw path: ids would explode the label set)."""
    recurso = request.match_info.route.resource
    rota = recurso.canonical if recurso is not None else "desconhecida"
    try:
        resposta = await handler(request)
    except web.HTTPException as erro:
        request.app[OPERACAO].contadores.respostas[(rota, str(erro.status))] += 1
        raise
    except Exception:
        request.app[OPERACAO].contadores.respostas[(rota, "500")] += 1
        raise
    request.app[OPERACAO].contadores.respostas[(rota, str(resposta.status))] += 1
    return resposta


def instalar_operacao(
    app: web.Application, engine: AsyncEngine, relogio: Callable[[], datetime], token_metricas: str | None = None
) -> None:
    """Add `/healthz`, `/metrics` (behind `token_metricas` when given) and the counters to an app being built."""
    app[OPERACAO] = Operacao(engine, relogio, token_metricas=token_metricas)
    app.middlewares.append(contar_respostas)
    app.add_routes([web.get("/healthz", saude), web.get("/metrics", metricas)])
    app.cleanup_ctx.append(_escutar_log)


async def _escutar_log(app: web.Application) -> AsyncIterator[None]:
    raiz = logging.getLogger("bot")
    raiz.addHandler(app[OPERACAO].contadores)
    yield
    raiz.removeHandler(app[OPERACAO].contadores)
