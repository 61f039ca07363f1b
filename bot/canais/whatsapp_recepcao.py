"""What to do with each stored WhatsApp unit: a debtor's message or a delivery status."""

from __future__ import annotations

import logging

from sqlalchemy import bindparam
from sqlmodel import col, select

from bot.canais.entregas import registrar_status
from bot.canais.recebido import Arquivo, ArquivoRecebido, AvisoDoCanal, Contexto, Fala, Recebido
from bot.canais.whatsapp_webhook import (
    JANELA_FECHADA,
    SEM_MUDAR_SITUACAO,
    MensagemRecebida,
    ModeloAtualizado,
    ler_mensagem,
    ler_modelo,
    ler_status,
)
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.cru import Preparados, transacao
from bot.dados.entrada import Atualizacao
from bot.dados.fila import janela_fechada_tardia
from bot.dados.modelos import Devedor
from bot.dados.situacao_modelos import SituacaoModelo, gravar_situacao
from bot.formatos import normalizar_telefone
from bot.mensagens.avisos_canal import ROTULOS_MIDIA, Aviso
from bot.porta import TipoCanal

log = logging.getLogger(__name__)

CANAL = TipoCanal.WHATSAPP
# Not answered: reactions, notices, and a message edited or deleted after it was sent (the original was already
# read and answered; a changed "sim" must not re-run a step, and a deletion has nothing to answer).
IGNORADOS = {"reaction", "system", "request_welcome", "ephemeral", "order", "edit", "revoke"}


async def processar_whatsapp(contexto: Contexto, atualizacao: Atualizacao) -> Recebido:
    if atualizacao.tipo == "modelo":
        await _modelo(contexto, ler_modelo(atualizacao.corpo))
        return None
    if atualizacao.tipo == "status":
        status = ler_status(atualizacao.corpo)
        await registrar_status(contexto.engine, CANAL.value, status)
        if status.status == "failed" and status.codigo is not None and int(status.codigo) in JANELA_FECHADA:
            async with sessao(contexto.engine) as s:
                if await janela_fechada_tardia(s, status.id, contexto.agora()):
                    log.info("lembrete %s recusado tarde (131047): volta à fila como modelo aprovado", status.id)
        return None
    return await _mensagem(contexto, ler_mensagem(atualizacao.corpo))


async def _modelo(contexto: Contexto, modelo: ModeloAtualizado) -> None:
    """Meta approved, rejected, paused or disabled a template: kept, so `check` and `modelos` show it."""
    if modelo.situacao in SEM_MUDAR_SITUACAO:
        log.info("modelo %s (%s) na Meta: %s (a situação não muda)", modelo.nome, modelo.idioma, modelo.situacao)
        return
    async with sessao(contexto.engine) as s:
        nova = SituacaoModelo(nome=modelo.nome, idioma=modelo.idioma, situacao=modelo.situacao,
                              id_meta=modelo.id_meta or None, categoria=modelo.categoria, motivo=modelo.motivo,
                              atualizado_em=modelo.instante)  # fmt: skip
        if await gravar_situacao(s, nova):
            await s.commit()
    log.info("modelo %s (%s) na Meta: %s", modelo.nome, modelo.idioma, modelo.situacao)


# Built once (every message runs it): the ids of the debtors reachable at a number, oldest first; a number
# reported wrong (`telefone_invalido`) no longer leads to its debtor (as `repositorio.devedor_por_telefone`).
_POR_TELEFONE = Preparados(
    select(col(Devedor.id))
    .where(col(Devedor.telefone) == bindparam("e164"), col(Devedor.telefone_invalido).is_(False))
    .order_by(col(Devedor.id))
)


async def devedor_do_numero(contexto: Contexto, wa_id: str) -> int | None:
    """The debtor at this number (digits, country code first; WhatsApp and SMS), with or without the ninth digit;
    the oldest when a family shares it."""
    try:
        e164 = normalizar_telefone("+" + wa_id)
    except ValueError:
        return None  # not a Brazilian number we could have in the portfolio
    async with transacao(contexto.engine, leitura=True) as t:
        devedores = [devedor_id for (devedor_id,) in await t.linhas(_POR_TELEFONE, {"e164": e164})]
    if len(devedores) > 1:
        log.info("número compartilhado por %s devedores: conversa com o mais antigo", len(devedores))
    return devedores[0] if devedores else None


async def _mensagem(contexto: Contexto, mensagem: MensagemRecebida) -> Recebido:
    if mensagem.tipo in IGNORADOS:
        log.info("WhatsApp %s ignorado (%s)", mensagem.tipo, mensagem.id)
        return None
    destino = "+" + mensagem.de
    devedor_id = await devedor_do_numero(contexto, mensagem.de)
    if devedor_id is None:
        # Reveal nothing: not whether the number is in the portfolio under another name, not the creditor's claim.
        return AvisoDoCanal(CANAL, destino, Aviso.DESCONHECIDO)
    if mensagem.texto.strip() or mensagem.opcao:
        return Fala(CANAL, destino, devedor_id, Entrada(mensagem.texto, mensagem.opcao), mensagem.id)
    rotulo = ROTULOS_MIDIA.get(mensagem.tipo, mensagem.tipo)
    arquivo = None
    if mensagem.midia is not None:
        m = mensagem.midia
        arquivo = ArquivoRecebido(mensagem.tipo, m.id, m.mime, m.nome, m.legenda)
    descricao = f"[{rotulo}]" + (f" {arquivo.legenda}" if arquivo and arquivo.legenda else "")
    return Arquivo(CANAL, destino, devedor_id, mensagem.id, descricao, arquivo)
