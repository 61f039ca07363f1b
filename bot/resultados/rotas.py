"""The gestores' outcome pages in the console: the evidence file of a debtor (and, later, curves and experiments).

Mounted under /console, so the console's guard asks for a session and, on a POST, the CSRF token.
"""

from __future__ import annotations

from aiohttp import web

from bot.console.acesso import PREFIXO
from bot.console.contexto import CONSOLE, pagina, usuario
from bot.dados.banco import sessao
from bot.dados.console import Papel
from bot.dados.modelos import Conversa
from bot.resultados.exportacao import exportar

FORMATOS = {"pdf": "application/pdf", "zip": "application/zip"}


async def baixar_dossie(request: web.Request) -> web.StreamResponse:
    """POST /console/conversas/<id>/dossie (formato=pdf|zip), gestores only: the debtor's file, audited."""
    console, eu = request.app[CONSOLE], usuario(request)
    if eu.papel != Papel.GESTOR:
        return pagina(request, "erro.html", status=403, mensagem="o dossiê é só para gestores")
    formato = str((await request.post()).get("formato", "pdf"))
    if formato not in FORMATOS:
        return pagina(request, "erro.html", status=400, mensagem="formato do dossiê: pdf ou zip")
    try:
        conversa_id = int(request.match_info["conversa_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    async with sessao(console.engine) as s:
        conversa = await s.get(Conversa, conversa_id)
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
    app.add_routes([web.post(f"{PREFIXO}/conversas/{{conversa_id}}/dossie", baixar_dossie)])
