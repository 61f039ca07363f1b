"""Send the payment link of the next open installment of the debtor's active agreement.

The document comes from the one owner of documents (`bot.pagamentos.documentos.garantir_em`): the installment's
current one while its page opens, a renewal (new nosso número and due date) once it expired. With a PSP the
console re-sends a document the PSP already issued; a new charge is the bot's or the régua's to request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.arquivo import Config
from bot.console.operacoes import Recusa, auditar, propria
from bot.dados.atendentes import Usuario
from bot.dados.modelos import Acordo, Devedor, Direcao, DocumentoPagamento, Mensagem, SituacaoAcordoParcela
from bot.dados.repositorio import acordo_ativo
from bot.mensagens.textos import Textos
from bot.pagamentos.documentos import NumerosEsgotados, garantir_em
from bot.pagamentos.emissao import contexto_do_documento

MENSAGEM = "link_pagamento"


async def proximo_documento(
    s: AsyncSession, config: Config, devedor: Devedor, agora: datetime
) -> tuple[Acordo, DocumentoPagamento, bool]:
    """The active agreement and its next open installment's payable document (True when new)."""
    assert devedor.id is not None
    ativo = await acordo_ativo(s, devedor.id)
    if ativo is None:
        raise Recusa(409, "este devedor não tem acordo ativo: faça uma oferta primeiro")
    acordo, parcelas = ativo
    if not any(p.situacao == SituacaoAcordoParcela.ABERTA.value for p in parcelas):
        raise Recusa(409, "todas as parcelas do acordo já estão pagas")
    try:
        garantido = await garantir_em(s, config.pagamentos, acordo, devedor.uf, agora)
    except IntegrityError:
        await s.rollback()  # the same click twice: the other request stored it
        raise Recusa(409, "o documento desta parcela acabou de ser emitido: recarregue a página") from None
    except (ValueError, NumerosEsgotados) as erro:
        raise Recusa(409, f"não foi possível emitir o documento: {erro}") from erro
    if garantido is None:
        raise Recusa(409, "este acordo não tem parcela em aberto")
    if not garantido.documento.pix:
        raise Recusa(
            409,
            f"com o provedor {config.pagamentos.provedor}, o console só reenvia documentos já emitidos pelo "
            "provedor; a cobrança desta parcela ainda não saiu (veja os eventos do devedor)",
        )
    return acordo, garantido.documento, garantido.novo


async def emitir_link(
    s: AsyncSession,
    config: Config,
    textos: Textos,
    usuario: Usuario,
    conversa_id: int,
    agora: datetime,
) -> Mensagem:
    """Store the message with the next installment's link and codes; the caller sends it through the channel."""
    conversa = await propria(s, usuario, conversa_id)
    devedor = await s.get(Devedor, conversa.devedor_id)
    assert devedor is not None and devedor.id is not None
    acordo, documento, novo = await proximo_documento(s, config, devedor, agora)
    dados = {"acordo": acordo.id, "parcela": documento.acordo_parcela_numero, "documento": documento.id, "novo": novo}
    auditar(s, usuario, "emitiu_link", agora, conversa_id, **dados)
    contexto = await contexto_do_documento(s, config, documento, devedor)
    mensagem = Mensagem(
        conversa_id=conversa_id,
        direcao=Direcao.SAIDA.value,
        canal=conversa.canal,
        texto=textos.renderizar(MENSAGEM, contexto, conversa.canal),
        status="pendente",
        criada_em=agora,
        documento_id=documento.id,
    )
    s.add(mensagem)
    await s.commit()
    return mensagem
