"""`/api/v1`: the company's systems feed the portfolio, record payments and read a debtor's status.

The routes are a table (method, path, handler, scope). Every call carries `Authorization: Bearer <token>`;
the middleware finds the token by its hash, checks the scope and the rate limit, and turns every refusal into
pt-BR JSON naming the field. The handlers call the services the console and the CSV import use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select

from bot.api import leitura
from bot.api.falhas import (
    ErroApi,
    corpo_objeto,
    data_do_corpo,
    erro_de_item,
    inteiro_do_caminho,
    paginacao,
    so_campos,
    texto,
    valor_em_reais,
)
from bot.api.limite import Limitador
from bot.api.openapi import documento_openapi
from bot.api.tokens import Escopo, token_valido
from bot.config.api import ApiConfig
from bot.config.regua import Politica
from bot.dados.atendentes import Auditoria
from bot.dados.banco import sessao
from bot.dados.carteira import COLUNAS_OBRIGATORIAS, COLUNAS_OPCIONAIS, ErroLinha, LeituraCarteira, ler_registros
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.importacao import ImportacaoRecusada, ResumoImportacao, importar_carteira
from bot.dados.integracao import TokenApi
from bot.dados.modelos import Acordo, Devedor, SituacaoAcordo
from bot.dados.pausas import pausar, registrar_optout, retomar
from bot.formatos import normalizar_cpf
from bot.pagamentos.confirmacao import Confirmacao, Confirmador, Desfecho, documento_por_codigo

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.Response]]
COLUNAS = frozenset(COLUNAS_OBRIGATORIAS + COLUNAS_OPCIONAIS)
CHAVE_MAXIMA = 100
TENTATIVAS_DE_CARGA = 8


@dataclass(frozen=True)
class Api:
    engine: AsyncEngine
    config: ApiConfig
    politica: Politica
    confirmador: Confirmador
    relogio: Callable[[], datetime]
    limitador: Limitador
    monotonico: Callable[[], float] = time.monotonic


API = web.AppKey("api", Api)
TOKEN = web.RequestKey("api_token", TokenApi)  # the request's token, set by the middleware


def _api(request: web.Request) -> Api:
    return request.config_dict[API]


def _token(request: web.Request) -> TokenApi:
    return request[TOKEN]


def _auditar(request: web.Request, acao: str, devedor_id: int | None = None, **dados: Any) -> Auditoria:
    return Auditoria(acao=f"api:{acao}", dados={"token": _token(request).nome, "devedor": devedor_id, **dados},
                     criada_em=_api(request).relogio())  # fmt: skip


# --- the portfolio


def _registro(indice: int, item: object) -> tuple[dict[str, str], list[ErroLinha]]:
    """A JSON item as the CSV's columns (text), or why it cannot be one."""
    if not isinstance(item, dict):
        return {}, [ErroLinha(indice, None, "", "esperado um objeto com as colunas da carteira", "api")]
    campos: dict[str, str] = {}
    erros = []
    for nome, valor in item.items():
        if nome not in COLUNAS:
            erros.append(ErroLinha(indice, nome, "", f"campo desconhecido; esperados: {', '.join(sorted(COLUNAS))}"))
        elif valor is None:
            campos[nome] = ""
        elif isinstance(valor, str) or (isinstance(valor, int | float) and not isinstance(valor, bool)):
            campos[nome] = str(valor)
        else:
            erros.append(ErroLinha(indice, nome, "", "esperado um texto ou um número"))
    return campos, erros


async def carregar_carteira(request: web.Request) -> web.Response:
    """Upsert debtors, contracts and installments: one item per installment, the CSV's columns as fields."""
    api = _api(request)
    corpo = await corpo_objeto(request)
    so_campos(corpo, {"parcelas"})
    itens = corpo.get("parcelas")
    if not isinstance(itens, list) or not itens:
        raise ErroApi(400, "esperada uma lista não vazia de parcelas", "parcelas")
    if len(itens) > api.config.itens_por_carga:
        raise ErroApi(413, f"parcelas demais numa chamada (máximo {api.config.itens_por_carga})", "parcelas")
    erros: list[ErroLinha] = []
    registros = []
    for indice, item in enumerate(itens):
        campos, problemas = _registro(indice, item)
        erros += problemas
        if not problemas:
            registros.append((indice, campos))
    leitura_api = ler_registros(registros, "api", erros)
    try:
        if leitura_api.erros:
            raise ImportacaoRecusada(leitura_api.erros)
        resumo = await _importar(request, leitura_api, len(itens))
    except ImportacaoRecusada as recusa:
        detalhes = [erro_de_item("parcelas", e) for e in sorted(recusa.erros, key=lambda e: e.linha)]
        raise ErroApi(422, f"nada foi gravado: {len(detalhes)} erro(s)", erros=detalhes) from None
    cpfs = {linha.cpf for linha in leitura_api.linhas}
    async with sessao(api.engine) as s:
        ids = dict((await s.exec(select(Devedor.cpf, Devedor.id).where(col(Devedor.cpf).in_(cpfs)))).all())
    return web.json_response(
        {
            "devedores": ids,
            "devedores_novos": resumo.devedores_novos,
            "devedores_atualizados": resumo.devedores_atualizados,
            "parcelas_novas": resumo.parcelas_novas,
            "parcelas_atualizadas": resumo.parcelas_atualizadas,
            "parcelas_mantidas": resumo.parcelas_mantidas,
        }
    )


async def _importar(request: web.Request, leitura_api: LeituraCarteira, quantos: int) -> ResumoImportacao:
    """The upsert in one transaction. Two loads inserting the same new debtor or contract at once (an ERP sending
    batches in parallel, several servers) collide on a unique key: the loser starts again and now finds the row
    to update. Each round at least one load commits, so `TENTATIVAS_DE_CARGA` concurrent loads all go through."""
    api = _api(request)
    tentativa = 1
    while True:
        try:
            async with sessao(api.engine) as s:
                s.add(_auditar(request, "carteira", parcelas=quantos))
                return await importar_carteira(s, leitura_api, agora=api.relogio())
        except IntegrityError:
            if tentativa == TENTATIVAS_DE_CARGA:
                mensagem = "outras cargas dos mesmos devedores ao mesmo tempo; nada foi gravado, tente de novo"
                raise ErroApi(409, mensagem, "parcelas") from None
            tentativa += 1


# --- reading


def _pagina(total: int, pagina: int, por_pagina: int, itens: list[dict[str, Any]]) -> web.Response:
    paginas = max(1, ceil(total / por_pagina))
    return web.json_response(
        {"itens": itens, "pagina": pagina, "por_pagina": por_pagina, "total": total, "paginas": paginas}
    )


async def listar_devedores(request: web.Request) -> web.Response:
    api = _api(request)
    pagina, por_pagina = paginacao(request, api.config.itens_por_pagina)
    async with sessao(api.engine) as s:
        total = int((await s.exec(select(func.count()).select_from(Devedor))).one())
        consulta = select(Devedor).order_by(col(Devedor.id)).offset((pagina - 1) * por_pagina).limit(por_pagina)
        itens = [leitura.resumo_devedor(d) for d in (await s.exec(consulta)).all()]
    return _pagina(total, pagina, por_pagina, itens)


async def _devedor(s: Any, request: web.Request) -> Devedor:
    devedor = await s.get(Devedor, inteiro_do_caminho(request, "devedor_id"))
    if devedor is None:
        raise ErroApi(404, "devedor não encontrado", "devedor_id")
    assert isinstance(devedor, Devedor)
    return devedor


async def ver_devedor(request: web.Request) -> web.Response:
    api = _api(request)
    async with sessao(api.engine) as s:
        devedor = await _devedor(s, request)
        return web.json_response(await leitura.situacao_devedor(s, devedor, api.politica, api.relogio()))


async def buscar_devedor(request: web.Request) -> web.Response:
    """POST {"cpf"}: the CPF goes in the body, never in a URL (proxies and access logs keep URLs)."""
    api = _api(request)
    corpo = await corpo_objeto(request)
    so_campos(corpo, {"cpf"})
    try:
        cpf = normalizar_cpf(texto(corpo, "cpf") or "")
    except ValueError:
        raise ErroApi(400, "CPF inválido", "cpf") from None
    async with sessao(api.engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.cpf == cpf))).first()
        if devedor is None:
            raise ErroApi(404, "nenhum devedor com este CPF", "cpf")
        return web.json_response(await leitura.situacao_devedor(s, devedor, api.politica, api.relogio()))


async def listar_acordos(request: web.Request) -> web.Response:
    return await _pagina_do_devedor(request, leitura.acordos)


async def listar_documentos(request: web.Request) -> web.Response:
    return await _pagina_do_devedor(request, leitura.documentos)


async def _pagina_do_devedor(
    request: web.Request, ler: Callable[..., Awaitable[tuple[int, list[Any]]]]
) -> web.Response:
    """One page of what `ler` lists for the debtor in the path (404 when there is none)."""
    api = _api(request)
    pagina, por_pagina = paginacao(request, api.config.itens_por_pagina)
    async with sessao(api.engine) as s:
        devedor = await _devedor(s, request)
        assert devedor.id is not None
        total, itens = await ler(s, devedor.id, pagina, por_pagina)
    return _pagina(total, pagina, por_pagina, itens)


# --- collection: pause, resume, opt-out


def _em_cobranca(devedor: Devedor) -> int:
    """The debtor's id, when collection can be paused or resumed at all: after an opt-out it has ended for good,
    and answering "pausada" or "ativa" would tell the company something false."""
    assert devedor.id is not None
    if devedor.optout_em is not None:
        quando = devedor.optout_em.isoformat()
        raise ErroApi(409, f"a cobrança deste devedor está encerrada (opt-out em {quando}); nada mudou", "devedor_id")
    return devedor.id


async def pausar_cobranca(request: web.Request) -> web.Response:
    api = _api(request)
    corpo = await corpo_objeto(request)
    so_campos(corpo, {"motivo"})
    motivo = texto(corpo, "motivo", maximo=200)
    assert motivo is not None
    agora = api.relogio()
    async with sessao(api.engine) as s:
        devedor_id = _em_cobranca(await _devedor(s, request))
        pausar(s, devedor_id, motivo, agora, origem="api", token=_token(request).nome)
        s.add(_auditar(request, "pausar", devedor_id))  # the motivo lives in the event, which anonymising clears
        await s.commit()
    fim = agora + timedelta(days=api.politica.pausa_dias)
    return web.json_response({"cobranca": "pausada", "motivo": motivo, "ate": fim.isoformat()})


async def retomar_cobranca(request: web.Request) -> web.Response:
    api = _api(request)
    async with sessao(api.engine) as s:
        devedor_id = _em_cobranca(await _devedor(s, request))
        retomar(s, devedor_id, api.relogio(), origem="api", token=_token(request).nome)
        s.add(_auditar(request, "retomar", devedor_id))
        await s.commit()
    return web.json_response({"cobranca": "ativa"})


async def optout(request: web.Request) -> web.Response:
    api = _api(request)
    corpo = await corpo_objeto(request, opcional=True)
    so_campos(corpo, {"motivo"})
    motivo = texto(corpo, "motivo", obrigatorio=False, maximo=200)
    async with sessao(api.engine) as s:
        devedor = await _devedor(s, request)
        dados: dict[str, Any] = {"token": _token(request).nome} | ({"motivo": motivo} if motivo else {})
        novo = await registrar_optout(s, devedor, api.relogio(), "api", None, **dados)
        s.add(_auditar(request, "optout", devedor.id, novo=novo))
        await s.commit()
        assert devedor.optout_em is not None
        return web.json_response(
            {"optout_em": devedor.optout_em.isoformat(), "novo": novo}, status=201 if novo else 200
        )


# --- payments


async def registrar_pagamento(request: web.Request) -> web.Response:
    """A payment of a document (nosso número or txid), once per `Idempotency-Key`: a retry answers the same."""
    api = _api(request)
    chave = request.headers.get("Idempotency-Key", "").strip()
    if not chave or len(chave) > CHAVE_MAXIMA or not chave.isascii() or not chave.isprintable():
        raise ErroApi(400, f"cabeçalho obrigatório: 1 a {CHAVE_MAXIMA} caracteres ASCII", "Idempotency-Key")
    corpo = await corpo_objeto(request)
    so_campos(corpo, {"documento", "valor", "data"})
    documento = texto(corpo, "documento", maximo=40)
    assert documento is not None
    valor, data = valor_em_reais(corpo, "valor"), data_do_corpo(corpo, "data")
    agora = api.relogio()
    if data > agora.date():
        raise ErroApi(400, "data no futuro", "data")
    nome = _token(request).nome
    confirmacao = Confirmacao("api", f"{nome}:{chave}", "api", documento, valor, data)
    resultado = await api.confirmador.confirmar(confirmacao, agora)
    if resultado.desfecho is Desfecho.DOCUMENTO_DESCONHECIDO:
        raise ErroApi(404, "documento não encontrado (informe o nosso número ou o txid)", "documento")
    if resultado.desfecho is Desfecho.DUPLICADO and await _chave_de_outro_pagamento(api, confirmacao):
        mensagem = "esta chave já registrou outro pagamento (documento, valor ou data diferentes); nada mudou"
        raise ErroApi(422, mensagem, "Idempotency-Key")
    registrado = resultado.desfecho is Desfecho.REGISTRADO
    async with sessao(api.engine) as s:
        acordo = await s.get(Acordo, resultado.acordo_id) if resultado.acordo_id is not None else None
        if registrado:
            s.add(_auditar(request, "pagamento", acordo.devedor_id if acordo else None, acordo=resultado.acordo_id,
                           chave=chave, valor=str(valor)))  # fmt: skip
            await s.commit()
    # A retry answers as things stand: "quitado" is the agreement's state, not this call's (which changed nothing).
    quitado = resultado.quitado if registrado else acordo is not None and acordo.situacao == SituacaoAcordo.PAGO
    return web.json_response(
        {"situacao": resultado.desfecho.value, "mensagem": str(resultado), "acordo_id": resultado.acordo_id,
         "quitado": quitado},
        status=201 if registrado else 200,
    )  # fmt: skip


async def _chave_de_outro_pagamento(api: Api, confirmacao: Confirmacao) -> bool:
    """A retry repeats the same payment; the same key with another document, amount or date is a client's
    mistake that must not read as "already done" (the second payment would be lost without a word)."""
    async with sessao(api.engine) as s:
        anterior = (
            await s.exec(
                select(PagamentoRecebido).where(
                    PagamentoRecebido.provedor == confirmacao.provedor,
                    PagamentoRecebido.id_provedor == confirmacao.id_provedor,
                )
            )
        ).first()
        documento = await documento_por_codigo(s, confirmacao.documento)
    if anterior is None or documento is None:
        return False
    return (anterior.documento_id, anterior.valor, anterior.pago_em) != (
        documento.id, confirmacao.valor, confirmacao.pago_em)  # fmt: skip


async def openapi(_request: web.Request) -> web.Response:
    return web.json_response(documento_openapi())


# method, path, handler, scope (None: public)
ROTAS: tuple[tuple[str, str, Handler, Escopo | None], ...] = (
    ("GET", "/openapi.json", openapi, None),
    ("POST", "/carteira", carregar_carteira, Escopo.CARTEIRA_ESCREVER),
    ("GET", "/devedores", listar_devedores, Escopo.DEVEDORES_LER),
    ("POST", "/devedores/busca", buscar_devedor, Escopo.DEVEDORES_LER),
    ("GET", "/devedores/{devedor_id}", ver_devedor, Escopo.DEVEDORES_LER),
    ("GET", "/devedores/{devedor_id}/acordos", listar_acordos, Escopo.DEVEDORES_LER),
    ("GET", "/devedores/{devedor_id}/documentos", listar_documentos, Escopo.DEVEDORES_LER),
    ("POST", "/devedores/{devedor_id}/pausa", pausar_cobranca, Escopo.COBRANCA_ESCREVER),
    ("DELETE", "/devedores/{devedor_id}/pausa", retomar_cobranca, Escopo.COBRANCA_ESCREVER),
    ("POST", "/devedores/{devedor_id}/optout", optout, Escopo.COBRANCA_ESCREVER),
    ("POST", "/pagamentos", registrar_pagamento, Escopo.PAGAMENTOS_ESCREVER),
)
_ESCOPOS = web.AppKey("api_escopos", dict[Handler, Escopo | None])


async def _autorizar(request: web.Request, escopo: Escopo) -> None:
    api = _api(request)
    cabecalho = request.headers.get("Authorization", "")
    tipo, _, valor = cabecalho.partition(" ")
    desafio = {"WWW-Authenticate": 'Bearer realm="api"'}
    if tipo.lower() != "bearer" or not valor.strip():
        raise ErroApi(401, "token ausente: envie Authorization: Bearer <token>", "Authorization", cabecalhos=desafio)
    async with sessao(api.engine) as s:
        token = await token_valido(s, valor.strip())
    if token is None or token.id is None:
        raise ErroApi(401, "token inválido ou revogado", "Authorization", cabecalhos=desafio)
    if escopo.value not in token.escopos:
        raise ErroApi(403, f"o token não tem o escopo {escopo.value}", "Authorization")
    espera = api.limitador.tentar(token.id, api.monotonico())
    if espera:
        mensagem = f"limite de {api.config.requisicoes_por_minuto} requisições por minuto; tente de novo em instantes"
        raise ErroApi(429, mensagem, cabecalhos={"Retry-After": str(ceil(espera))})
    request[TOKEN] = token


@web.middleware
async def _guarda(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        rota = request.match_info.route
        if isinstance(rota, web.ResourceRoute):  # an unknown path or method has no scope: aiohttp answers 404/405
            escopo = request.app[_ESCOPOS].get(rota.handler)  # type: ignore[arg-type]
            if escopo is not None:
                await _autorizar(request, escopo)
        return await handler(request)
    except ErroApi as erro:
        return erro.resposta()
    except web.HTTPNotFound:
        return ErroApi(404, f"caminho desconhecido na API: {request.path}").resposta()
    except web.HTTPMethodNotAllowed as erro:
        aceitos = ", ".join(sorted(erro.allowed_methods))
        return ErroApi(405, f"método {request.method} não aceito aqui; aceitos: {aceitos}").resposta()
    except Exception:  # a client of the API reads JSON even when we fail: never aiohttp's plain-text page
        log.exception("falha interna na API: %s %s", request.method, request.path)
        return ErroApi(500, "falha interna no servidor; tente de novo (e avise o suporte se persistir)").resposta()


def instalar(app: web.Application, api: Api) -> None:
    """Mount `/api/v1` on the server (a sub-application: its middleware guards only the API's paths)."""
    sub = web.Application(middlewares=[_guarda])
    sub[API] = api
    sub[_ESCOPOS] = {handler: escopo for _, _, handler, escopo in ROTAS}
    sub.add_routes([web.route(metodo, caminho, handler) for metodo, caminho, handler, _ in ROTAS])
    app.add_subapp("/api/v1", sub)
