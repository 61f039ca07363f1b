"""The gestores' page: the basic figures of a period, the régua preview for a day, and the flows drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cabecalhos import CSP_CONSOLE
from bot.console.contexto import CONSOLE, FUSO_CONSOLE, pagina, usuario
from bot.console.previa import SITUACOES, montar_previa
from bot.conversa.diagrama import mermaid
from bot.dados.atendentes import Papel
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import Acordo, Evento, Transferencia
from bot.disparo.comando import plano_do_dia
from bot.formatos import parse_data


@dataclass(frozen=True)
class Numeros:
    recuperado: Decimal
    acordos: int
    valor_acordos: Decimal
    transferencias: int
    optouts: int


async def numeros(s: AsyncSession, inicio: datetime, fim: datetime) -> Numeros:
    """Figures for [inicio, fim): payments received, agreements, hand-offs and opt-outs."""
    pago = await s.exec(  # every confirmed payment, by the date the bank says it was paid
        select(func.coalesce(func.sum(PagamentoRecebido.valor), 0)).where(
            col(PagamentoRecebido.pago_em) >= inicio.date(), col(PagamentoRecebido.pago_em) < fim.date()
        )
    )
    acordos = (
        await s.exec(
            select(func.count(), func.coalesce(func.sum(Acordo.total), 0)).where(
                col(Acordo.criado_em) >= inicio, col(Acordo.criado_em) < fim
            )
        )
    ).one()
    transferencias = await s.exec(
        select(func.count()).where(col(Transferencia.criada_em) >= inicio, col(Transferencia.criada_em) < fim)
    )
    optouts = await s.exec(
        select(func.count()).where(
            Evento.tipo == "optout", col(Evento.criado_em) >= inicio, col(Evento.criado_em) < fim
        )
    )
    return Numeros(
        recuperado=Decimal(str(pago.one() or 0)),
        acordos=int(acordos[0]),
        valor_acordos=Decimal(str(acordos[1] or 0)),
        transferencias=int(transferencias.one()),
        optouts=int(optouts.one()),
    )


def _dia(texto: str | None, padrao: date) -> date:
    """A day typed as dd/mm/aaaa (the page's fields) or AAAA-MM-DD (older links)."""
    try:
        return parse_data(texto) if texto else padrao
    except ValueError:
        raise web.HTTPBadRequest(text=f"data inválida: {texto!r}; use dd/mm/aaaa, como 07/12/2026") from None


async def pagina_gestao(request: web.Request) -> web.StreamResponse:
    if usuario(request).papel != Papel.GESTOR:
        return pagina(request, "erro.html", status=403, mensagem="página só para gestores")
    console = request.app[CONSOLE]
    hoje = console.relogio().astimezone(FUSO_CONSOLE).date()
    de = _dia(request.query.get("de"), hoje.replace(day=1))
    ate = _dia(request.query.get("ate"), hoje)
    inicio = datetime.combine(de, time(), FUSO_CONSOLE)
    fim = datetime.combine(ate + timedelta(days=1), time(), FUSO_CONSOLE)
    dia_regua = _dia(request.query.get("regua"), hoje)
    async with sessao(console.engine) as s:
        figuras = await numeros(s, inicio, fim)
    config = console.projeto.config
    linhas = await plano_do_dia(console.engine, config.regua, config.credor.nome, dia_regua, console.relogio(),
                                console.variantes_regua)  # fmt: skip
    diagramas = {nome: mermaid(fluxo) for nome, fluxo in console.projeto.fluxos.items()}
    resposta = pagina(
        request,
        "gestao.html",
        n=figuras,
        de=de,
        ate=ate,
        diagramas=diagramas,
        dia_regua=dia_regua,
        previa=montar_previa(linhas, {c: request.query.get(c, "") for c in ("uf", "passo", "situacao")}),
        filtros=request.query,
        situacoes=SITUACOES,
    )
    # Mermaid styles the SVG it draws with inline <style>: allowed here, scripts stay 'self' only.
    resposta.headers["Content-Security-Policy"] = f"{CSP_CONSOLE}; style-src 'self' 'unsafe-inline'"
    return resposta
