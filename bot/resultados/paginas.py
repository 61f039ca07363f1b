"""The gestores' outcome pages in the console: a debtor's evidence file, the liquidation curves, the experiments.

Mounted under /console, so the console's guard asks for a session and, on a POST, the CSRF token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.console import contexto
from bot.console.acesso import PREFIXO
from bot.console.contexto import CONSOLE, pagina, sessao_atual, usuario
from bot.dados.atendentes import Papel
from bot.dados.banco import sessao
from bot.dados.modelos import Conversa
from bot.resultados.colocacao import Agrupamento, carregar
from bot.resultados.comparacao import PRAZOS
from bot.resultados.curvas import MARCOS, Curva, curvas
from bot.resultados.exportacao import exportar
from bot.resultados.grafico import csv_curvas, svg_curvas
from bot.resultados.relatorio_experimentos import pct, reais, relatorio_de

HORIZONTE_PADRAO, HORIZONTE_MAXIMO = 180, 730

# Our pages extend the console's base.html and use its filters.
_paginas = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(Path(__file__).parent / "paginas"), contexto.paginas.loader or ChoiceLoader([])]
    ),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_paginas.filters.update(contexto.paginas.filters)


def _pagina(request: web.Request, nome: str, **dados: Any) -> web.Response:
    dados |= {"eu": usuario(request), "csrf": sessao_atual(request).csrf}
    return web.Response(text=_paginas.get_template(nome).render(**dados), content_type="text/html")


class _Recusa(Exception):
    def __init__(self, status: int, mensagem: str) -> None:
        super().__init__(mensagem)
        self.status, self.mensagem = status, mensagem


def _gestor(request: web.Request) -> None:
    if usuario(request).papel != Papel.GESTOR:
        raise _Recusa(403, "página só para gestores")


def _parametros_curvas(request: web.Request) -> tuple[Agrupamento, int]:
    por, dias = request.query.get("por", Agrupamento.SAFRA.value), request.query.get("dias", str(HORIZONTE_PADRAO))
    if por not in set(Agrupamento):
        raise _Recusa(400, f"agrupamento desconhecido: {por!r} (use {', '.join(Agrupamento)})")
    if not (dias.isascii() and dias.isdigit()) or not 1 <= int(dias) <= HORIZONTE_MAXIMO:  # "²" is a digit too
        raise _Recusa(400, f"dias inválido: {dias!r} (um número de 1 a {HORIZONTE_MAXIMO})")
    return Agrupamento(por), int(dias)


async def _curvas(request: web.Request) -> tuple[Agrupamento, int, list[Curva]]:
    _gestor(request)
    por, horizonte = _parametros_curvas(request)
    console = request.app[CONSOLE]
    async with sessao(console.engine) as s:
        carteira = await carregar(s, por, console.relogio())
    return por, horizonte, curvas(carteira, horizonte)


async def pagina_curvas(request: web.Request) -> web.StreamResponse:
    """GET /console/gestao/curvas?por=safra|segmento|passo&dias=N: the chart and the table."""
    try:
        por, horizonte, lista = await _curvas(request)
    except _Recusa as recusa:
        return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
    return _pagina(
        request, "curvas.html", curvas=lista, por=por.value, horizonte=horizonte, maximo=HORIZONTE_MAXIMO,
        agrupamentos=[a.value for a in Agrupamento], marcos=[m for m in MARCOS if m <= horizonte],
        svg=svg_curvas(lista, horizonte),
    )  # fmt: skip


async def baixar_curvas(request: web.Request) -> web.StreamResponse:
    """GET /console/gestao/curvas.csv: the same figures, one line per group and day."""
    try:
        por, horizonte, lista = await _curvas(request)
    except _Recusa as recusa:
        return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
    resposta = web.Response(text=csv_curvas(lista), content_type="text/csv", charset="utf-8")
    resposta.headers["Content-Disposition"] = f'attachment; filename="curvas-{por.value}-{horizonte}d.csv"'
    return resposta


async def pagina_experimentos(request: web.Request) -> web.StreamResponse:
    """GET /console/gestao/experimentos: each experiment's report (the CLI's numbers, verdicts and stops)."""
    try:
        _gestor(request)
    except _Recusa as recusa:
        return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
    console = request.app[CONSOLE]
    agora = console.relogio()
    async with sessao(console.engine) as s:
        relatorios = [await relatorio_de(s, e) for e in console.projeto.config.experimentos]
    return _pagina(request, "experimentos.html", relatorios=relatorios, agora=agora, prazos=PRAZOS, pct=pct,
                   reais=reais)  # fmt: skip


FORMATOS = {"pdf": "application/pdf", "zip": "application/zip"}
ID_MAXIMO = 2**63 - 1  # a BIGINT (and SQLite's INTEGER)


async def baixar_dossie(request: web.Request) -> web.StreamResponse:
    """POST /console/conversas/<id>/dossie (formato=pdf|zip), gestores only: the debtor's file, audited."""
    console, eu = request.app[CONSOLE], usuario(request)
    if eu.papel != Papel.GESTOR:
        return pagina(request, "erro.html", status=403, mensagem="o dossiê é só para gestores")
    formato = str((await request.post()).get("formato", "pdf"))
    if formato not in FORMATOS:
        return pagina(request, "erro.html", status=400, mensagem="formato do dossiê: pdf ou zip")
    texto = request.match_info["conversa_id"]
    conversa_id = int(texto) if texto.isascii() and texto.isdigit() else 0
    async with sessao(console.engine) as s:  # an id beyond what the database holds is no conversation either
        conversa = await s.get(Conversa, conversa_id) if 0 < conversa_id <= ID_MAXIMO else None
    if conversa is None:
        return pagina(request, "erro.html", status=404, mensagem="conversa não encontrada")
    exportado = await exportar(console.engine, console.projeto.config, conversa.devedor_id, eu, console.relogio())
    if exportado is None:
        return pagina(request, "erro.html", status=404, mensagem="devedor não encontrado")
    conteudo = exportado.pdf if formato == "pdf" else exportado.zip
    resposta = web.Response(body=conteudo, content_type=FORMATOS[formato])
    resposta.headers["Content-Disposition"] = f'attachment; filename="{exportado.nome}.{formato}"'
    resposta.headers["X-Dossie-SHA256"] = exportado.sha256
    return resposta


def registrar(app: web.Application) -> None:
    """Add the outcome routes to an app that has the console (`bot.console.rotas.registrar`) already."""
    app.add_routes(
        [
            web.post(f"{PREFIXO}/conversas/{{conversa_id}}/dossie", baixar_dossie),
            web.get(f"{PREFIXO}/gestao/curvas", pagina_curvas),
            web.get(f"{PREFIXO}/gestao/curvas.csv", baixar_curvas),
            web.get(f"{PREFIXO}/gestao/experimentos", pagina_experimentos),
        ]
    )
