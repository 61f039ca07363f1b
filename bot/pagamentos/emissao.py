"""Issue a document's charge at the PSP: a durable `cobranca_psp` row first, the call, then the codes stored.

The row's unique (provedor, chave) and the provider's own lookup by key make every retry reuse one charge.
A provider error never reaches the debtor as a crash: they get a kind message and the agents an event.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.boleto_pix.provedor import CobrancaEmitida, ErroProvedor, PedidoCobranca, Provedor
from bot.boleto_pix.tentativas import desistiu, primeira
from bot.boleto_pix.token import link_pagamento
from bot.config.arquivo import Config
from bot.dados.banco import sessao
from bot.dados.cobrancas import CobrancaPsp
from bot.dados.modelos import Acordo, AcordoParcela, Conversa, Devedor, DocumentoPagamento, Evento, Mensagem
from bot.dados.repositorio import token_do_documento
from bot.dados.respostas import nova_resposta
from bot.formatos import primeiro_nome
from bot.mensagens.textos import Textos

log = logging.getLogger(__name__)

MENSAGEM_EMITIDO = "documento_emitido"
MENSAGEM_FALHA = "documento_indisponivel"


class SituacaoCobranca:
    PENDENTE = "pendente"
    EMITIDA = "emitida"
    FALHOU = "falhou"


# Called in the transaction that stores a new charge's codes (the background retry queues the debtor's message).
AoEmitir = Callable[[AsyncSession, DocumentoPagamento, datetime], Awaitable[None]]


@dataclass(frozen=True)
class AvisoDocumento:
    """The debtor's message about a charge: its codes (`emitido`, the PDF may go along) or a kind apology."""

    texto: str
    emitido: bool
    mensagem_id: int | None = None  # the stored message (when the debtor is told now)


def chave_do_documento(documento: DocumentoPagamento) -> str:
    """Our idempotency key for a document's charge (the txid is unique and never reused)."""
    return f"doc-{documento.txid}"


@dataclass(frozen=True)
class Emissor:
    """Carries out the charge of a document the engine decided on, with whatever provider is configured."""

    engine: AsyncEngine
    provedor: Provedor
    textos: Textos
    config: Config

    async def emitir(
        self, documento_id: int, agora: datetime, avisar: bool = True, ao_emitir: AoEmitir | None = None
    ) -> AvisoDocumento:
        """Issue (or find) the charge and return the message for the debtor, stored as sent when `avisar`.

        Without `avisar` (a document issued in the background, shown later on request) only the event is kept.
        `ao_emitir` runs in the same transaction when this call is the one that stored the charge.
        """
        async with sessao(self.engine) as s:
            pedido, emitida = await self._preparar(s, documento_id, agora)
        if emitida is None:
            try:
                emitida = await self.provedor.emitir(pedido)
            except ErroProvedor as erro:
                log.warning("cobrança %s não emitida em %s: %s", pedido.chave, self.provedor.nome, erro.motivo)
                return await self._registrar_falha(documento_id, pedido.chave, erro, agora, avisar)
        return await self._registrar(documento_id, pedido.chave, emitida, agora, avisar, ao_emitir)

    async def _preparar(
        self, s: AsyncSession, documento_id: int, agora: datetime
    ) -> tuple[PedidoCobranca, CobrancaEmitida | None]:
        documento = await s.get(DocumentoPagamento, documento_id)
        assert documento is not None
        acordo = await s.get(Acordo, documento.acordo_id)
        assert acordo is not None
        devedor = await s.get(Devedor, acordo.devedor_id)
        assert devedor is not None
        parcelas = (await s.exec(select(AcordoParcela.numero).where(AcordoParcela.acordo_id == acordo.id))).all()
        pedido = PedidoCobranca(
            chave=chave_do_documento(documento),
            nosso_numero=documento.nosso_numero,
            valor=documento.valor,
            vencimento=documento.vencimento,
            descricao=f"Acordo {acordo.id} parcela {documento.acordo_parcela_numero}/{len(parcelas)}",
            devedor_nome=devedor.nome,
            devedor_cpf=devedor.cpf,
            uf=devedor.uf,
        )
        cobranca = await _cobranca(s, self.provedor.nome, pedido.chave)
        if cobranca is None:
            s.add(
                CobrancaPsp(
                    provedor=self.provedor.nome,
                    chave=pedido.chave,
                    documento_id=documento_id,
                    situacao=SituacaoCobranca.PENDENTE,
                    criado_em=agora,
                    tentar_em=primeira(agora),  # due for the background retry should this call never finish
                )
            )
            try:
                await s.commit()
            except IntegrityError:
                await s.rollback()  # another worker wrote the row first; the provider lookup keeps it single
        elif cobranca.situacao == SituacaoCobranca.EMITIDA and documento.pix:
            return pedido, CobrancaEmitida(
                cobranca.id_externo or "", documento.linha_digitavel, documento.codigo_barras, documento.pix
            )
        return pedido, None

    async def _registrar(
        self,
        documento_id: int,
        chave: str,
        emitida: CobrancaEmitida,
        agora: datetime,
        avisar: bool,
        ao_emitir: AoEmitir | None = None,
    ) -> AvisoDocumento:
        async with sessao(self.engine) as s:
            documento = await s.get(DocumentoPagamento, documento_id)
            cobranca = await _cobranca(s, self.provedor.nome, chave)
            assert documento is not None and cobranca is not None
            documento.linha_digitavel = emitida.linha_digitavel
            documento.codigo_barras = emitida.codigo_barras
            documento.pix = emitida.pix
            novo = cobranca.situacao != SituacaoCobranca.EMITIDA
            cobranca.id_externo, cobranca.situacao = emitida.id_externo, SituacaoCobranca.EMITIDA
            cobranca.tentar_em = None
            cobranca.dados = emitida.dados or cobranca.dados
            s.add_all([documento, cobranca])
            dados = {"documento": documento_id, "provedor": self.provedor.nome, "id_externo": emitida.id_externo}
            texto, mensagem = await self._mensagem(
                s, documento, MENSAGEM_EMITIDO, "cobranca_emitida" if novo else "", dados, agora, avisar
            )
            if novo and ao_emitir is not None:
                await ao_emitir(s, documento, agora)
            await s.commit()
            return AvisoDocumento(texto, emitido=True, mensagem_id=mensagem.id if mensagem else None)

    async def _registrar_falha(
        self, documento_id: int, chave: str, erro: ErroProvedor, agora: datetime, avisar: bool
    ) -> AvisoDocumento:
        async with sessao(self.engine) as s:
            documento = await s.get(DocumentoPagamento, documento_id)
            cobranca = await _cobranca(s, self.provedor.nome, chave)
            assert documento is not None and cobranca is not None
            cobranca.situacao = SituacaoCobranca.FALHOU
            if cobranca.tentar_em is None and not desistiu(cobranca.tentativas):
                cobranca.tentar_em = primeira(agora)
            cobranca.dados = {"erro": erro.motivo, "tipo": type(erro).__name__, **erro.detalhes}
            s.add(cobranca)
            dados = {"documento": documento_id, "provedor": self.provedor.nome, "chave": chave} | cobranca.dados
            texto, falha = await self._mensagem(s, documento, MENSAGEM_FALHA, "erro_provedor", dados, agora, avisar)
            await s.commit()
            return AvisoDocumento(texto, emitido=False, mensagem_id=falha.id if falha else None)

    async def _mensagem(
        self,
        s: AsyncSession,
        documento: DocumentoPagamento,
        nome: str,
        evento: str,
        dados: dict[str, Any],
        agora: datetime,
        avisar: bool,
    ) -> tuple[str, Mensagem | None]:
        """Record the event for agents and the message for the debtor (when `avisar`) in the caller's transaction."""
        acordo = await s.get(Acordo, documento.acordo_id)
        assert acordo is not None
        devedor = await s.get(Devedor, acordo.devedor_id)
        conversa = await s.get(Conversa, acordo.conversa_id)
        assert devedor is not None and devedor.id is not None and conversa is not None and conversa.id is not None
        if evento:
            s.add(Evento(devedor_id=devedor.id, conversa_id=conversa.id, tipo=evento, dados=dados, criado_em=agora))
        contexto = await contexto_do_documento(s, self.config, documento, devedor)
        texto = self.textos.renderizar(nome, contexto, conversa.canal)
        if not avisar:
            return texto, None
        anexo = documento.id if nome == MENSAGEM_EMITIDO else None
        mensagem = nova_resposta(conversa, texto, agora, documento_id=anexo)
        s.add(mensagem)
        return texto, mensagem


async def contexto_do_documento(
    s: AsyncSession, config: Config, documento: DocumentoPagamento, devedor: Devedor
) -> dict[str, Any]:
    """What the payment messages (`documento_emitido`, `documento_indisponivel`) may say."""
    token = await token_do_documento(s, documento.id)
    parcelas = (await s.exec(select(func.count()).where(AcordoParcela.acordo_id == documento.acordo_id))).one()
    return {
        "credor": config.credor,
        "devedor": {"primeiro_nome": primeiro_nome(devedor.nome)},
        "documento": {
            "parcela": documento.acordo_parcela_numero,
            "de": parcelas,
            "valor": str(documento.valor),
            "vencimento": documento.vencimento.isoformat(),
            "linha_digitavel": documento.linha_digitavel,
            "pix": documento.pix,
            "link": link_pagamento(config.web.url_publica, token) if token else "",
        },
    }


async def _cobranca(s: AsyncSession, provedor: str, chave: str) -> CobrancaPsp | None:
    consulta = select(CobrancaPsp).where(CobrancaPsp.provedor == provedor, CobrancaPsp.chave == chave)
    return (await s.exec(consulta)).first()
