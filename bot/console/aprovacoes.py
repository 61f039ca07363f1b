"""Offers above the book: an agent asks, a gestor approves or refuses, and only an approved plan reaches the bot.

Each step checks who may take it and writes the audit entry (who, when) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.atendimento.servico import Variacoes, carregar_fatos
from bot.calendario import fuso
from bot.config.arquivo import Config
from bot.console.excecao import Pedido, avaliar_excecao
from bot.console.operacoes import Recusa, auditar, conversa_legivel, propria
from bot.conversa.fatos import Memoria
from bot.dados.atendentes import AprovacaoOferta, Papel, SituacaoAprovacao, Usuario
from bot.dados.modelos import Conversa, Devedor
from bot.formatos import mascarar_cpf, primeiro_nome
from bot.negociacao.plano import Plano, PlanoImpossivel
from bot.negociacao.saldo import calcular_saldo

JUSTIFICATIVA_MAXIMA = 500


async def pedir_aprovacao(
    s: AsyncSession,
    config: Config,
    usuario: Usuario,
    conversa_id: int,
    pedido: Pedido,
    justificativa: str,
    agora: datetime,
    variacoes: Variacoes | None = None,
) -> AprovacaoOferta:
    """Store a plan outside the book as pending; refused when the book already allows it (offer it directly)."""
    conversa = await propria(s, usuario, conversa_id)
    justificativa = justificativa.strip()
    if not justificativa or len(justificativa) > JUSTIFICATIVA_MAXIMA:
        raise Recusa(400, f"explique ao gestor o motivo da exceção (até {JUSTIFICATIVA_MAXIMA} caracteres)")
    if not Memoria.de_dict(conversa.memoria).identidade_ok:
        raise Recusa(409, "o devedor ainda não confirmou a identidade: não há plano a propor")
    if await _da_conversa(s, conversa_id, SituacaoAprovacao.PENDENTE) is not None:
        raise Recusa(409, "já há um pedido de aprovação pendente nesta conversa")
    devedor = await s.get(Devedor, conversa.devedor_id)
    assert devedor is not None and usuario.id is not None
    hoje = agora.astimezone(fuso(devedor.uf)).date()
    fatos = await carregar_fatos(s, config, devedor, conversa, agora, com_acordo=False, variacoes=variacoes)
    saldo = calcular_saldo(fatos.parcelas, config.encargos, hoje, devedor.uf)
    try:
        excecao = avaliar_excecao(fatos.livro(config.ofertas), saldo, devedor.segmento, pedido, hoje, devedor.uf)
    except PlanoImpossivel as erro:
        raise Recusa(400, f"plano impossível: {erro}") from erro
    if not excecao.limites:
        raise Recusa(409, "este plano não passa dos limites do book: ofereça uma opção do book, sem aprovação")
    aprovacao = AprovacaoOferta(
        conversa_id=conversa_id,
        pedida_por=usuario.id,
        plano=dict(excecao.plano.para_dict()),
        limites=list(excecao.limites),
        justificativa=justificativa,
        criada_em=agora,
    )
    s.add(aprovacao)
    auditar(s, usuario, "pediu_aprovacao", agora, conversa_id, limites=list(excecao.limites))
    await s.commit()
    return aprovacao


async def decidir(s: AsyncSession, gestor: Usuario, aprovacao_id: int, aprovar: bool, agora: datetime) -> int:
    """A gestor approves or refuses a pending plan; returns its conversation id."""
    if gestor.papel != Papel.GESTOR:
        raise Recusa(403, "só um gestor aprova ofertas acima do book")
    aprovacao = await s.get(AprovacaoOferta, aprovacao_id)
    if aprovacao is None:
        raise Recusa(404, "pedido de aprovação inexistente")
    if aprovacao.situacao != SituacaoAprovacao.PENDENTE:
        raise Recusa(409, f"este pedido já foi decidido ({aprovacao.situacao})")
    situacao = SituacaoAprovacao.APROVADA if aprovar else SituacaoAprovacao.RECUSADA
    aprovacao.situacao, aprovacao.decidida_por, aprovacao.decidida_em = situacao.value, gestor.id, agora
    s.add(aprovacao)
    acao = "aprovou_oferta" if aprovar else "recusou_oferta"
    auditar(s, gestor, acao, agora, aprovacao.conversa_id, aprovacao=aprovacao_id)
    await s.commit()
    return aprovacao.conversa_id


async def usar_aprovada(s: AsyncSession, conversa_id: int, aprovacao_id: int, agora: datetime) -> Plano:
    """The approved plan to give the bot, marked used in the caller's transaction (an approval serves once)."""
    aprovacao = await s.get(AprovacaoOferta, aprovacao_id)
    if aprovacao is None or aprovacao.conversa_id != conversa_id:
        raise Recusa(404, "pedido de aprovação inexistente nesta conversa")
    if aprovacao.situacao != SituacaoAprovacao.APROVADA:
        raise Recusa(409, f"só um plano aprovado pode ser oferecido (este está {aprovacao.situacao})")
    plano = Plano.de_dict(aprovacao.plano)
    conversa = await s.get(Conversa, conversa_id)
    devedor = await s.get(Devedor, conversa.devedor_id) if conversa else None
    assert devedor is not None
    if plano.entrada.vencimento < agora.astimezone(fuso(devedor.uf)).date():
        raise Recusa(409, "o primeiro vencimento do plano aprovado já passou: peça uma nova aprovação")
    aprovacao.situacao = SituacaoAprovacao.USADA.value
    s.add(aprovacao)
    return plano


async def _da_conversa(s: AsyncSession, conversa_id: int, situacao: SituacaoAprovacao) -> AprovacaoOferta | None:
    consulta = select(AprovacaoOferta).where(
        AprovacaoOferta.conversa_id == conversa_id, AprovacaoOferta.situacao == situacao.value
    )
    return (await s.exec(consulta)).first()


async def da_conversa(s: AsyncSession, usuario: Usuario, conversa_id: int) -> list[tuple[AprovacaoOferta, Plano]]:
    """Every request of a conversation, oldest first, with its plan."""
    await conversa_legivel(s, usuario, conversa_id)
    consulta = select(AprovacaoOferta).where(AprovacaoOferta.conversa_id == conversa_id)
    return [(a, Plano.de_dict(a.plano)) for a in (await s.exec(consulta.order_by(col(AprovacaoOferta.id)))).all()]


@dataclass(frozen=True)
class ItemAprovacao:
    """A pending request as gestores see it: no full name or CPF, the plan and the limits it exceeds."""

    id: int
    conversa_id: int
    devedor: str
    pedida_por: str
    plano: Plano
    limites: list[str]
    justificativa: str
    criada_em: datetime


async def pendentes(s: AsyncSession) -> list[ItemAprovacao]:
    consulta = (
        select(AprovacaoOferta, Devedor, Usuario)
        .join(Conversa, col(AprovacaoOferta.conversa_id) == col(Conversa.id))
        .join(Devedor, col(Conversa.devedor_id) == col(Devedor.id))
        .join(Usuario, col(AprovacaoOferta.pedida_por) == col(Usuario.id))
        .where(AprovacaoOferta.situacao == SituacaoAprovacao.PENDENTE.value)
        .order_by(col(AprovacaoOferta.id))
    )
    return [
        ItemAprovacao(
            id=a.id or 0,
            conversa_id=a.conversa_id,
            devedor=f"{primeiro_nome(d.nome)} ({mascarar_cpf(d.cpf)})",
            pedida_por=u.nome,
            plano=Plano.de_dict(a.plano),
            limites=a.limites,
            justificativa=a.justificativa,
            criada_em=a.criada_em,
        )
        for a, d, u in (await s.exec(consulta)).all()
    ]
