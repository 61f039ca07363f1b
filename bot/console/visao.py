"""What the console shows: the queue, and one conversation with everything an agent needs in front of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.atendimento.servico import Variacoes, carregar_fatos
from bot.calendario import fuso
from bot.config.arquivo import Config
from bot.console.alertas import atrasada
from bot.console.historico import LinhaHistorico, carregar_historico
from bot.console.leituras import LeituraAnexo, carregar_leituras
from bot.conversa.fatos import Memoria
from bot.dados.atendentes import Nota, PromessaPagamento, Usuario
from bot.dados.entrada import Anexo
from bot.dados.modelos import (
    PREFIXO_AGENTE,
    Acordo,
    AcordoParcela,
    Conversa,
    Devedor,
    DocumentoPagamento,
    Mensagem,
    SituacaoAcordo,
    SituacaoAcordoParcela,
    SituacaoTransferencia,
    Transferencia,
)
from bot.formatos import mascarar_cpf, primeiro_nome
from bot.negociacao.ofertas import escolher_faixa, montar_plano
from bot.negociacao.plano import Plano, PlanoImpossivel
from bot.negociacao.politica import LivroOfertas
from bot.negociacao.saldo import Saldo, calcular_saldo

MOTIVOS = {
    "pedido": "Pediu uma pessoa",
    "contestacao": "Contestação",
    "identidade": "Identidade bloqueada",
    "proposta": "Contraproposta",
    "incompreensao": "Não entendido repetidas vezes",
    "ja_paguei": "\u201cJá paguei\u201d a conferir",
    "sem_oferta": "Sem oferta no book",
    "sem_acordo": "Sem acordo",
    "comprovante": "Comprovante a conferir",
}
# Lower is more urgent: disputes and locked identities first (legal exposure), then people waiting on a decision.
PRIORIDADES = {"contestacao": 0, "identidade": 0, "comprovante": 0, "ja_paguei": 1, "proposta": 1, "pedido": 1}
ROTULOS_PRIORIDADE = ("alta", "média", "normal")


def espera(desde: datetime, agora: datetime) -> str:
    minutos = max(0, int((agora - desde).total_seconds() // 60))
    if minutos < 60:
        return f"{minutos} min"
    if minutos < 24 * 60:
        return f"{minutos // 60} h {minutos % 60:02d} min"
    return f"{minutos // (24 * 60)} d {minutos % (24 * 60) // 60} h"


@dataclass(frozen=True)
class ItemFila:
    conversa_id: int
    motivo: str
    prioridade: str
    espera: str
    devedor: str
    canal: str
    dono: str
    situacao: str
    urgencia: int
    alerta: bool  # waiting for a person longer than `[console] alerta_minutos`


async def nomes_de_usuarios(s: AsyncSession) -> dict[str, str]:
    """`agente:<id>` → the person's name, for showing owners."""
    return {f"{PREFIXO_AGENTE}{u.id}": u.nome for u in (await s.exec(select(Usuario))).all()}


def rotulo_dono(dono: str, nomes: dict[str, str]) -> str:
    return {"bot": "bot", "fila": "na fila"}.get(dono) or nomes.get(dono, dono)


async def carregar_fila(s: AsyncSession, agora: datetime, alerta_minutos: int) -> list[ItemFila]:
    """Open hand-offs, most urgent first, then longest waiting."""
    consulta = (
        select(Transferencia, Conversa, Devedor)
        .join(Conversa, col(Transferencia.conversa_id) == col(Conversa.id))
        .join(Devedor, col(Transferencia.devedor_id) == col(Devedor.id))
        .where(Transferencia.situacao != SituacaoTransferencia.ENCERRADA.value)
    )
    nomes = await nomes_de_usuarios(s)
    itens = []
    for t, c, d in (await s.exec(consulta)).all():
        urgencia = PRIORIDADES.get(t.motivo, 2)
        itens.append(
            ItemFila(
                conversa_id=c.id or 0,
                motivo=MOTIVOS.get(t.motivo, t.motivo),
                prioridade=ROTULOS_PRIORIDADE[urgencia],
                espera=espera(t.criada_em, agora),
                devedor=f"{primeiro_nome(d.nome)} ({mascarar_cpf(d.cpf)})",
                canal=c.canal,
                dono=rotulo_dono(c.dono, nomes),
                situacao=t.situacao,
                urgencia=urgencia,
                alerta=atrasada(t, agora, alerta_minutos),
            )
        )
    return sorted(itens, key=lambda i: (i.situacao != SituacaoTransferencia.AGUARDANDO.value, i.urgencia))


@dataclass(frozen=True)
class OfertaLivro:
    opcao: int
    plano: Plano


@dataclass(frozen=True)
class VisaoConversa:
    conversa: Conversa
    devedor: Devedor
    cpf: str
    dono: str
    saldo: Saldo
    memoria: Memoria
    transferencia: Transferencia | None
    motivo: str | None
    mensagens: list[Mensagem]
    anexos: list[Anexo]
    leituras: dict[int, LeituraAnexo]  # by file id: a voice note's transcript, a receipt's reading
    historico: list[LinhaHistorico]
    acordos: list[tuple[Acordo, list[DocumentoPagamento]]]
    notas: list[tuple[Nota, str]]
    promessas: list[PromessaPagamento]
    ofertas: list[OfertaLivro]
    proxima: tuple[Decimal, date] | None  # what to pay next: the agreement's first open installment, or the oldest


async def carregar_visao(
    s: AsyncSession, config: Config, conversa: Conversa, agora: datetime, variacoes: Variacoes | None = None
) -> VisaoConversa:
    devedor = await s.get(Devedor, conversa.devedor_id)
    assert devedor is not None and conversa.id is not None
    hoje = agora.astimezone(fuso(devedor.uf)).date()
    fatos = await carregar_fatos(s, config, devedor, conversa, agora, com_acordo=False, variacoes=variacoes)
    saldo = calcular_saldo(fatos.parcelas, config.encargos, hoje, devedor.uf)
    nomes = await nomes_de_usuarios(s)
    transferencia = (
        await s.exec(
            select(Transferencia).where(Transferencia.conversa_id == conversa.id).order_by(col(Transferencia.id).desc())
        )
    ).first()
    acordos = (await s.exec(select(Acordo).where(Acordo.devedor_id == devedor.id).order_by(col(Acordo.id)))).all()
    documentos: dict[int, list[DocumentoPagamento]] = {}
    for doc in (
        await s.exec(select(DocumentoPagamento).where(col(DocumentoPagamento.acordo_id).in_([a.id for a in acordos])))
    ).all():
        documentos.setdefault(doc.acordo_id, []).append(doc)
    return VisaoConversa(
        conversa=conversa,
        devedor=devedor,
        cpf=mascarar_cpf(devedor.cpf),
        dono=rotulo_dono(conversa.dono, nomes),
        saldo=saldo,
        memoria=Memoria.de_dict(conversa.memoria),
        transferencia=transferencia,
        motivo=MOTIVOS.get(transferencia.motivo, transferencia.motivo) if transferencia else None,
        mensagens=await carregar_mensagens(s, conversa.id),
        anexos=(anexos := await carregar_anexos(s, conversa.id)),
        leituras=await carregar_leituras(s, anexos),
        historico=await carregar_historico(s, devedor.id or 0, conversa.id, nomes),
        acordos=[(a, documentos.get(a.id or 0, [])) for a in acordos],
        notas=[
            (n, nomes.get(f"{PREFIXO_AGENTE}{n.usuario_id}", "?"))
            for n in await _todas(s, Nota, Nota.conversa_id == conversa.id, Nota.id)
        ],
        promessas=list(
            await _todas(s, PromessaPagamento, PromessaPagamento.conversa_id == conversa.id, PromessaPagamento.id)
        ),
        ofertas=_ofertas(fatos.livro(config.ofertas), saldo, devedor, agora),  # the debtor's variant's book
        proxima=await _proxima(s, acordos, saldo),
    )


async def _proxima(s: AsyncSession, acordos: Sequence[Acordo], saldo: Saldo) -> tuple[Decimal, date] | None:
    """The next payment: the active agreement's first open installment, else the oldest overdue one (with charges)."""
    ativo = next((a for a in acordos if a.situacao == SituacaoAcordo.ATIVO.value), None)
    if ativo is not None:
        parcela = (
            await s.exec(
                select(AcordoParcela)
                .where(
                    AcordoParcela.acordo_id == ativo.id, AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA.value
                )
                .order_by(col(AcordoParcela.numero))
            )
        ).first()
        if parcela is not None:
            return parcela.valor, parcela.vencimento
    linha = min(saldo.linhas, key=lambda linha: linha.parcela.vencimento, default=None)
    return None if linha is None else (linha.total, linha.parcela.vencimento)


async def carregar_mensagens(s: AsyncSession, conversa_id: int) -> list[Mensagem]:
    return list(await _todas(s, Mensagem, Mensagem.conversa_id == conversa_id, Mensagem.id))


async def carregar_anexos(s: AsyncSession, conversa_id: int) -> list[Anexo]:
    """Images and documents the debtor sent (receipts): shown by type, name and caption, never auto-opened."""
    return list(await _todas(s, Anexo, Anexo.conversa_id == conversa_id, Anexo.id))


async def _todas(s: AsyncSession, tabela: Any, condicao: Any, ordem: Any) -> Any:
    return (await s.exec(select(tabela).where(condicao).order_by(col(ordem)))).all()


def _ofertas(livro: LivroOfertas, saldo: Saldo, devedor: Devedor, agora: datetime) -> list[OfertaLivro]:
    """Every option of the debtor's tier that the book allows today."""
    faixa = escolher_faixa(livro, saldo, devedor.segmento)
    if faixa is None:
        return []
    hoje = agora.astimezone(fuso(devedor.uf)).date()
    ofertas = []
    for opcao in range(len(faixa.opcoes)):
        try:
            ofertas.append(OfertaLivro(opcao, montar_plano(faixa, opcao, saldo, hoje, devedor.uf, livro)))
        except PlanoImpossivel:
            continue
    return ofertas
