"""The payment message for a charge the PSP issued late (background retry): an outbox row, queued once.

It goes through the outbox like the thank-you (`bot.pagamentos.agradecimento`), so the régua's dispatcher sends
it within the contact policy and, on WhatsApp outside the 24 h window, as the approved template
`pagamentos.modelo_documento`. Its target is the agreement installment: a payment first makes it obsolete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.arquivo import Config
from bot.config.regua import Alvo
from bot.dados.fila import inserir
from bot.dados.modelos import Acordo, AcordoParcela, Conversa, Devedor, Direcao, DocumentoPagamento, Evento, Mensagem
from bot.dados.saida import NovaSaida, SituacaoSaida
from bot.formatos import brl, data_br, primeiro_nome
from bot.mensagens.textos import Textos
from bot.pagamentos.agradecimento import escolher_canal
from bot.pagamentos.emissao import MENSAGEM_EMITIDO
from bot.pagamentos.emissao import contexto_do_documento as contexto
from bot.porta import TipoCanal

PASSO = "cobranca_emitida"  # outbox step of the payment message; not a régua step (no channel fallback)
ASSUNTO_EMAIL = "Seu boleto e PIX estão prontos"
VALIDADE = timedelta(days=3)  # a payment message deferred by the contact policy beyond this is dropped


@dataclass(frozen=True)
class AvisoCobranca:
    """An `AoEmitir` for `Emissor.emitir`: runs in the transaction that stores the charge's codes."""

    config: Config
    textos: Textos

    async def __call__(self, s: AsyncSession, documento: DocumentoPagamento, agora: datetime) -> None:
        """The payment message for a charge issued late, in the transaction that stores it (see `Emissor`)."""
        acordo = await s.get(Acordo, documento.acordo_id)
        assert acordo is not None and documento.id is not None
        devedor = await s.get(Devedor, acordo.devedor_id)
        conversa = await s.get(Conversa, acordo.conversa_id)
        assert devedor is not None and conversa is not None and conversa.id is not None
        config, textos = self.config, self.textos
        dados = await contexto(s, config, documento, devedor)
        if conversa.canal == "web":  # the web chat shows its history on the page: the message appears there
            s.add(Mensagem(conversa_id=conversa.id, direcao=Direcao.SAIDA.value, canal=conversa.canal,
                           texto=textos.renderizar(MENSAGEM_EMITIDO, dados, conversa.canal),
                           id_externo=f"{PASSO}-{documento.id}", status="enviada", criada_em=agora))  # fmt: skip
        escolha = escolher_canal(config.regua, devedor, conversa.canal)
        if escolha is None:
            s.add(Evento(devedor_id=acordo.devedor_id, conversa_id=conversa.id, tipo="cobranca_emitida_sem_canal",
                         dados={"documento": documento.id}, criado_em=agora))  # fmt: skip
            return
        canal, destino = escolha
        parcela = (
            await s.exec(
                select(AcordoParcela.id).where(
                    AcordoParcela.acordo_id == acordo.id, AcordoParcela.numero == documento.acordo_parcela_numero
                )
            )
        ).one()
        texto = textos.renderizar(MENSAGEM_EMITIDO, dados, canal.value)
        await inserir(s, [linha_aviso(config.pagamentos.modelo_documento, canal, destino, texto, documento,
                                      devedor, dados["documento"]["link"], parcela, agora)])  # fmt: skip


def linha_aviso(
    modelo_whatsapp: str,
    canal: TipoCanal,
    destino: str,
    texto: str,
    documento: DocumentoPagamento,
    devedor: Devedor,
    link: str,
    parcela_id: int | None,
    agora: datetime,
) -> NovaSaida:
    """The outbox row; its target is the agreement installment, so a payment before it goes out makes it obsolete.

    The step carries the document id: (alvo, passo, canal) is unique, so the message is queued once per document.
    WhatsApp's template takes (first name, amount, due date, page link — or the PIX code for a page-less document).
    """
    assert devedor.id is not None  # a stored debtor
    modelo = {TipoCanal.WHATSAPP: modelo_whatsapp, TipoCanal.EMAIL: ASSUNTO_EMAIL}.get(canal)
    parametros = (
        [primeiro_nome(devedor.nome), brl(documento.valor), data_br(documento.vencimento), link or documento.pix]
        if canal == TipoCanal.WHATSAPP
        else []
    )
    return {
        "alvo": f"{Alvo.ACORDO.value}:{parcela_id}",
        "passo": f"{PASSO}:{documento.id}",
        "canal": canal.value,
        "devedor_id": devedor.id,
        "destino": destino,
        "texto": texto,
        "modelo": modelo,
        "parametros": parametros,
        "usar_modelo": False,
        "canais_restantes": [],
        "situacao": SituacaoSaida.PENDENTE.value,
        "tentativas": 0,
        "proxima_tentativa": agora,
        "prazo": agora + VALIDADE,
        "motivo": None,
        "dados": {"documento": documento.id},
    }
