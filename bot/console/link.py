"""Issue (or issue again) the payment link of the next open installment of the debtor's active agreement.

The document is keyed by a nosso número derived from (agreement, installment), so a double click or a retry finds
the same one. With the local provider the boleto and PIX come from `emitir_documento` (the bot's own code path);
with a PSP the console re-sends documents already issued (the PSP's charges are the régua's job).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendario import fuso
from bot.config.modelos import Config
from bot.console.operacoes import Recusa, auditar, propria
from bot.conversa.textos import Textos
from bot.dados.console import Usuario
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Devedor,
    Direcao,
    DocumentoPagamento,
    Mensagem,
    SituacaoAcordoParcela,
)
from bot.dados.pagamentos import TokenPagamento
from bot.dados.repositorio import acordo_ativo
from bot.formatos import data_br, primeiro_nome
from bot.pagamentos.local import emitir_documento
from bot.pagamentos.token import link_pagamento, novo_token, valido_ate

MENSAGEM = "link_pagamento"


def nosso_numero_da_parcela(acordo_id: int, numero: int) -> str:
    """10 digits: 9, the agreement (7) and the installment (2). The bot's own first documents start with the
    conversation id instead; the unique column turns a (far-off) collision into an error, never a second charge."""
    return f"9{acordo_id % 10_000_000:07d}{numero:02d}"


async def proxima_parcela(s: AsyncSession, devedor_id: int) -> tuple[Acordo, AcordoParcela, int]:
    """The active agreement, its next open installment and how many installments it has."""
    ativo = await acordo_ativo(s, devedor_id)
    if ativo is None:
        raise Recusa(409, "este devedor não tem acordo ativo: faça uma oferta primeiro")
    acordo, parcelas = ativo
    abertas = [p for p in parcelas if p.situacao == SituacaoAcordoParcela.ABERTA.value]
    if not abertas:
        raise Recusa(409, "todas as parcelas do acordo já estão pagas")
    return acordo, abertas[0], len(parcelas)


async def documento_da_parcela(
    s: AsyncSession, config: Config, acordo: Acordo, parcela: AcordoParcela, de: int, uf: str | None, agora: datetime
) -> tuple[DocumentoPagamento, bool]:
    """The installment's document, created when missing (codes left empty for a PSP to fill); True when new."""
    assert acordo.id is not None
    consulta = select(DocumentoPagamento).where(
        DocumentoPagamento.acordo_id == acordo.id, DocumentoPagamento.acordo_parcela_numero == parcela.numero
    )
    existente = (await s.exec(consulta)).first()
    if existente is not None:
        return existente, False
    if config.pagamentos.provedor != "local":
        raise Recusa(
            409,
            f"com o provedor {config.pagamentos.provedor}, o console só reenvia documentos já emitidos; "
            "a próxima parcela sai pela régua",
        )
    try:
        emitido = emitir_documento(
            config.pagamentos,
            parcela.valor,
            parcela.vencimento,
            nosso_numero_da_parcela(acordo.id, parcela.numero),
            f"Acordo {acordo.id} parcela {parcela.numero}/{de}",
            uf,
        )
    except ValueError as erro:
        raise Recusa(409, f"não foi possível emitir o documento: {erro}") from erro
    documento = DocumentoPagamento(
        acordo_id=acordo.id,
        acordo_parcela_numero=parcela.numero,
        nosso_numero=emitido.nosso_numero,
        txid=emitido.txid,
        valor=emitido.valor,
        vencimento=emitido.vencimento,
        codigo_barras=emitido.boleto.codigo_barras,
        linha_digitavel=emitido.boleto.linha_formatada,
        pix=emitido.pix,
        criado_em=agora,
    )
    s.add(documento)
    try:
        await s.flush()
    except IntegrityError:
        await s.rollback()  # the same click twice: the other request stored it
        raise Recusa(409, "o documento desta parcela acabou de ser emitido: recarregue a página") from None
    return documento, True


async def token_da_pagina(
    s: AsyncSession, config: Config, documento: DocumentoPagamento, uf: str, agora: datetime
) -> str:
    achado = (await s.exec(select(TokenPagamento).where(TokenPagamento.documento_id == documento.id))).first()
    if achado is None:
        assert documento.id is not None
        validade = valido_ate(documento.vencimento, config.pagamentos.dias_validade_documento)
        achado = TokenPagamento(token=novo_token(), documento_id=documento.id, valido_ate=validade, criado_em=agora)
        s.add(achado)
    elif achado.valido_ate < agora.astimezone(fuso(uf)).date():
        raise Recusa(409, f"o documento desta parcela deixou de valer em {data_br(achado.valido_ate)}: renegocie")
    return achado.token


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
    acordo, parcela, de = await proxima_parcela(s, devedor.id)
    documento, novo = await documento_da_parcela(s, config, acordo, parcela, de, devedor.uf, agora)
    token = await token_da_pagina(s, config, documento, devedor.uf, agora)
    dados = {"acordo": acordo.id, "parcela": parcela.numero, "documento": documento.id, "novo": novo}
    auditar(s, usuario, "emitiu_link", agora, conversa_id, **dados)
    contexto = {
        "credor": config.credor,
        "devedor": {"primeiro_nome": primeiro_nome(devedor.nome)},
        "documento": {
            "parcela": parcela.numero,
            "de": de,
            "valor": str(documento.valor),
            "vencimento": documento.vencimento.isoformat(),
            "linha_digitavel": documento.linha_digitavel,
            "pix": documento.pix,
            "link": link_pagamento(config.web.url_publica, token),
        },
    }
    mensagem = Mensagem(
        conversa_id=conversa_id,
        direcao=Direcao.SAIDA.value,
        canal=conversa.canal,
        texto=textos.renderizar(MENSAGEM, contexto, conversa.canal),
        status="pendente",
        criada_em=agora,
    )
    s.add(mensagem)
    await s.commit()
    return mensagem
