"""Read from the database the facts planning and dispatch decide on: debtors, what is open, pauses, contacts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Contrato,
    Conversa,
    Devedor,
    Direcao,
    Dono,
    Evento,
    Mensagem,
    Parcela,
    SituacaoAcordo,
    SituacaoAcordoParcela,
    SituacaoParcela,
)
from bot.dados.saida import Saida, SituacaoSaida
from bot.regua.config import Alvo, Politica
from bot.regua.fila import filtro_contatos
from bot.regua.plano import Cobravel, DevedorRegua

RETOMADA = "retomada"  # event an agent records to end a pause before `pausa_dias`
PAUSA_PESSOA = "conversa com uma pessoa"  # the régua holds while an agent owns a chat
CONTATO_POR_PESSOA = "contato_por_pessoa"  # event: an agent opened a conversation (counts toward the caps)


def _so(ids: int | Collection[int] | None) -> Collection[int] | None:
    return [ids] if isinstance(ids, int) else ids


async def _ultimas_entradas(
    s: AsyncSession, canal: str | None = None, ids: Collection[int] | None = None
) -> dict[int, datetime]:
    consulta = (
        select(Conversa.devedor_id, func.max(Mensagem.criada_em))
        .join(Conversa, col(Mensagem.conversa_id) == col(Conversa.id))
        .where(Mensagem.direcao == Direcao.ENTRADA.value)
        .group_by(col(Conversa.devedor_id))
    )
    if canal is not None:
        consulta = consulta.where(Mensagem.canal == canal)
    if ids is not None:
        consulta = consulta.where(col(Conversa.devedor_id).in_(ids))
    return {d: m for d, m in (await s.exec(consulta)).all() if m is not None}


async def ultima_entrada_whatsapp(s: AsyncSession, devedor_id: int) -> datetime | None:
    """When the debtor last wrote on WhatsApp: the 24 h free-text window runs from it."""
    return (await entradas_whatsapp(s, [devedor_id])).get(devedor_id)


async def entradas_whatsapp(s: AsyncSession, ids: Collection[int]) -> dict[int, datetime]:
    """The same for a batch of debtors at once (those who never wrote are absent)."""
    return await _ultimas_entradas(s, "whatsapp", ids)


async def _pausas(
    s: AsyncSession, politica: Politica, agora: datetime, ids: Collection[int] | None = None
) -> dict[int, str]:
    """Debtors on hold: an agent owns a chat, or a recent 'pausa' event (dispute, 'já paguei') not yet lifted."""
    pausas: dict[int, str] = {}
    donos = select(Conversa.devedor_id).where(Conversa.dono != Dono.BOT.value)
    if ids is not None:
        donos = donos.where(col(Conversa.devedor_id).in_(ids))
    for devedor_id in (await s.exec(donos)).all():
        pausas[devedor_id] = PAUSA_PESSOA
    desde = agora - timedelta(days=politica.pausa_dias)
    eventos = (
        select(Evento)
        .where(col(Evento.tipo).in_(["pausa", RETOMADA]), col(Evento.criado_em) >= desde)
        .order_by(col(Evento.criado_em), col(Evento.id))
    )
    if ids is not None:
        eventos = eventos.where(col(Evento.devedor_id).in_(ids))
    ultimos: dict[int, Evento] = {}
    for evento in (await s.exec(eventos)).all():
        ultimos[evento.devedor_id] = evento
    for devedor_id, evento in ultimos.items():
        if evento.tipo == "pausa":
            pausas.setdefault(devedor_id, str(evento.dados.get("motivo") or "pausa"))
    return pausas


async def devedores(
    s: AsyncSession, politica: Politica, agora: datetime, so: int | Collection[int] | None = None
) -> dict[int, DevedorRegua]:
    """Debtors as the régua sees them; `so` limits it to one, or to a batch (the dispatcher's)."""
    ids = _so(so)
    entradas = await _ultimas_entradas(s, ids=ids)
    pausas = await _pausas(s, politica, agora, ids)
    ativos = select(Acordo.devedor_id).where(Acordo.situacao == SituacaoAcordo.ATIVO.value)
    consulta = select(Devedor)
    if ids is not None:
        ativos = ativos.where(col(Acordo.devedor_id).in_(ids))
        consulta = consulta.where(col(Devedor.id).in_(ids))
    com_acordo = set((await s.exec(ativos)).all())
    resultado = {}
    for d in (await s.exec(consulta)).all():
        assert d.id is not None
        resultado[d.id] = DevedorRegua(
            d.id, d.cpf, d.nome, d.uf, d.segmento, d.telefone, d.telegram_id, d.email, d.telefone_invalido,
            d.optout_em, entradas.get(d.id), d.id in com_acordo, pausas.get(d.id),
        )  # fmt: skip
    return resultado


async def cobraveis(s: AsyncSession, dia: date) -> list[Cobravel]:
    """Open original installments, open installments of active agreements, and broken agreements."""
    itens: list[Cobravel] = []
    abertas = (
        select(Parcela, Contrato)
        .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
        .where(Parcela.situacao == SituacaoParcela.ABERTA.value)
    )
    linhas = (await s.exec(abertas)).all()
    mais_antiga: dict[int, date] = {}
    totais: dict[int, int] = defaultdict(int)
    for parcela, contrato in linhas:
        anterior = mais_antiga.get(contrato.devedor_id, parcela.vencimento)
        mais_antiga[contrato.devedor_id] = min(anterior, parcela.vencimento)
        totais[parcela.contrato_id] = max(totais[parcela.contrato_id], parcela.numero)
    for parcela, contrato in linhas:
        assert parcela.id is not None
        atraso = (dia - mais_antiga[contrato.devedor_id]).days
        itens.append(
            Cobravel(Alvo.PARCELA, parcela.id, contrato.devedor_id, parcela.vencimento, parcela.em_aberto,
                     parcela.numero, totais[parcela.contrato_id], contrato.numero, atraso)
        )  # fmt: skip
    itens += await _acordos(s)
    return itens


async def _acordos(s: AsyncSession) -> list[Cobravel]:
    consulta = (
        select(AcordoParcela, Acordo)
        .join(Acordo, col(AcordoParcela.acordo_id) == col(Acordo.id))
        .where(col(Acordo.situacao).in_([SituacaoAcordo.ATIVO.value, SituacaoAcordo.QUEBRADO.value]))
        .order_by(col(AcordoParcela.acordo_id), col(AcordoParcela.numero))
    )
    linhas = (await s.exec(consulta)).all()
    totais: dict[int, int] = defaultdict(int)
    for parcela, _acordo in linhas:
        totais[parcela.acordo_id] += 1
    itens, quebrados = [], set()
    for parcela, acordo in linhas:
        assert parcela.id is not None and acordo.id is not None
        if parcela.situacao != SituacaoAcordoParcela.ABERTA.value:
            continue
        if acordo.situacao == SituacaoAcordo.ATIVO.value:
            itens.append(Cobravel(Alvo.ACORDO, parcela.id, acordo.devedor_id, parcela.vencimento, parcela.valor,
                                  parcela.numero, totais[acordo.id], f"acordo {acordo.id}"))  # fmt: skip
        elif acordo.id not in quebrados:  # counted from the first installment left unpaid
            quebrados.add(acordo.id)
            itens.append(Cobravel(Alvo.QUEBRA, acordo.id, acordo.devedor_id, parcela.vencimento, acordo.total,
                                  parcela.numero, totais[acordo.id], f"acordo {acordo.id}"))  # fmt: skip
    return itens


async def em_aberto(s: AsyncSession, alvo: str) -> bool:
    """Whether what an outbox row reminds of is still owed (else the reminder is obsolete)."""
    return alvo in await abertos(s, [alvo])


async def abertos(s: AsyncSession, alvos: Iterable[str]) -> set[str]:
    """Which of these outbox targets are still owed, in one query per kind of target."""
    por_tipo: dict[str, set[int]] = defaultdict(set)
    resultado = set()
    for alvo in alvos:
        tipo, _, numero = alvo.partition(":")
        if tipo == "pagamento":  # a payment's thank-you (bot.pagamentos.agradecimento) never becomes obsolete
            resultado.add(alvo)
        else:
            por_tipo[tipo].add(int(numero))
    consultas = {
        Alvo.PARCELA: select(Parcela.id).where(
            col(Parcela.id).in_(por_tipo[Alvo.PARCELA]), Parcela.situacao == SituacaoParcela.ABERTA.value
        ),
        Alvo.ACORDO: select(AcordoParcela.id)
        .join(Acordo, col(AcordoParcela.acordo_id) == col(Acordo.id))
        .where(
            col(AcordoParcela.id).in_(por_tipo[Alvo.ACORDO]),
            AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA.value,
            Acordo.situacao == SituacaoAcordo.ATIVO.value,
        ),
        Alvo.QUEBRA: select(Acordo.id).where(
            col(Acordo.id).in_(por_tipo[Alvo.QUEBRA]), Acordo.situacao == SituacaoAcordo.QUEBRADO.value
        ),
    }
    for tipo, consulta in consultas.items():
        if por_tipo[tipo]:
            resultado |= {f"{tipo.value}:{ref}" for ref in (await s.exec(consulta)).all()}
    return resultado


async def falharam_fora_da_janela(s: AsyncSession, ids_provedor: Collection[str]) -> set[str]:
    """Which of these messages WhatsApp already reported `failed` with 131047 (window closed)."""
    consulta = select(StatusEntrega.id_externo).where(
        StatusEntrega.canal == "whatsapp",
        col(StatusEntrega.id_externo).in_(ids_provedor),
        StatusEntrega.status == "failed",
        StatusEntrega.codigo == "131047",
    )
    return set((await s.exec(consulta)).all()) if ids_provedor else set()


async def contatos(
    s: AsyncSession,
    desde: datetime,
    pendentes: bool,
    devedor_id: int | Collection[int] | None = None,
    excluir: Collection[int] = (),
) -> dict[int, list[datetime]]:
    """Each debtor's contacts since `desde` (or one debtor's): sent or in flight, with `pendentes` also scheduled."""
    situacoes = [SituacaoSaida.ENVIADA.value, SituacaoSaida.ENVIANDO.value]
    if pendentes:
        situacoes.append(SituacaoSaida.PENDENTE.value)
    consulta = select(Saida).where(col(Saida.situacao).in_(situacoes), filtro_contatos(desde))
    ids = _so(devedor_id)
    if ids is not None:
        consulta = consulta.where(col(Saida.devedor_id).in_(ids))
    if excluir:
        consulta = consulta.where(col(Saida.id).not_in(excluir))
    resultado: dict[int, list[datetime]] = defaultdict(list)
    for saida in (await s.exec(consulta)).all():
        quando = saida.enviada_em or saida.reservada_em or saida.proxima_tentativa
        resultado[saida.devedor_id].append(quando)
    pessoas = select(Evento.devedor_id, Evento.criado_em).where(
        Evento.tipo == CONTATO_POR_PESSOA, col(Evento.criado_em) >= desde
    )
    if ids is not None:
        pessoas = pessoas.where(col(Evento.devedor_id).in_(ids))
    for devedor, quando in (await s.exec(pessoas)).all():  # an agent who wrote first counts like a reminder
        resultado[devedor].append(quando)
    return resultado
