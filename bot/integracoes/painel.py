"""The gestores' delivery log: each outbound event per destination, its attempts, last answer and what is next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import col, func, select

from bot.console import contexto
from bot.console.acesso import PREFIXO, redirecionar
from bot.console.contexto import CONSOLE, pagina, sessao_atual, usuario
from bot.console.operacoes import auditar
from bot.dados.atendentes import Papel
from bot.dados.banco import sessao
from bot.dados.integracao import EntregaEvento, EventoSaida, SituacaoEntrega

POR_PAGINA = 100
ROTULOS = {
    SituacaoEntrega.PENDENTE.value: "pendente",
    SituacaoEntrega.ENTREGUE.value: "entregue",
    SituacaoEntrega.DESISTIDA.value: "desistiu (todas as tentativas falharam)",
}

# The page extends the console's base.html and uses its filters.
_paginas = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(Path(__file__).parent / "paginas"), contexto.paginas.loader or ChoiceLoader([])]
    ),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_paginas.filters.update(contexto.paginas.filters)


async def pagina_entregas(request: web.Request) -> web.StreamResponse:
    """GET /console/gestao/integracoes?situacao=&pagina=: gestores only."""
    if usuario(request).papel != Papel.GESTOR:
        return pagina(request, "erro.html", status=403, mensagem="página só para gestores")
    situacao, numero = request.query.get("situacao", ""), request.query.get("pagina", "1")
    if situacao and situacao not in ROTULOS:
        return pagina(request, "erro.html", status=400, mensagem=f"situação desconhecida: {situacao!r}")
    if not (numero.isascii() and numero.isdigit()) or not 1 <= int(numero) <= 10**6:
        return pagina(request, "erro.html", status=400, mensagem=f"página inválida: {numero!r}")
    filtro = [col(EntregaEvento.situacao) == situacao] if situacao else []
    async with sessao(request.app[CONSOLE].engine) as s:
        contagem = (
            await s.exec(
                select(EntregaEvento.destino, EntregaEvento.situacao, func.count()).group_by(
                    col(EntregaEvento.destino), col(EntregaEvento.situacao)
                )
            )
        ).all()
        linhas = (
            await s.exec(
                select(EntregaEvento, EventoSaida)
                .join(EventoSaida, col(EntregaEvento.evento_saida_id) == col(EventoSaida.id))
                .where(*filtro)
                .order_by(col(EntregaEvento.id).desc())
                .offset((int(numero) - 1) * POR_PAGINA)
                .limit(POR_PAGINA)
            )
        ).all()
    resumo: dict[str, dict[str, int]] = {}
    for destino, sit, quantos in contagem:
        resumo.setdefault(destino, dict.fromkeys(ROTULOS, 0))[sit] = quantos
    dados: dict[str, Any] = {"eu": usuario(request), "csrf": sessao_atual(request).csrf}
    html = _paginas.get_template("integracoes.html").render(
        resumo=resumo, linhas=linhas, rotulos=ROTULOS, situacao=situacao, pagina=int(numero), **dados
    )
    return web.Response(text=html, content_type="text/html")


async def reenviar(request: web.Request) -> web.StreamResponse:
    """POST /console/gestao/integracoes/<id>/reenviar: a delivery that gave up goes back to the queue at once,
    with its attempts counted from zero (gestores only; audited). Only a given-up one: the others are on their way."""
    eu = usuario(request)
    if eu.papel != Papel.GESTOR:
        return pagina(request, "erro.html", status=403, mensagem="só gestores reenviam eventos")
    bruto = request.match_info["entrega_id"]
    if not (bruto.isascii() and bruto.isdigit()) or not 0 < int(bruto) < 2**63:
        return pagina(request, "erro.html", status=404, mensagem="entrega não encontrada")
    console = request.app[CONSOLE]
    agora = console.relogio()
    async with sessao(console.engine) as s:
        entrega = await s.get(EntregaEvento, int(bruto))
        if entrega is None:
            return pagina(request, "erro.html", status=404, mensagem="entrega não encontrada")
        if entrega.situacao != SituacaoEntrega.DESISTIDA.value:
            return pagina(request, "erro.html", status=409, mensagem="só uma entrega que desistiu pode ser reenviada")
        tentativas = entrega.tentativas
        entrega.situacao, entrega.tentativas, entrega.tentar_em = SituacaoEntrega.PENDENTE.value, 0, agora
        s.add(entrega)
        auditar(s, eu, "reenviar_evento", agora, None, entrega=entrega.id, destino=entrega.destino,
                tentativas_antes=tentativas)  # fmt: skip
        await s.commit()
    return redirecionar(f"{PREFIXO}/gestao/integracoes?situacao={SituacaoEntrega.PENDENTE.value}")


def registrar(app: web.Application) -> None:
    """Add the page to an app that has the console (`bot.console.rotas.registrar`) already."""
    app.add_routes(
        [
            web.get(f"{PREFIXO}/gestao/integracoes", pagina_entregas),
            web.post(f"{PREFIXO}/gestao/integracoes/{{entrega_id}}/reenviar", reenviar),
        ]
    )
