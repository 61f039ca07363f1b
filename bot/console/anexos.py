"""Files debtors sent, for a logged-in person who may read the conversation: open one, or ask for a new download."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from bot.canais.midia import ANEXOS
from bot.console import acesso
from bot.console.contexto import CONSOLE, pagina, usuario
from bot.console.operacoes import Recusa, conversa_legivel
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, SituacaoAnexo

# Served as what the bytes are (checked on download), never as something a browser would run.
POLITICA = (
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; object-src 'self'; sandbox"
)
AVISOS = {
    "anexo": "Arquivo baixado: abra pelo link em Anexos.",
    "anexo_falhou": "O provedor ainda não entregou o arquivo (ou ele foi recusado): veja o motivo em Anexos.",
}


def _numero(request: web.Request, nome: str) -> int:
    try:
        return int(request.match_info[nome])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _anexo(request: web.Request) -> Anexo:
    """The attachment of the URL, only if it belongs to the URL's conversation and that one is readable."""
    console = request.app[CONSOLE]
    conversa_id, anexo_id = _numero(request, "conversa_id"), _numero(request, "anexo_id")
    async with sessao(console.engine) as s:
        await conversa_legivel(s, usuario(request), conversa_id)
        anexo = await s.get(Anexo, anexo_id)
    if anexo is None or anexo.conversa_id != conversa_id:
        raise Recusa(404, "anexo inexistente")
    return anexo


def nome_do_arquivo(anexo: Anexo) -> str:
    extensao = anexo.caminho.rsplit(".", 1)[-1] if anexo.caminho and "." in anexo.caminho else "bin"
    return f"anexo-{anexo.id}.{extensao}"


async def abrir(request: web.Request) -> web.StreamResponse:
    """GET: the stored file with its checked type; the path comes from the row, never from the request."""
    try:
        anexo = await _anexo(request)
    except Recusa as recusa:
        return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
    caminho = request.app[ANEXOS].arquivo(anexo)
    if caminho is None or anexo.mime is None:
        return pagina(request, "erro.html", status=404, mensagem="arquivo ainda não baixado ou recusado")
    nome = nome_do_arquivo(anexo)
    original = f"; filename*=UTF-8''{quote(anexo.nome)}" if anexo.nome else ""
    cabecalhos = {
        "Content-Type": anexo.mime,
        "Content-Disposition": f'inline; filename="{nome}"{original}',
        "Content-Security-Policy": POLITICA,
    }
    return web.FileResponse(caminho, headers=cabecalhos)


async def baixar_de_novo(request: web.Request) -> web.StreamResponse:
    """POST: try the provider again now (after a failure, or a refusal worth a second look)."""
    try:
        anexo = await _anexo(request)
    except Recusa as recusa:
        return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
    assert anexo.id is not None
    aviso = "anexo"
    if anexo.situacao != SituacaoAnexo.GUARDADO:
        veredito = await request.app[ANEXOS].buscar(anexo.id)
        aviso = "anexo" if veredito.situacao == SituacaoAnexo.GUARDADO else "anexo_falhou"
    return acesso.redirecionar(f"{acesso.PREFIXO}/conversas/{anexo.conversa_id}?aviso={aviso}")


def rotas(prefixo: str) -> list[web.RouteDef]:
    base = f"{prefixo}/conversas/{{conversa_id}}/anexos/{{anexo_id}}"
    return [web.get(base, abrir), web.post(f"{base}/baixar", baixar_de_novo)]
