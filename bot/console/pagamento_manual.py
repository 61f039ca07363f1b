"""A person records a payment they verified (a receipt in the chat, a "já paguei" hand-off) on the active agreement.

It goes through the same `Confirmador` as the PSP webhook and the bank return file, as provider "agente" with the
form's nonce as payment id: submitting the same form twice (a double click, a reload) records it once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.console.contexto import FUSO_CONSOLE, Console
from bot.console.operacoes import Recusa, auditar, conversa_legivel, dono_de
from bot.dados.atendentes import Papel, Usuario
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    DocumentoPagamento,
    SituacaoAcordo,
    SituacaoAcordoParcela,
)
from bot.formatos import brl, data_br, parse_valor
from bot.pagamentos.confirmacao import Confirmacao, Confirmador, Desfecho

PROVEDOR = "agente"
ORIGEM = "console"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
AVISOS = {
    "pagamento": "Pagamento registrado: a parcela está paga e o agradecimento foi para a fila de envio.",
    "pagamento_parcial": "Pagamento parcial registrado: o restante da parcela continua em aberto.",
    "pagamento_quitado": "Pagamento registrado: o acordo está quitado e o agradecimento foi para a fila de envio.",
    "pagamento_repetido": "Este pagamento já tinha sido registrado por este formulário: nada mudou.",
}


def novo_nonce() -> str:
    """One per rendering of the form: it becomes the payment id, so the same form counts once."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class PagamentoManual:
    documento: str  # nosso número
    valor: Decimal
    pago_em: date
    nonce: str


def ler_formulario(campos: dict[str, str], hoje: date) -> PagamentoManual:
    """The form's fields, checked; Recusa(400) with what to fix otherwise."""
    nonce = campos.get("nonce", "")
    if not _NONCE.match(nonce):
        raise Recusa(400, "formulário de pagamento inválido: recarregue a página e preencha de novo")
    documento = campos.get("documento", "").strip()
    if not documento:
        raise Recusa(400, "escolha o documento (parcela) que foi pago")
    try:
        valor = parse_valor(campos.get("valor", ""))
    except ValueError:
        raise Recusa(400, "valor inválido: informe como 1.234,56") from None
    if valor <= 0:
        raise Recusa(400, "o valor pago deve ser maior que zero")
    try:
        pago_em = datetime.strptime(campos.get("data", "").strip(), "%d/%m/%Y").date()
    except ValueError:
        raise Recusa(400, "data do pagamento inválida: informe como dd/mm/aaaa") from None
    if pago_em > hoje:
        raise Recusa(400, f"a data do pagamento ({data_br(pago_em)}) está no futuro")
    return PagamentoManual(documento, valor, pago_em, nonce)


async def documentos_abertos(s: AsyncSession, devedor_id: int) -> list[DocumentoPagamento]:
    """The documents of the active agreement's open installments (the ones a payment can be recorded on)."""
    consulta = (
        select(DocumentoPagamento)
        .join(Acordo, col(Acordo.id) == col(DocumentoPagamento.acordo_id))
        .join(
            AcordoParcela,
            (col(AcordoParcela.acordo_id) == col(Acordo.id))
            & (col(AcordoParcela.numero) == col(DocumentoPagamento.acordo_parcela_numero)),
        )
        .where(
            Acordo.devedor_id == devedor_id,
            Acordo.situacao == SituacaoAcordo.ATIVO.value,
            AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA.value,
        )
        .order_by(col(DocumentoPagamento.acordo_parcela_numero), col(DocumentoPagamento.id))
    )
    return list((await s.exec(consulta)).all())


async def _ja_registrado(s: AsyncSession, id_provedor: str) -> bool:
    consulta = select(PagamentoRecebido.id).where(
        PagamentoRecebido.provedor == PROVEDOR, PagamentoRecebido.id_provedor == id_provedor
    )
    return (await s.exec(consulta)).first() is not None


async def _falta_no_acordo(s: AsyncSession, acordo_id: int) -> Decimal:
    parcelas = (await s.exec(select(AcordoParcela).where(AcordoParcela.acordo_id == acordo_id))).all()
    recebidos = (await s.exec(select(PagamentoRecebido).where(PagamentoRecebido.acordo_id == acordo_id))).all()
    return sum((p.valor for p in parcelas), Decimal("0.00")) - sum((r.valor for r in recebidos), Decimal("0.00"))


async def conferir(
    s: AsyncSession, eu: Usuario, conversa_id: int, pedido: PagamentoManual
) -> DocumentoPagamento | None:
    """The document to pay, after checking who asks and what; None when this form was already recorded."""
    conversa = await conversa_legivel(s, eu, conversa_id)  # another agent's conversation: 404
    if eu.papel != Papel.GESTOR and conversa.dono != dono_de(eu):
        raise Recusa(409, "assuma a conversa antes de registrar um pagamento")
    if await _ja_registrado(s, pedido.nonce):
        return None
    abertos = await documentos_abertos(s, conversa.devedor_id)
    documento = next((d for d in abertos if d.nosso_numero == pedido.documento), None)
    if documento is None:
        raise Recusa(409, "o documento escolhido não é de uma parcela em aberto do acordo ativo deste devedor")
    falta = await _falta_no_acordo(s, documento.acordo_id)
    if pedido.valor > falta:
        raise Recusa(400, f"o valor ({brl(pedido.valor)}) passa do que falta pagar no acordo ({brl(falta)})")
    return documento


async def registrar_pagamento(console: Console, eu: Usuario, conversa_id: int, campos: dict[str, str]) -> str:
    """Record the payment through the `Confirmador`, audit who did it; returns the page's notice code."""
    agora = console.relogio()
    pedido = ler_formulario(campos, agora.astimezone(FUSO_CONSOLE).date())
    async with sessao(console.engine) as s:
        documento = await conferir(s, eu, conversa_id, pedido)
    if documento is None:
        return "pagamento_repetido"
    projeto = console.projeto
    confirmador = console.confirmador or Confirmador(console.engine, projeto.textos, projeto.config)
    confirmacao = Confirmacao(PROVEDOR, pedido.nonce, ORIGEM, documento.nosso_numero, pedido.valor, pedido.pago_em)
    resultado = await confirmador.confirmar(confirmacao, agora)
    if resultado.desfecho is Desfecho.DUPLICADO:
        return "pagamento_repetido"  # the same form submitted at the same moment: the other request recorded it
    if resultado.desfecho is Desfecho.DOCUMENTO_DESCONHECIDO:  # pragma: no cover - checked just above
        raise Recusa(409, "documento não encontrado")
    async with sessao(console.engine) as s:
        auditar(
            s,
            eu,
            "registrou_pagamento",
            agora,
            conversa_id,
            documento=documento.id,
            acordo=documento.acordo_id,
            parcela=documento.acordo_parcela_numero,
            valor=str(pedido.valor),
            data=pedido.pago_em.isoformat(),
            id_pagamento=pedido.nonce,
            restante=str(resultado.restante),
            quitado=resultado.quitado,
        )
        await s.commit()
    if resultado.quitado:
        return "pagamento_quitado"
    return "pagamento_parcial" if resultado.restante > 0 else "pagamento"
