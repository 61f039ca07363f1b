"""Read from the database the facts planning and dispatch decide on: debtors, what is open, pauses, contacts.

Everything is read as plain rows (no ORM object per row): planning streams a million open installments through
here (`parcelas_em_blocos`), and the dispatcher reads a batch's facts on every wave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Executable, Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.regua import Alvo, Politica, Regua
from bot.dados.entrada import StatusEntrega
from bot.dados.fila import filtro_contatos
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
from bot.dados.pausas import RETOMADA
from bot.dados.saida import Saida, SituacaoSaida
from bot.regua.agenda import Cobravel, DevedorRegua, datas_devidas

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
        select(Evento.devedor_id, Evento.tipo, Evento.dados)
        .where(col(Evento.tipo).in_(["pausa", RETOMADA]), col(Evento.criado_em) >= desde)
        .order_by(col(Evento.criado_em), col(Evento.id))
    )
    if ids is not None:
        eventos = eventos.where(col(Evento.devedor_id).in_(ids))
    ultimos: dict[int, tuple[str, Mapping[str, Any]]] = {}
    for devedor_id, tipo, dados in (await s.exec(eventos)).all():
        ultimos[devedor_id] = (tipo, dados)
    for devedor_id, (tipo, dados) in ultimos.items():
        if tipo == "pausa":
            pausas.setdefault(devedor_id, str(dados.get("motivo") or "pausa"))
    return pausas


async def pausa_de(s: AsyncSession, politica: Politica, agora: datetime, devedor_id: int) -> str | None:
    """Why the régua holds this debtor now (None: it does not); what the API and the console show."""
    return (await _pausas(s, politica, agora, [devedor_id])).get(devedor_id)


_COLUNAS_DEVEDOR = tuple(
    col(c) for c in (Devedor.id, Devedor.cpf, Devedor.nome, Devedor.uf, Devedor.segmento, Devedor.telefone,
                     Devedor.telegram_id, Devedor.email, Devedor.telefone_invalido, Devedor.optout_em)
)  # fmt: skip


async def _linhas(s: AsyncSession, consulta: Executable) -> Sequence[Any]:
    """Plain rows of a Core query, in the session's transaction."""
    return (await (await s.connection()).execute(consulta)).all()


async def devedores(
    s: AsyncSession, politica: Politica, agora: datetime, so: int | Collection[int] | None = None
) -> dict[int, DevedorRegua]:
    """Debtors as the régua sees them; `so` limits it to one, or to a batch (a dispatcher's, a planning block's)."""
    ids = _so(so)
    entradas = await _ultimas_entradas(s, ids=ids)
    pausas = await _pausas(s, politica, agora, ids)
    ativos = select(Acordo.devedor_id).where(Acordo.situacao == SituacaoAcordo.ATIVO.value)
    consulta = sa_select(*_COLUNAS_DEVEDOR)
    if ids is not None:
        ativos = ativos.where(col(Acordo.devedor_id).in_(ids))
        consulta = consulta.where(col(Devedor.id).in_(ids))
    com_acordo = set((await s.exec(ativos)).all())
    resultado = {}
    for d_id, cpf, nome, uf, segmento, telefone, telegram_id, email, invalido, optout in await _linhas(s, consulta):
        resultado[d_id] = DevedorRegua(d_id, cpf, nome, uf, segmento, telefone, telegram_id, email, invalido, optout,
                                       entradas.get(d_id), d_id in com_acordo, pausas.get(d_id))  # fmt: skip
    return resultado


def _parcelas_devidas(datas: Collection[date]) -> Select[*tuple[Any, ...]]:
    """Open original installments due on `datas`, as plain rows ordered by debtor, with what their conditions need:
    the contract's highest open installment number and the debtor's oldest open due date (both in the database)."""
    irma, outra, contrato = aliased(Parcela), aliased(Parcela), aliased(Contrato)
    aberta = SituacaoParcela.ABERTA.value
    total = sa_select(func.max(irma.numero)).where(
        col(irma.contrato_id) == col(Parcela.contrato_id), col(irma.situacao) == aberta
    )
    mais_antiga = (
        sa_select(func.min(outra.vencimento))
        .join(contrato, col(contrato.id) == col(outra.contrato_id))
        .where(col(contrato.devedor_id) == col(Contrato.devedor_id), col(outra.situacao) == aberta)
    )
    colunas = (Parcela.id, Contrato.devedor_id, Parcela.vencimento, Parcela.valor, Parcela.valor_pago, Parcela.numero)
    return (
        sa_select(*map(col, colunas), total.scalar_subquery(), col(Contrato.numero), mais_antiga.scalar_subquery())
        .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
        .where(col(Parcela.situacao) == aberta, col(Parcela.vencimento).in_(datas))
        .order_by(col(Contrato.devedor_id), col(Parcela.id))
    )


Faixa = tuple[int | None, int | None]  # debtor ids after the first (exclusive) up to the second (inclusive)


async def parcelas_em_blocos(
    engine: AsyncEngine, regua: Regua, dia: date, tamanho: int
) -> AsyncIterator[tuple[Faixa, list[Cobravel]]]:
    """Stream the open installments due on `dia` from the database, about `tamanho` at a time, never splitting a
    debtor; the ranges are contiguous and the last one is open, so together they cover every debtor id."""
    datas = datas_devidas(regua, Alvo.PARCELA, dia)
    anterior: int | None = None
    if datas:
        async with engine.connect() as conexao:
            resultado = await conexao.stream(_parcelas_devidas(datas))
            bloco: list[Cobravel] = []
            async for linhas in resultado.partitions(tamanho):
                bloco += [_cobravel(dia, *linha) for linha in linhas]
                ultimo = bloco[-1].devedor_id
                corte = next((i for i in range(len(bloco) - 1, -1, -1) if bloco[i].devedor_id != ultimo), -1) + 1
                if corte:  # the last debtor's rows may continue in the next partition: they wait for it
                    yield (anterior, bloco[corte - 1].devedor_id), bloco[:corte]
                    anterior, bloco = bloco[corte - 1].devedor_id, bloco[corte:]
            if bloco:
                yield (anterior, bloco[-1].devedor_id), bloco
                anterior = bloco[-1].devedor_id
    yield (anterior, None), []


def _cobravel(dia: date, ref: int, devedor_id: int, vencimento: date, valor: Decimal, pago: Decimal | None,
              numero: int, total: int, contrato: str, mais_antiga: date) -> Cobravel:  # fmt: skip
    atraso = (dia - mais_antiga).days  # of the debtor's oldest open original installment
    return Cobravel(Alvo.PARCELA, ref, devedor_id, vencimento, valor - (pago or 0), numero, total, contrato, atraso)


async def acordos(s: AsyncSession, faixa: Faixa = (None, None)) -> list[Cobravel]:
    """Open installments of active agreements, and broken agreements, of the debtors in `faixa`."""
    colunas = (AcordoParcela.id, AcordoParcela.numero, AcordoParcela.vencimento, AcordoParcela.valor,
               AcordoParcela.situacao, Acordo.id, Acordo.devedor_id, Acordo.situacao, Acordo.total)  # fmt: skip
    consulta = (
        sa_select(*map(col, colunas))
        .join(Acordo, col(AcordoParcela.acordo_id) == col(Acordo.id))
        .where(col(Acordo.situacao).in_([SituacaoAcordo.ATIVO.value, SituacaoAcordo.QUEBRADO.value]))
        .order_by(col(AcordoParcela.acordo_id), col(AcordoParcela.numero))
    )
    if faixa[0] is not None:
        consulta = consulta.where(col(Acordo.devedor_id) > faixa[0])
    if faixa[1] is not None:
        consulta = consulta.where(col(Acordo.devedor_id) <= faixa[1])
    linhas = await _linhas(s, consulta)
    totais: dict[int, int] = defaultdict(int)
    for linha in linhas:
        totais[linha[5]] += 1
    itens, quebrados = [], set()
    for ref, numero, vencimento, valor, situacao, acordo, devedor_id, situacao_acordo, total in linhas:
        assert ref is not None and acordo is not None
        if situacao != SituacaoAcordoParcela.ABERTA.value:
            continue
        if situacao_acordo == SituacaoAcordo.ATIVO.value:
            itens.append(Cobravel(Alvo.ACORDO, ref, devedor_id, vencimento, valor, numero, totais[acordo],
                                  f"acordo {acordo}"))  # fmt: skip
        elif acordo not in quebrados:  # counted from the first installment left unpaid
            quebrados.add(acordo)
            itens.append(Cobravel(Alvo.QUEBRA, acordo, devedor_id, vencimento, total, numero, totais[acordo],
                                  f"acordo {acordo}"))  # fmt: skip
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
    instante = func.coalesce(col(Saida.enviada_em), col(Saida.reservada_em), col(Saida.proxima_tentativa))
    consulta = sa_select(col(Saida.devedor_id), instante).where(
        col(Saida.situacao).in_(situacoes), filtro_contatos(desde)
    )
    ids = _so(devedor_id)
    if ids is not None:
        consulta = consulta.where(col(Saida.devedor_id).in_(ids))
    if excluir:
        consulta = consulta.where(col(Saida.id).not_in(excluir))
    resultado: dict[int, list[datetime]] = defaultdict(list)
    for devedor, quando in await _linhas(s, consulta):
        resultado[devedor].append(quando)
    pessoas = select(Evento.devedor_id, Evento.criado_em).where(
        Evento.tipo == CONTATO_POR_PESSOA, col(Evento.criado_em) >= desde
    )
    if ids is not None:
        pessoas = pessoas.where(col(Evento.devedor_id).in_(ids))
    for devedor, quando in (await s.exec(pessoas)).all():  # an agent who wrote first counts like a reminder
        resultado[devedor].append(quando)
    return resultado
