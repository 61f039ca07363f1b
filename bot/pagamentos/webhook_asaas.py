"""`POST /webhooks/asaas`: Asaas payment events, authenticated by its access-token header, confirmed once."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, or_, select

from bot.corpo import JsonInvalido, ler_json
from bot.dados.banco import sessao
from bot.dados.cobrancas import CobrancaPsp
from bot.dados.modelos import DocumentoPagamento
from bot.dados.tipos import DINHEIRO_MAXIMO
from bot.pagamentos.confirmacao import Confirmacao, Confirmador

log = logging.getLogger(__name__)

ROTA = "/webhooks/asaas"
CABECALHO = "asaas-access-token"
CORPO_MAXIMO = 32 * 1024  # an Asaas event is a few KB; anything bigger is not one
EVENTOS_PAGOS = frozenset({"PAYMENT_RECEIVED", "PAYMENT_CONFIRMED"})


@dataclass(frozen=True)
class WebhookAsaas:
    engine: AsyncEngine
    confirmador: Confirmador
    token: str
    relogio: Callable[[], datetime]


WEBHOOK_ASAAS = web.AppKey("webhook_asaas", WebhookAsaas)


class PagamentoInvalido(ValueError):
    """The event's `payment` object lacks what a confirmation needs."""


def _resposta(status: int, **dados: Any) -> web.Response:
    return web.json_response(dados, status=status)


def _data(valor: object) -> date | None:
    try:
        return date.fromisoformat(valor) if isinstance(valor, str) else None
    except ValueError:
        return None


def _pagamento(corpo: dict[str, Any]) -> tuple[str, Decimal, date | None, str]:
    """(payment id, value, date paid, externalReference) from the event, or PagamentoInvalido."""
    pagamento = corpo.get("payment")
    if not isinstance(pagamento, dict):
        raise PagamentoInvalido("evento sem o objeto 'payment'")
    id_pagamento, valor = pagamento.get("id"), pagamento.get("value")
    if not isinstance(id_pagamento, str) or not id_pagamento:
        raise PagamentoInvalido("'payment.id' ausente")
    try:
        quantia = Decimal(str(valor)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise PagamentoInvalido(f"'payment.value' inválido: {valor!r}") from None
    if isinstance(valor, bool) or not quantia.is_finite() or not 0 < quantia <= DINHEIRO_MAXIMO:
        raise PagamentoInvalido(f"'payment.value' inválido: {valor!r}")
    pago_em = _data(pagamento.get("paymentDate")) or _data(pagamento.get("clientPaymentDate"))
    referencia = pagamento.get("externalReference")
    return id_pagamento, quantia, pago_em, referencia if isinstance(referencia, str) else ""


async def _documento(engine: AsyncEngine, id_pagamento: str, referencia: str) -> DocumentoPagamento | None:
    """The document charged by that Asaas payment (by its id, or by our key for a retried creation)."""
    async with sessao(engine) as s:
        consulta = select(CobrancaPsp).where(
            CobrancaPsp.provedor == "asaas",
            or_(col(CobrancaPsp.id_externo) == id_pagamento, col(CobrancaPsp.chave) == referencia),
        )
        cobranca = (await s.exec(consulta)).first()
        if cobranca is None or cobranca.documento_id is None:
            return None
        return await s.get(DocumentoPagamento, cobranca.documento_id)


async def receber(request: web.Request) -> web.Response:
    """An Asaas event: 401 without the right token, 400 when malformed, 200 once understood (or ignored)."""
    hook = request.app[WEBHOOK_ASAAS]
    recebido = request.headers.get(CABECALHO, "")
    if not hmac.compare_digest(recebido.encode(), hook.token.encode()):
        return _resposta(401, erro="token de acesso inválido")
    if request.content_length is not None and request.content_length > CORPO_MAXIMO:
        return _resposta(413, erro=f"corpo grande demais (máximo {CORPO_MAXIMO} bytes)")
    bruto = await request.content.read(CORPO_MAXIMO + 1)
    if len(bruto) > CORPO_MAXIMO:
        return _resposta(413, erro=f"corpo grande demais (máximo {CORPO_MAXIMO} bytes)")
    try:
        corpo = ler_json(bruto)
    except JsonInvalido as erro:
        return _resposta(400, erro=str(erro))
    if not isinstance(corpo, dict) or not isinstance(corpo.get("event"), str):
        return _resposta(400, erro="corpo inválido: esperado um objeto com 'event'")
    evento = corpo["event"]
    if evento not in EVENTOS_PAGOS:
        log.info("webhook Asaas: evento %s ignorado", evento)
        return _resposta(200, ok=True, ignorado=evento)
    try:
        id_pagamento, valor, pago_em, referencia = _pagamento(corpo)
    except PagamentoInvalido as erro:
        return _resposta(400, erro=str(erro))
    documento = await _documento(hook.engine, id_pagamento, referencia)
    if documento is None:
        # Acknowledged: a charge made outside the bot is not ours, and a 4xx would make Asaas retry it forever.
        log.warning("webhook Asaas: pagamento %s (%s) sem cobrança conhecida", id_pagamento, referencia)
        return _resposta(200, ok=True, ignorado="cobranca_desconhecida")
    agora = hook.relogio()
    confirmacao = Confirmacao("asaas", id_pagamento, "webhook", documento.txid, valor, pago_em or agora.date())
    resultado = await hook.confirmador.confirmar(confirmacao, agora)
    log.info("webhook Asaas %s do pagamento %s: %s", evento, id_pagamento, resultado)
    return _resposta(200, ok=True, resultado=resultado.desfecho.value)


def instalar(app: web.Application, webhook: WebhookAsaas) -> None:
    app[WEBHOOK_ASAAS] = webhook
    app.add_routes([web.post(ROTA, receber)])
