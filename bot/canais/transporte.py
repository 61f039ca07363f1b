"""Did a failed HTTP request leave this machine? The answer decides between retrying and asking a person."""

from __future__ import annotations

import httpx

from bot.canais.porta import ErroCanal, SemConfirmacao, TentarDepois

# Failures before a byte of the request reached the provider: a retry cannot duplicate anything.
NAO_SAIU = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol, httpx.ProxyError)


def falha_de_transporte(provedor: str, erro: BaseException) -> ErroCanal:
    """`TentarDepois` when the request never left; `SemConfirmacao` when it may have reached the provider."""
    if isinstance(erro, NAO_SAIU):
        return TentarDepois(f"{provedor} inacessível: {type(erro).__name__}")
    return SemConfirmacao(f"{provedor} sem resposta depois de receber o pedido: {type(erro).__name__}")
