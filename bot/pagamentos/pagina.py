"""The payment page `/p/<token>`: boleto and PIX of one document, for the debtor's phone (and printer)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.boleto_pix.desenho import svg_itf, svg_qr
from bot.boleto_pix.token import FORMATO_TOKEN, link_pagamento
from bot.calendario import fuso
from bot.config.arquivo import Config
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido, TokenPagamento
from bot.dados.modelos import Acordo, AcordoParcela, Devedor, DocumentoPagamento
from bot.dados.passos import TipoPasso
from bot.dados.repositorio import token_do_documento
from bot.formatos import brl, data_br, mascarar_cpf, primeiro_nome
from bot.pagamentos.boleto_pdf import DadosBoleto, nome_do_arquivo
from bot.pagamentos.boleto_pdf import gerar as gerar_pdf
from bot.pagamentos.confirmacao import Confirmacao, Confirmador, Desfecho
from bot.pagamentos.visitas import registrar_visita

log = logging.getLogger(__name__)

_paginas = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "paginas"), autoescape=select_autoescape(["html"])
)


@dataclass(frozen=True)
class Pagina:
    """What the routes need: storage, policy, the clock, the confirmer and whether this is the demo."""

    engine: AsyncEngine
    config: Config
    relogio: Callable[[], datetime]
    confirmador: Confirmador
    demo: bool


PAGINA = web.AppKey("pagina_pagamento", Pagina)


@dataclass(frozen=True)
class Encontrado:
    documento: DocumentoPagamento
    devedor: Devedor
    acordo: Acordo
    parcelas: int
    pago: Decimal
    hoje: date


async def _buscar(pagina: Pagina, token: str) -> Encontrado | None:
    return await buscar(pagina.engine, pagina.relogio, token)


async def buscar(engine: AsyncEngine, relogio: Callable[[], datetime], token: str) -> Encontrado | None:
    """The document behind a valid, unexpired token, once its codes exist; None for anything else."""
    if not FORMATO_TOKEN.fullmatch(token):
        return None
    async with sessao(engine) as s:
        registro = await s.get(TokenPagamento, token)
        documento = await s.get(DocumentoPagamento, registro.documento_id) if registro else None
        acordo = await s.get(Acordo, documento.acordo_id) if documento else None
        devedor = await s.get(Devedor, acordo.devedor_id) if acordo else None
        if registro is None or documento is None or acordo is None or devedor is None or not documento.pix:
            return None
        hoje = relogio().astimezone(fuso(devedor.uf)).date()
        if hoje > registro.valido_ate:
            return None
        parcelas = (await s.exec(select(AcordoParcela.numero).where(AcordoParcela.acordo_id == acordo.id))).all()
        pagos = await s.exec(select(PagamentoRecebido).where(PagamentoRecebido.documento_id == documento.id))
        pago = sum((p.valor for p in pagos.all()), Decimal("0.00"))
        return Encontrado(documento, devedor, acordo, len(parcelas), pago, hoje)


def _visao(pagina: Pagina, achado: Encontrado, token: str) -> dict[str, Any]:
    """Only what the page shows: first name and masked CPF, never more personal data (LGPD)."""
    doc = achado.documento
    restante = max(doc.valor - achado.pago, Decimal("0.00"))
    return {
        "credor": pagina.config.credor,
        "banco": pagina.config.pagamentos.banco,
        "primeiro_nome": primeiro_nome(achado.devedor.nome),
        "cpf": mascarar_cpf(achado.devedor.cpf),
        "acordo": achado.acordo.id,
        "parcela": doc.acordo_parcela_numero,
        "parcelas": achado.parcelas,
        "valor": brl(doc.valor),
        "restante": brl(restante) if achado.pago and restante else None,
        "pago": achado.pago >= doc.valor,
        "vencimento": data_br(doc.vencimento),
        "nosso_numero": doc.txid,
        "linha": doc.linha_digitavel,
        "barras": svg_itf(doc.codigo_barras),
        "pix": doc.pix,
        "qr": svg_qr(doc.pix),
        "demo": pagina.demo,
        "token": token,
    }


def dados_do_pdf(config: Config, achado: Encontrado, token: str) -> DadosBoleto:
    """What the PDF shows: the page's data (first name and masked CPF only)."""
    doc = achado.documento
    return DadosBoleto(
        credor=config.credor,
        banco=config.pagamentos.banco,
        primeiro_nome=primeiro_nome(achado.devedor.nome),
        cpf_mascarado=mascarar_cpf(achado.devedor.cpf),
        acordo=achado.acordo.id or 0,
        parcela=doc.acordo_parcela_numero,
        parcelas=achado.parcelas,
        valor=brl(doc.valor),
        vencimento=data_br(doc.vencimento),
        nosso_numero=doc.txid,
        linha_digitavel=doc.linha_digitavel,
        codigo_barras=doc.codigo_barras,
        pix=doc.pix,
        link=link_pagamento(config.web.url_publica, token),
        emitido_em=doc.criado_em,
    )


async def pdf_do_token(
    engine: AsyncEngine, config: Config, relogio: Callable[[], datetime], token: str
) -> tuple[bytes, str] | None:
    """(PDF, file name) of a valid token's document; None whenever the page itself would be unavailable."""
    achado = await buscar(engine, relogio, token)
    return None if achado is None else _pdf(config, achado, token)


def _pdf(config: Config, achado: Encontrado, token: str) -> tuple[bytes, str]:
    dados = dados_do_pdf(config, achado, token)
    return gerar_pdf(dados), nome_do_arquivo(dados)


async def pdf_do_documento(
    engine: AsyncEngine, config: Config, relogio: Callable[[], datetime], documento_id: int
) -> tuple[bytes, str] | None:
    """`pdf_do_token` for the document's own page token (None without one)."""
    async with sessao(engine) as s:
        token = await token_do_documento(s, documento_id)
    return None if token is None else await pdf_do_token(engine, config, relogio, token)


def _html(nome: str, contexto: dict[str, Any], status: int = 200) -> web.Response:
    texto = _paginas.get_template(nome).render(contexto)
    resposta = web.Response(text=texto, content_type="text/html", status=status)
    resposta.headers["X-Robots-Tag"] = "noindex"  # no-store, no-referrer (the token is in the URL): bot.cabecalhos
    return resposta


def _indisponivel(pagina: Pagina) -> web.Response:
    # Unknown, malformed and expired tokens get the same answer: nothing tells a guesser which exists.
    return _html("indisponivel.html", {"credor": pagina.config.credor}, status=404)


async def mostrar(request: web.Request) -> web.Response:
    """GET /p/<token>: the boleto and PIX of one document."""
    pagina, token = request.app[PAGINA], request.match_info["token"]
    achado = await _buscar(pagina, token)
    if achado is None:
        return _indisponivel(pagina)
    await _visita(request, pagina, achado, TipoPasso.PAGINA_ABERTA)
    return _html("pagamento.html", _visao(pagina, achado, token))


async def _visita(request: web.Request, pagina: Pagina, achado: Encontrado, tipo: TipoPasso) -> None:
    """An outcome of the debtor's (bot.resultados): the page opened or its PDF downloaded.

    A HEAD (aiohttp answers it on every GET route) fetches no page: link checkers and scanners, not the debtor.
    """
    if request.method != "GET":
        return
    acordo, documento = achado.acordo, achado.documento
    assert achado.devedor.id is not None and documento.id is not None
    agente = request.headers.get("User-Agent")
    await registrar_visita(
        pagina.engine, tipo, achado.devedor.id, acordo.conversa_id, documento.id, agente, pagina.relogio()
    )


async def baixar_pdf(request: web.Request) -> web.Response:
    """GET /p/<token>.pdf: the same document as a PDF, under the page's token rules."""
    pagina, token = request.app[PAGINA], request.match_info["token"]
    achado = await _buscar(pagina, token)
    if achado is None:
        return _indisponivel(pagina)
    await _visita(request, pagina, achado, TipoPasso.PDF_BAIXADO)
    conteudo, nome = _pdf(pagina.config, achado, token)
    resposta = web.Response(body=conteudo, content_type="application/pdf")
    resposta.headers["Content-Disposition"] = f'inline; filename="{nome}"'
    resposta.headers["X-Robots-Tag"] = "noindex"
    return resposta


async def simular(request: web.Request) -> web.Response:
    """POST /p/<token>/pagar (demo only): pay the rest of the document as if the bank had confirmed it."""
    pagina, token = request.app[PAGINA], request.match_info["token"]
    achado = await _buscar(pagina, token)
    if achado is None:
        return _indisponivel(pagina)
    doc = achado.documento
    valor = doc.valor - achado.pago
    if valor > 0:
        confirmacao = Confirmacao(
            "local", f"simulado-{doc.txid}-{valor}-{achado.hoje}", "simulado", doc.txid, valor, achado.hoje
        )
        resultado = await pagina.confirmador.confirmar(confirmacao, pagina.relogio())
        log.info("pagamento simulado do documento %s: %s", doc.nosso_numero, resultado)
        assert resultado.desfecho is not Desfecho.DOCUMENTO_DESCONHECIDO
    raise web.HTTPSeeOther(f"/p/{token}")


_SCRIPT = Path(__file__).parent / "estatico" / "pagamento.js"


async def _script(_request: web.Request) -> web.Response:
    """The page's only script, a file so the page's CSP can refuse every inline one."""
    return web.Response(body=_SCRIPT.read_bytes(), content_type="application/javascript", charset="utf-8")


def instalar(app: web.Application, pagina: Pagina) -> None:
    """Register the payment page's routes (the demo button only in demo mode)."""
    app[PAGINA] = pagina
    rotas = [
        web.get("/estatico/pagamento.js", _script),
        web.get("/p/{token}.pdf", baixar_pdf),  # before /p/{token}, which would take "x.pdf" as a token
        web.get("/p/{token}", mostrar),
    ]
    if pagina.demo:
        rotas.append(web.post("/p/{token}/pagar", simular))
    app.add_routes(rotas)
