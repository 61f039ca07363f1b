"""Payment confirmation: record a payment once, settle the agreement, stop its reminders, queue the thank-you."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.boleto_pix.baixa import distribuir
from bot.config.arquivo import Config
from bot.config.regua import Alvo
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.fila import cancelar_pendentes
from bot.dados.modelos import (
    Acordo,
    AcordoOrigem,
    AcordoParcela,
    Canal,
    Conversa,
    Devedor,
    Direcao,
    DocumentoPagamento,
    Evento,
    Mensagem,
    Parcela,
    SituacaoAcordo,
    SituacaoAcordoParcela,
    SituacaoParcela,
)
from bot.dados.saida import Saida
from bot.formatos import brl, primeiro_nome
from bot.mensagens.textos import Textos
from bot.pagamentos.agradecimento import Agradecimento, escolher_canal, linha_agradecimento
from bot.pagamentos.documentos import Documentos
from bot.pagamentos.emissao import Emissor

MENSAGEM_AGRADECIMENTO = "pagamento_recebido"
MOTIVO_PAGO = "pago: pagamento confirmado"


class Desfecho(StrEnum):
    REGISTRADO = "registrado"
    DUPLICADO = "duplicado"
    DOCUMENTO_DESCONHECIDO = "documento_desconhecido"


@dataclass(frozen=True)
class Confirmacao:
    """A payment as a provider reports it; (provedor, id_provedor) identifies it for good."""

    provedor: str
    id_provedor: str
    origem: str
    documento: str  # nosso número (up to 10 digits) or txid / full BB nosso número (17 digits)
    valor: Decimal
    pago_em: date


@dataclass(frozen=True)
class Resultado:
    desfecho: Desfecho
    acordo_id: int | None = None
    restante: Decimal = Decimal("0.00")
    quitado: bool = False

    def __str__(self) -> str:
        if self.desfecho is Desfecho.DUPLICADO:
            return "pagamento já registrado antes: nada mudou"
        if self.desfecho is Desfecho.DOCUMENTO_DESCONHECIDO:
            return "documento não encontrado"
        if self.quitado:
            return f"pagamento registrado: acordo {self.acordo_id} quitado"
        if self.restante <= 0:
            return f"pagamento registrado no acordo {self.acordo_id}: parcela paga"
        return f"pagamento registrado no acordo {self.acordo_id}; falta pagar {brl(self.restante)} desta parcela"


async def documento_por_codigo(s: AsyncSession, codigo: str) -> DocumentoPagamento | None:
    """The document by nosso número ("42", "0000000042") or txid ("12345670000000042")."""
    codigo = codigo.strip()
    if not codigo.isascii() or not codigo.isdigit() or len(codigo) > 17:
        return None
    candidatos = [codigo] if len(codigo) > 10 else [codigo.zfill(10)]
    consulta = select(DocumentoPagamento).where(
        or_(col(DocumentoPagamento.nosso_numero).in_(candidatos), col(DocumentoPagamento.txid).in_(candidatos))
    )
    return (await s.exec(consulta)).first()


@dataclass(frozen=True)
class Confirmador:
    """Applies confirmations; every step is keyed so a redelivery changes nothing twice."""

    engine: AsyncEngine
    textos: Textos
    config: Config
    emissor: Emissor | None = None  # a PSP issues the next installment's charge; None: local provider

    async def confirmar(self, confirmacao: Confirmacao, agora: datetime) -> Resultado:
        resultado = await self._confirmar_uma_vez(confirmacao, agora)
        if resultado.desfecho is Desfecho.REGISTRADO and not resultado.quitado and resultado.acordo_id is not None:
            # The next open installment gets its document now, so "2ª via" and the page always have one.
            await Documentos(self.engine, self.config, self.emissor).garantir(resultado.acordo_id, agora)
        return resultado

    async def _confirmar_uma_vez(self, confirmacao: Confirmacao, agora: datetime) -> Resultado:
        try:
            return await self._confirmar(confirmacao, agora)
        except IntegrityError:
            return Resultado(Desfecho.DUPLICADO)  # the same payment id reached another worker first

    async def _confirmar(self, c: Confirmacao, agora: datetime) -> Resultado:
        async with sessao(self.engine) as s:
            documento = await documento_por_codigo(s, c.documento)
            if documento is None or documento.id is None:
                return Resultado(Desfecho.DOCUMENTO_DESCONHECIDO)
            repetido = select(PagamentoRecebido).where(
                PagamentoRecebido.provedor == c.provedor, PagamentoRecebido.id_provedor == c.id_provedor
            )
            if (await s.exec(repetido)).first() is not None:
                return Resultado(Desfecho.DUPLICADO, documento.acordo_id)
            pagamento = PagamentoRecebido(
                provedor=c.provedor,
                id_provedor=c.id_provedor,
                origem=c.origem,
                documento_id=documento.id,
                acordo_id=documento.acordo_id,
                acordo_parcela_numero=documento.acordo_parcela_numero,
                valor=c.valor,
                pago_em=c.pago_em,
                criado_em=agora,
            )
            s.add(pagamento)
            await s.flush()
            resultado, pagas = await _baixar(s, documento, agora)
            await self._registrar(s, documento, pagamento, resultado, agora)
            alvos = [f"{Alvo.ACORDO.value}:{parcela_id}" for parcela_id in pagas]
            if resultado.quitado:
                alvos.append(f"{Alvo.QUEBRA.value}:{resultado.acordo_id}")
            await _cancelar_lembretes(s, alvos)
            return resultado

    async def _registrar(
        self,
        s: AsyncSession,
        documento: DocumentoPagamento,
        pagamento: PagamentoRecebido,
        resultado: Resultado,
        agora: datetime,
    ) -> None:
        acordo = await s.get(Acordo, documento.acordo_id)
        assert acordo is not None and pagamento.id is not None
        devedor = await s.get(Devedor, acordo.devedor_id)
        conversa = await s.get(Conversa, acordo.conversa_id)
        assert devedor is not None and conversa is not None and conversa.id is not None
        dados: dict[str, Any] = {
            "acordo": acordo.id,
            "parcela": documento.acordo_parcela_numero,
            "valor": str(pagamento.valor),
            "data": pagamento.pago_em.isoformat(),
            "restante": str(resultado.restante),
            "quitado": resultado.quitado,
        }
        evento = dados | {"provedor": pagamento.provedor, "id_provedor": pagamento.id_provedor}
        s.add(Evento(devedor_id=acordo.devedor_id, conversa_id=conversa.id, tipo="pagamento", dados=evento,
                     criado_em=agora))  # fmt: skip
        contexto = {"credor": self.config.credor, "devedor": {"primeiro_nome": primeiro_nome(devedor.nome)}}
        contexto |= {"pagamento": dados}
        if conversa.canal == Canal.WEB:
            # The web chat shows its history to the debtor on the page: the thank-you appears there at once.
            texto_web = self.textos.renderizar(MENSAGEM_AGRADECIMENTO, contexto, conversa.canal)
            s.add(_no_chat(conversa.id, texto_web, pagamento.id, agora))
        escolha = escolher_canal(self.config.regua, devedor, conversa.canal)
        if escolha is None:
            s.add(Evento(devedor_id=acordo.devedor_id, conversa_id=conversa.id, tipo="agradecimento_sem_canal",
                         dados={"pagamento": pagamento.id}, criado_em=agora))  # fmt: skip
            return
        canal, destino = escolha
        texto = self.textos.renderizar(MENSAGEM_AGRADECIMENTO, contexto, canal.value)
        modelo = self.config.pagamentos.modelo_agradecimento
        agradecimento = Agradecimento(pagamento.id, devedor, texto, pagamento.valor, modelo)
        s.add(Saida(**linha_agradecimento(agradecimento, canal, destino, agora)))


def _no_chat(conversa_id: int, texto: str, pagamento_id: int, agora: datetime) -> Mensagem:
    return Mensagem(
        conversa_id=conversa_id,
        direcao=Direcao.SAIDA.value,
        canal=Canal.WEB.value,
        texto=texto,
        id_externo=f"agradecimento-{pagamento_id}",
        status="enviada",
        criada_em=agora,
    )


async def _cancelar_lembretes(s: AsyncSession, alvos: list[str]) -> int:
    """Drop the pending reminders of what this payment settled, committing the whole confirmation with the first.

    `cancelar_pendentes` commits, so the payment, the settlement, the thank-you and the first cancellation are
    one transaction; a crash before the others leaves rows the dispatcher drops anyway (it re-checks the debt).
    """
    if not alvos:
        await s.commit()
        return 0
    return sum([await cancelar_pendentes(s, MOTIVO_PAGO, alvo=alvo) for alvo in alvos])


async def _baixar(s: AsyncSession, documento: DocumentoPagamento, agora: datetime) -> tuple[Resultado, list[int]]:
    """Recompute the agreement's installments from everything received (order of arrival does not matter).

    Also returns the ids of the installments this payment turned paid.
    """
    acordo = await s.get(Acordo, documento.acordo_id)
    assert acordo is not None and acordo.id is not None
    parcelas = (
        await s.exec(
            select(AcordoParcela).where(AcordoParcela.acordo_id == acordo.id).order_by(col(AcordoParcela.numero))
        )
    ).all()
    recebidos = await s.exec(select(PagamentoRecebido).where(PagamentoRecebido.acordo_id == acordo.id))
    recebido = sum((p.valor for p in recebidos.all()), Decimal("0.00"))
    valores = [p.valor for p in parcelas]
    situacao = distribuir(valores, recebido)
    pagas = []
    for indice, parcela in enumerate(parcelas):
        paga = situacao.paga(indice, valores)
        if paga and parcela.situacao != SituacaoAcordoParcela.PAGA and parcela.id is not None:
            pagas.append(parcela.id)
        parcela.situacao = (SituacaoAcordoParcela.PAGA if paga else SituacaoAcordoParcela.ABERTA).value
        s.add(parcela)
    quitado = situacao.quitado(valores)
    if quitado and acordo.situacao != SituacaoAcordo.PAGO:
        acordo.situacao = SituacaoAcordo.PAGO.value
        s.add(acordo)
        origem = select(Parcela).join(AcordoOrigem, col(AcordoOrigem.parcela_id) == col(Parcela.id))
        for original in (await s.exec(origem.where(AcordoOrigem.acordo_id == acordo.id))).all():
            original.situacao, original.pago_em = SituacaoParcela.PAGA.value, agora
            s.add(original)
    indice = next(i for i, p in enumerate(parcelas) if p.numero == documento.acordo_parcela_numero)
    return Resultado(Desfecho.REGISTRADO, acordo.id, situacao.restante(indice, valores), quitado), pagas
