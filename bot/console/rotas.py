"""Console pages and actions: the queue (live), a conversation, and what a person does in it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from aiohttp import web
from sqlmodel import col, select

from bot.canais.documento_pagamento import anexo_do_documento
from bot.config.prontas import Pronta, preencher
from bot.console import acesso, alertas, anexos, ao_vivo, avisos, gestao
from bot.console.abertura import conferir_abertura
from bot.console.aprovacoes import da_conversa, decidir, pedir_aprovacao, pendentes, usar_aprovada
from bot.console.contexto import CONSOLE, Console, pagina, usuario
from bot.console.excecao import Pedido
from bot.console.janela import como_modelo, janela_aberta
from bot.console.link import emitir_link
from bot.console.operacoes import (
    Ponto,
    Recusa,
    anotar,
    assumir,
    conversa_legivel,
    destino,
    devolver,
    marcar_envio,
    prometer,
    propria,
    reatribuir,
    responder,
)
from bot.console.pagamento_manual import documentos_abertos, novo_nonce, registrar_pagamento
from bot.console.visao import VisaoConversa, carregar_fila, carregar_visao
from bot.dados.atendentes import Papel, Usuario
from bot.dados.banco import sessao
from bot.dados.modelos import Mensagem
from bot.formatos import brl, data_br, parse_data, parse_valor, primeiro_nome
from bot.porta import Envio, ErroCanal, TipoCanal

log = logging.getLogger(__name__)
VIGIA = web.AppKey("console_vigia", asyncio.Task[None])
CABECALHO_FUNDO = "X-Console-Fundo"  # set by console.js on a form it posts in the background


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["conversa_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def pagina_fila(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    async with sessao(console.engine) as s:
        minutos = console.projeto.config.console.alerta_minutos
        itens = await carregar_fila(s, console.relogio(), minutos)
        aprovacoes = await pendentes(s) if usuario(request).papel == Papel.GESTOR else None
    return pagina(request, "fila.html", itens=itens, minutos=minutos, aprovacoes=aprovacoes)


async def pagina_conversa(request: web.Request) -> web.StreamResponse:
    console, eu = request.app[CONSOLE], usuario(request)
    async with sessao(console.engine) as s:
        try:
            conversa = await conversa_legivel(s, eu, _id(request))
        except Recusa as recusa:
            return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
        visao = await carregar_visao(s, console.projeto.config, conversa, console.relogio(), console.variacoes)
        aprovacoes = await da_conversa(s, eu, conversa.id or 0)
        colegas = (await s.exec(select(Usuario).where(col(Usuario.ativo)).order_by(col(Usuario.nome)))).all()
        abertos = await documentos_abertos(s, conversa.devedor_id)
    return pagina(
        request,
        "conversa.html",
        v=visao,
        colegas=colegas,
        pontos=list(Ponto),
        minha=conversa.dono == f"agente:{eu.id}",
        aviso=avisos.aviso(console.projeto.config, request.query.get("aviso", "")),
        aprovacoes=aprovacoes,
        pagaveis=abertos,
        nonce=novo_nonce(),
        prontas=_prontas(console, visao, eu),
    )


def _prontas(console: Console, visao: VisaoConversa, eu: Usuario) -> list[Pronta]:
    """The canned replies of `[console]`, filled for this conversation."""
    config = console.projeto.config
    valor, vencimento = (brl(visao.proxima[0]), data_br(visao.proxima[1])) if visao.proxima else ("", "")
    valores = {
        "primeiro_nome": primeiro_nome(visao.devedor.nome),
        "atendente": eu.nome,
        "credor": config.credor.nome,
        "saldo": brl(visao.saldo.total),
        "valor": valor,
        "vencimento": vencimento,
    }
    return preencher(config.console.respostas_prontas, valores, visao.memoria.identidade_ok)


Acao = Callable[[Console, Usuario, int, dict[str, str]], Awaitable[str | None]]


def _acao(executar: Acao, feito: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A form POST on a conversation: run it, then back to the conversation page (or the error page).

    Posted in the background by the page's script (header `X-Console-Fundo`), the answer is JSON instead:
    {"aviso", "tipo"} or {"erro"}, and the script refreshes the page's parts without reloading it.
    """

    async def handler(request: web.Request) -> web.StreamResponse:
        conversa_id, console = _id(request), request.app[CONSOLE]
        campos = {k: str(v) for k, v in (await request.post()).items()}
        fundo = request.headers.get(CABECALHO_FUNDO) == "1"
        try:
            codigo = await executar(console, usuario(request), conversa_id, campos) or feito
        except Recusa as recusa:
            if fundo:
                return web.json_response({"erro": recusa.mensagem}, status=recusa.status)
            return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
        if fundo:
            dito = avisos.aviso(console.projeto.config, codigo)
            return web.json_response({"aviso": dito.texto if dito else None, "tipo": dito.tipo if dito else None})
        # a fixed code, never the person's or the debtor's words
        return acesso.redirecionar(f"{acesso.PREFIXO}/conversas/{conversa_id}?aviso={codigo}")

    return handler


async def _assumir(console: Console, eu: Usuario, conversa_id: int, _campos: dict[str, str]) -> None:
    async with sessao(console.engine) as s:
        await assumir(s, eu, conversa_id, console.relogio())


async def _reatribuir(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> None:
    try:
        para = int(campos.get("usuario", ""))
    except ValueError:
        raise Recusa(400, "escolha a pessoa") from None
    async with sessao(console.engine) as s:
        await reatribuir(s, eu, conversa_id, para, console.relogio())


async def _responder(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> str | None:
    async with sessao(console.engine) as s:
        await propria(s, eu, conversa_id)  # who may write is said before what the policy allows
        await conferir_abertura(s, console.projeto.config.regua.politica, conversa_id, console.relogio())
        mensagem = await responder(s, eu, conversa_id, campos.get("texto", ""), console.relogio())
    return await enviar(console, [mensagem], eu.nome)


async def _emitir_link(console: Console, eu: Usuario, conversa_id: int, _campos: dict[str, str]) -> str | None:
    projeto, agora = console.projeto, console.relogio()
    async with sessao(console.engine) as s:
        await propria(s, eu, conversa_id)
        await conferir_abertura(s, projeto.config.regua.politica, conversa_id, agora)
        mensagem = await emitir_link(s, projeto.config, projeto.textos, eu, conversa_id, agora)
    return await enviar(console, [mensagem], eu.nome)


async def enviar(console: Console, mensagens: list[Mensagem], atendente: str) -> str | None:
    """Send stored outbound messages through their channel; web and cli chats read them from the database.

    On WhatsApp with the 24 h window closed the approved template goes instead of the first text (and nothing
    else: one re-opening message is enough); returns "janela" then, so the page can tell the person.
    """
    config, aviso = console.projeto.config, None
    async with sessao(console.engine) as s:
        for mensagem in mensagens:
            remetente = console.remetentes.get(mensagem.canal)
            para = await destino(s, mensagem.conversa_id)
            if remetente is None or para.endereco is None:
                await marcar_envio(s, mensagem, "enviada", None)
                continue
            canal = TipoCanal(mensagem.canal)
            pdf = await anexo_do_documento(console.engine, config, console.relogio, canal, mensagem.documento_id)
            envio = Envio(canal, para.endereco, mensagem.texto, chave=f"console-{mensagem.id}", documento=pdf)
            status = "enviada"
            if not janela_aberta(para.canal, para.ultima_entrada, console.relogio()):
                if aviso is not None:
                    await marcar_envio(s, mensagem, "não enviada: janela de 24 h fechada", None)
                    continue
                valores = {"primeiro_nome": para.primeiro_nome, "credor": config.credor.nome, "atendente": atendente}
                envio, aviso = como_modelo(envio, config.console, valores), "janela"
                status = f"no lugar: modelo {config.console.modelo_whatsapp}"
            try:
                await marcar_envio(s, mensagem, status, await remetente.enviar(envio))
            except ErroCanal as erro:
                log.warning("envio da mensagem %s falhou: %s (%s)", mensagem.id, type(erro).__name__, erro.codigo)
                await marcar_envio(s, mensagem, f"falhou: {type(erro).__name__}", None)
    return aviso


async def _devolver(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> str | None:
    try:
        ponto = Ponto(campos.get("ponto", ""))
        opcao = int(campos["opcao"]) if campos.get("opcao") else None
        aprovacao = int(campos["aprovacao"]) if campos.get("aprovacao") else None
    except ValueError:
        raise Recusa(400, "ponto de retorno, opção ou aprovação inválidos") from None
    agora, plano = console.relogio(), None
    async with sessao(console.engine) as s:
        if aprovacao is not None:
            if ponto is not Ponto.OFERTA:
                raise Recusa(400, "um plano aprovado volta ao bot na oferta")
            # Marked used in this session: it commits with the give-back, or not at all.
            plano = await usar_aprovada(s, conversa_id, aprovacao, agora)
        falas = await devolver(s, console.projeto.motor, eu, conversa_id, ponto, agora, opcao, plano,
                               console.variacoes)  # fmt: skip
    return await enviar(console, falas, eu.nome)


async def _pedir_aprovacao(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> str:
    try:
        desconto = Decimal(campos.get("desconto", "").strip().replace(",", ".") or "0")
        pedido = Pedido(desconto, int(campos.get("parcelas", "")))
    except (ValueError, InvalidOperation):
        raise Recusa(400, "informe o desconto em % (ex. 40) e o número de parcelas (1 = à vista)") from None
    async with sessao(console.engine) as s:
        config = console.projeto.config
        await pedir_aprovacao(s, config, eu, conversa_id, pedido, campos.get("justificativa", ""), console.relogio(),
                              console.variacoes)  # fmt: skip
    return "aprovacao"


def _decisao(aprovar: bool) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A gestor's approval or refusal of a plan above the book; back to the queue, where the requests are."""

    async def handler(request: web.Request) -> web.StreamResponse:
        console = request.app[CONSOLE]
        try:
            aprovacao_id = int(request.match_info["aprovacao_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        async with sessao(console.engine) as s:
            try:
                await decidir(s, usuario(request), aprovacao_id, aprovar, console.relogio())
            except Recusa as recusa:
                return pagina(request, "erro.html", status=recusa.status, mensagem=recusa.mensagem)
        return acesso.redirecionar(f"{acesso.PREFIXO}/#aprovacoes")

    return handler


async def _anotar(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> None:
    async with sessao(console.engine) as s:
        await anotar(s, eu, conversa_id, campos.get("texto", ""), console.relogio())


async def _prometer(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> None:
    try:
        valor = parse_valor(campos.get("valor", ""))
        dia = parse_data(campos.get("data", ""))
    except (ValueError, InvalidOperation):
        raise Recusa(400, "informe o valor (ex. 150,00) e a data da promessa (dd/mm/aaaa)") from None
    async with sessao(console.engine) as s:
        await prometer(s, eu, conversa_id, Decimal(valor), dia, console.relogio())


def registrar(app: web.Application, console: Console) -> None:
    """Mount the console under /console on the bot's server."""
    app[CONSOLE] = console
    app[ao_vivo.PARAR] = asyncio.Event()
    app.middlewares.append(acesso.guarda)

    async def _iniciar(app: web.Application) -> None:
        minutos = console.projeto.config.console.alerta_minutos
        vigia = alertas.vigiar(console.engine, console.relogio, minutos, console.intervalo_fila, app[ao_vivo.PARAR])
        app[VIGIA] = asyncio.create_task(vigia)

    async def _parar(app: web.Application) -> None:
        app[ao_vivo.PARAR].set()  # live streams and the watcher end so the server can stop at once
        if VIGIA in app:
            await app[VIGIA]

    app.on_startup.append(_iniciar)
    app.on_shutdown.append(_parar)
    p = acesso.PREFIXO
    app.add_routes(
        [
            web.get(f"{p}/entrar", acesso.formulario_entrar),
            web.post(f"{p}/entrar", acesso.entrar_post),
            web.post(f"{p}/sair", acesso.sair),
            web.get(f"{p}/", pagina_fila),
            web.get(f"{p}/fila/eventos", ao_vivo.eventos_fila),
            web.get(f"{p}/gestao", gestao.pagina_gestao),
            web.get(f"{p}/conversas/{{conversa_id}}", pagina_conversa),
            web.get(f"{p}/conversas/{{conversa_id}}/eventos", ao_vivo.eventos_conversa),
            web.post(f"{p}/conversas/{{conversa_id}}/assumir", _acao(_assumir, "assumida")),
            web.post(f"{p}/conversas/{{conversa_id}}/reatribuir", _acao(_reatribuir, "reatribuida")),
            web.post(f"{p}/conversas/{{conversa_id}}/responder", _acao(_responder, "resposta")),
            web.post(f"{p}/conversas/{{conversa_id}}/devolver", _acao(_devolver, "devolvida")),
            web.post(f"{p}/conversas/{{conversa_id}}/notas", _acao(_anotar, "nota")),
            web.post(f"{p}/conversas/{{conversa_id}}/promessas", _acao(_prometer, "promessa")),
            web.post(f"{p}/conversas/{{conversa_id}}/aprovacoes", _acao(_pedir_aprovacao, "aprovacao")),
            web.post(f"{p}/conversas/{{conversa_id}}/link", _acao(_emitir_link, "link")),
            web.post(f"{p}/conversas/{{conversa_id}}/pagamentos", _acao(registrar_pagamento, "pagamento")),
            *anexos.rotas(p),
            web.post(f"{p}/aprovacoes/{{aprovacao_id}}/aprovar", _decisao(True)),
            web.post(f"{p}/aprovacoes/{{aprovacao_id}}/recusar", _decisao(False)),
            web.static(f"{p}/estatico", Path(__file__).parent / "estatico"),
        ]
    )
