"""Outbox operations: enqueue idempotently, claim atomically, settle each row, cancel what became obsolete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.regua import Regua
from bot.dados.envios import EnvioChave
from bot.dados.saida import MudancaSaida, NovaSaida, Saida, SituacaoSaida
from bot.porta import TipoCanal
from bot.regua.agenda import Linha, Pedido, prazo

_PENDENTE = SituacaoSaida.PENDENTE.value
_ENVIANDO = SituacaoSaida.ENVIANDO.value
_SAIDA: Any = Saida.__table__  # type: ignore[attr-defined]


def linha_da_saida(regua: Regua, pedido: Pedido, quando: datetime, motivo: str | None) -> NovaSaida:
    texto, modelo, parametros = pedido.conteudo()
    restantes = list(pedido.passo.canais[pedido.passo.canais.index(pedido.canal) + 1 :])
    return {
        "alvo": pedido.item.chave,
        "passo": pedido.passo.nome,
        "canal": pedido.canal.value,
        "devedor_id": pedido.devedor.id,
        "destino": pedido.destino,
        "texto": texto,
        "modelo": modelo,
        "parametros": list(parametros),
        "usar_modelo": False,
        "canais_restantes": [c.value for c in restantes],
        "situacao": _PENDENTE,
        "tentativas": 0,
        "proxima_tentativa": quando,
        "prazo": prazo(regua, pedido),
        "motivo": motivo,
        "dados": {"variaveis": dict(pedido.variaveis), "dia": pedido.dia.isoformat()} | _da_variante(pedido, restantes),
        "variante": pedido.variante.rotulo if pedido.variante else None,
    }


def _da_variante(pedido: Pedido, restantes: Sequence[TipoCanal]) -> dict[str, Any]:
    """The variant's texts for the step's fallback channels: a fallback sends what the debtor's variant says."""
    variante = pedido.variante
    if variante is None:
        return {}
    modelos = {c.value: variante.modelos[c].model_dump(mode="json") for c in restantes if c in variante.modelos}
    return {"modelos_variante": modelos} if modelos else {}


async def inserir(s: AsyncSession, valores: Sequence[NovaSaida]) -> int:
    """Insert rows, ignoring those whose (alvo, passo, canal) is already there; returns how many are new.

    One statement run for many parameter sets: SQLAlchemy compiles it once and sends the rows in batched
    multi-row INSERTs ("insertmanyvalues"), where `.values(rows)` would build and compile a new statement per call.
    """
    if not valores:
        return 0
    dialeto = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    comando = dialeto.insert(_SAIDA).on_conflict_do_nothing().returning(_SAIDA.c.id)
    conexao = await s.connection()
    novos = len((await conexao.execute(comando, list(valores))).all())
    await s.commit()
    return novos


async def enfileirar(s: AsyncSession, regua: Regua, linhas: Sequence[Linha]) -> int:
    """Write the day's plan to the outbox: scheduled and deferred reminders; dropped ones stay in the report."""
    valores = [linha_da_saida(regua, ln.pedido, ln.quando, ln.motivo) for ln in linhas if ln.pedido and ln.quando]
    return await inserir(s, valores)


async def reservar(s: AsyncSession, canal: str, agora: datetime, limite: int) -> list[Saida]:
    """Claim up to `limite` due rows of a channel in one statement, so two dispatchers never take the same row.

    `FOR UPDATE SKIP LOCKED` lets PostgreSQL dispatchers pass over each other's rows; SQLite ignores it and
    serialises writers instead. The rows are picked in a materialised CTE: as a plain `IN (SELECT … LIMIT n)`
    PostgreSQL may run the subquery again while updating and claim every due row instead of `limite`.
    """
    if limite <= 0:
        return []
    devidas = (
        select(Saida.id)
        .where(Saida.situacao == _PENDENTE, Saida.canal == canal, col(Saida.proxima_tentativa) <= agora)
        .order_by(col(Saida.proxima_tentativa), col(Saida.id))
        .limit(limite)
        .with_for_update(skip_locked=True)
        .cte("devidas")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    comando = (
        update(Saida)
        .where(col(Saida.id).in_(select(devidas.c.id)), col(Saida.situacao) == _PENDENTE)
        .values(situacao=_ENVIANDO, reservada_em=agora, tentativas=col(Saida.tentativas) + 1)
        .returning(Saida)
    )
    linhas = list((await s.exec(comando)).scalars().all())
    await s.commit()
    return linhas


async def interrompidas(s: AsyncSession, antes_de: datetime) -> list[Saida]:
    """Rows claimed before `antes_de` and never settled: their dispatcher died."""
    consulta = select(Saida).where(Saida.situacao == _ENVIANDO, col(Saida.reservada_em) < antes_de)
    return list((await s.exec(consulta)).all())


async def marcar(s: AsyncSession, saida_id: int, de: str, **valores: Unpack[MudancaSaida]) -> bool:
    """Move a row on from state `de`; False when someone else already did."""
    comando = update(Saida).where(col(Saida.id) == saida_id, col(Saida.situacao) == de).values(**valores)
    resultado = await s.exec(comando)
    await s.commit()
    return bool(getattr(resultado, "rowcount", 0))


async def cancelar_pendentes(
    s: AsyncSession, motivo: str, devedor_id: int | None = None, alvo: str | None = None
) -> int:
    """Drop a debtor's (or one debt's) pending reminders at once and commit: payment, opt-out. Returns how many."""
    quantos = await descartar_pendentes(s, motivo, devedor_id, alvo)
    await s.commit()
    return quantos


async def descartar_pendentes(
    s: AsyncSession, motivo: str, devedor_id: int | None = None, alvo: str | None = None, canais: Sequence[str] = ()
) -> int:
    """The same inside the caller's transaction (not committed), so the cause and the drop land together;
    `canais` narrows it to those channels."""
    filtro = [col(Saida.situacao) == _PENDENTE]
    if devedor_id is not None:
        filtro.append(col(Saida.devedor_id) == devedor_id)
    if alvo is not None:
        filtro.append(col(Saida.alvo) == alvo)
    if len(filtro) == 1:
        raise ValueError("cancelar_pendentes precisa de devedor_id ou alvo")
    if canais:
        filtro.append(col(Saida.canal).in_(canais))
    comando = update(Saida).where(*filtro).values(situacao=SituacaoSaida.DESCARTADA.value, motivo=motivo)
    resultado = await s.exec(comando)
    return int(getattr(resultado, "rowcount", 0))


async def janela_fechada_tardia(s: AsyncSession, id_provedor: str, agora: datetime) -> bool:
    """A `failed` status with 131047 after the send was accepted: send again, as the approved template."""
    consulta = select(Saida).where(
        Saida.id_provedor == id_provedor, Saida.situacao == SituacaoSaida.ENVIADA.value, Saida.canal == "whatsapp"
    )
    saida = (await s.exec(consulta)).first()
    if saida is None or saida.id is None or saida.usar_modelo:
        return False
    # The senders' ledger holds this key as accepted; the failed send no longer counts (same commit as below).
    await s.exec(
        delete(EnvioChave).where(col(EnvioChave.chave) == saida.chave, col(EnvioChave.id_provedor) == id_provedor)
    )
    return await marcar(
        s, saida.id, SituacaoSaida.ENVIADA.value, situacao=_PENDENTE, usar_modelo=True, proxima_tentativa=agora,
        motivo="janela de 24 h fechada (131047): reenviar como modelo aprovado", enviada_em=None,
    )  # fmt: skip


def filtro_contatos(desde: datetime) -> Any:
    return or_(col(Saida.proxima_tentativa) >= desde, col(Saida.enviada_em) >= desde)
