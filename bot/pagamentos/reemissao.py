"""Background retry of PSP charges that failed: with growing waits, then an `erro_provedor_desistiu` event.

Every minute `Reemissor.rodada` takes the due charges of active agreements' current documents (failed, or left
`pendente` by a call that never finished) and documents that never got a charge row. Each attempt is claimed
first, with a conditional UPDATE on the attempt counter (or the unique charge key for a missing row), so two
servers never call the provider for the same document at once; the provider lookup by `externalReference` keeps
one charge anyway. When the charge is issued, the debtor's payment message is queued in the outbox in the same
transaction (unique key per document), so the contact policy and the WhatsApp window apply as to any reminder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import and_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.boleto_pix.tentativas import desistiu, reservar_ate
from bot.calendario import fuso
from bot.dados.banco import sessao
from bot.dados.cobrancas import CobrancaPsp
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Devedor,
    DocumentoPagamento,
    Evento,
    SituacaoAcordo,
    SituacaoAcordoParcela,
)
from bot.pagamentos.aviso_cobranca import AvisoCobranca
from bot.pagamentos.documentos import documento_atual, pagina_valida
from bot.pagamentos.emissao import Emissor, SituacaoCobranca, chave_do_documento
from bot.tarefas import a_cada, no_servidor

log = logging.getLogger(__name__)

RECENTE = timedelta(minutes=1)  # a document younger than this is still being issued by the call that made it
_EMITIDA = SituacaoCobranca.EMITIDA


@dataclass
class Resumo:
    tentadas: int = 0
    emitidas: int = 0
    desistencias: int = 0


@dataclass(frozen=True)
class Reemissor:
    emissor: Emissor
    relogio: Callable[[], datetime]

    @property
    def engine(self) -> AsyncEngine:
        return self.emissor.engine

    async def rodada(self) -> Resumo:
        """One tick: claim and try every due charge (and every document without one), give up after the last."""
        agora, resumo = self.relogio(), Resumo()
        for documento_id in await self._sem_cobranca(agora):
            if await self._reservar_nova(documento_id, agora):
                await self._tentar(documento_id, 1, agora, resumo)
        for cobranca in await self._devidas(agora):
            assert cobranca.id is not None and cobranca.documento_id is not None
            if not await self._atual(cobranca.documento_id, agora):
                await self._largar(cobranca.id, cobranca.tentativas)  # paid, renewed, expired or cancelled meanwhile
            elif desistiu(cobranca.tentativas):
                resumo.desistencias += await self._desistir(cobranca.id, cobranca.tentativas, agora)
            elif await self._reservar(cobranca.id, cobranca.tentativas, agora):
                await self._tentar(cobranca.documento_id, cobranca.tentativas + 1, agora, resumo)
        return resumo

    async def vigiar(self, parar: asyncio.Event, intervalo: float = 60.0) -> None:
        """The server's loop: `rodada` every `intervalo` seconds until `parar`."""
        await a_cada(intervalo, parar, self.rodada, "falha ao tentar de novo as cobranças do PSP")

    async def _devidas(self, agora: datetime) -> list[CobrancaPsp]:
        consulta = select(CobrancaPsp).where(
            CobrancaPsp.provedor == self.emissor.provedor.nome,
            CobrancaPsp.situacao != _EMITIDA,
            col(CobrancaPsp.tentar_em) <= agora,
            col(CobrancaPsp.documento_id).is_not(None),
        )
        async with sessao(self.engine) as s:
            return list((await s.exec(consulta.order_by(col(CobrancaPsp.tentar_em)))).all())

    async def _sem_cobranca(self, agora: datetime) -> list[int]:
        """Current documents of active agreements that a PSP must issue but that never got a charge row."""
        sem_linha = and_(
            col(CobrancaPsp.documento_id) == col(DocumentoPagamento.id),
            col(CobrancaPsp.provedor) == self.emissor.provedor.nome,
        )
        consulta = (
            select(DocumentoPagamento.id)
            .join(Acordo, col(Acordo.id) == col(DocumentoPagamento.acordo_id))
            .outerjoin(CobrancaPsp, sem_linha)
            .where(
                col(CobrancaPsp.id).is_(None),
                DocumentoPagamento.pix == "",
                Acordo.situacao == SituacaoAcordo.ATIVO.value,
                col(DocumentoPagamento.criado_em) <= agora - RECENTE,
            )
        )
        async with sessao(self.engine) as s:
            ids = [i for i in (await s.exec(consulta.order_by(col(DocumentoPagamento.id)))).all() if i is not None]
        return [i for i in ids if await self._atual(i, agora)]

    async def _atual(self, documento_id: int, agora: datetime) -> bool:
        """Still worth a charge: the latest document of an open installment of an active agreement, whose page
        has not expired (an expired one is renewed only when the debtor asks: a new charge, a new document)."""
        async with sessao(self.engine) as s:
            documento = await s.get(DocumentoPagamento, documento_id)
            acordo = await s.get(Acordo, documento.acordo_id) if documento else None
            devedor = await s.get(Devedor, acordo.devedor_id) if acordo else None
            if documento is None or acordo is None or devedor is None or acordo.situacao != SituacaoAcordo.ATIVO.value:
                return False
            if not await pagina_valida(s, documento, agora.astimezone(fuso(devedor.uf)).date()):
                return False
            parcela = (
                await s.exec(
                    select(AcordoParcela.situacao).where(
                        AcordoParcela.acordo_id == acordo.id,
                        AcordoParcela.numero == documento.acordo_parcela_numero,
                    )
                )
            ).first()
            atual = await documento_atual(s, documento.acordo_id, documento.acordo_parcela_numero)
        return parcela == SituacaoAcordoParcela.ABERTA.value and atual is not None and atual.id == documento_id

    async def _reservar(self, cobranca_id: int, tentativas: int, agora: datetime) -> bool:
        """Claim attempt `tentativas + 1`: only the retrier whose UPDATE changed the row goes on."""
        comando = (
            update(CobrancaPsp)
            .where(
                col(CobrancaPsp.id) == cobranca_id,
                col(CobrancaPsp.tentativas) == tentativas,
                col(CobrancaPsp.situacao) != _EMITIDA,
                col(CobrancaPsp.tentar_em) <= agora,
            )
            .values(tentativas=tentativas + 1, tentar_em=reservar_ate(tentativas + 1, agora))
        )
        return await _mudou(self.engine, comando)

    async def _reservar_nova(self, documento_id: int, agora: datetime) -> bool:
        """Claim a document without a charge row by writing the row: the unique (provedor, chave) lets one win."""
        async with sessao(self.engine) as s:
            documento = await s.get(DocumentoPagamento, documento_id)
            assert documento is not None
            s.add(CobrancaPsp(provedor=self.emissor.provedor.nome, chave=chave_do_documento(documento),
                              documento_id=documento_id, situacao=SituacaoCobranca.PENDENTE, criado_em=agora,
                              tentativas=1, tentar_em=reservar_ate(1, agora)))  # fmt: skip
            try:
                await s.commit()
            except IntegrityError:
                return False
        return True

    async def _tentar(self, documento_id: int, tentativa: int, agora: datetime, resumo: Resumo) -> None:
        log.info("documento %s: tentativa %s de emitir a cobrança no PSP", documento_id, tentativa)
        resumo.tentadas += 1
        aviso = AvisoCobranca(self.emissor.config, self.emissor.textos)
        try:
            await self.emissor.emitir(documento_id, agora, avisar=False, ao_emitir=aviso)
        except Exception:  # a bug with one document must not starve the others; the claim already set its next try
            log.exception("documento %s: erro inesperado ao emitir a cobrança", documento_id)
            return
        async with sessao(self.engine) as s:
            cobranca = (await s.exec(select(CobrancaPsp).where(CobrancaPsp.documento_id == documento_id))).first()
        assert cobranca is not None and cobranca.id is not None
        if cobranca.situacao == _EMITIDA:
            resumo.emitidas += 1
        elif desistiu(cobranca.tentativas):
            resumo.desistencias += await self._desistir(cobranca.id, cobranca.tentativas, agora)

    async def _largar(self, cobranca_id: int, tentativas: int) -> None:
        comando = update(CobrancaPsp).where(
            col(CobrancaPsp.id) == cobranca_id, col(CobrancaPsp.tentativas) == tentativas
        )
        await _mudou(self.engine, comando.values(tentar_em=None))

    async def _desistir(self, cobranca_id: int, tentativas: int, agora: datetime) -> int:
        """Stop retrying and tell the agents, once (the conditional UPDATE elects one retrier)."""
        comando = (
            update(CobrancaPsp)
            .where(
                col(CobrancaPsp.id) == cobranca_id,
                col(CobrancaPsp.tentativas) == tentativas,
                col(CobrancaPsp.situacao) != _EMITIDA,
                col(CobrancaPsp.tentar_em).is_not(None),
            )
            .values(tentar_em=None)
        )
        async with sessao(self.engine) as s:
            if (await s.exec(comando)).rowcount != 1:
                return 0
            cobranca = await s.get(CobrancaPsp, cobranca_id)
            assert cobranca is not None and cobranca.documento_id is not None
            documento = await s.get(DocumentoPagamento, cobranca.documento_id)
            acordo = await s.get(Acordo, documento.acordo_id) if documento else None
            assert acordo is not None
            dados = {"documento": cobranca.documento_id, "provedor": cobranca.provedor, "chave": cobranca.chave,
                     "tentativas": tentativas, "erro": cobranca.dados.get("erro", "")}  # fmt: skip
            s.add(Evento(devedor_id=acordo.devedor_id, conversa_id=acordo.conversa_id,
                         tipo="erro_provedor_desistiu", dados=dados, criado_em=agora))  # fmt: skip
            await s.commit()
        log.warning("documento %s: cobrança não emitida após %s tentativas; desisti", cobranca.documento_id, tentativas)
        return 1


async def _mudou(engine: AsyncEngine, comando: Any) -> bool:
    async with sessao(engine) as s:
        mudou = (await s.exec(comando)).rowcount == 1
        await s.commit()
    return bool(mudou)


REEMISSOR = web.AppKey("reemissor", Reemissor)
VIGIA = web.AppKey("vigia_reemissao", asyncio.Task[None])


def instalar(app: web.Application, reemissor: Reemissor) -> None:
    """Run the retry loop while the server runs (started with it, stopped before the engine closes)."""
    app[REEMISSOR] = reemissor
    no_servidor(app, VIGIA, reemissor)
