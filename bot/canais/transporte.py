"""Did a failed HTTP request leave this machine? The answer decides between retrying and asking a person."""

from __future__ import annotations

import aiohttp

from bot.porta import ErroCanal, SemConfirmacao, TentarDepois

# Failures before a byte of the request reached the provider: a retry cannot duplicate anything. aiohttp's connect
# timeout also covers the wait for a free connection of the pool.
NAO_SAIU: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
)
FALHAS = (aiohttp.ClientError, TimeoutError)  # everything a request through `SessaoHttp` may raise on the way


def nao_saiu(erro: BaseException) -> bool:
    """The request never reached the provider: aiohttp's errors, or httpx's (pywa's client, for media and the
    template management; loaded only when such an error is at hand)."""
    if isinstance(erro, NAO_SAIU):
        return True
    if type(erro).__module__.startswith("httpx"):
        import httpx

        return isinstance(
            erro,
            httpx.ConnectError
            | httpx.ConnectTimeout
            | httpx.PoolTimeout
            | httpx.UnsupportedProtocol
            | httpx.ProxyError,
        )
    return False


def falha_de_transporte(provedor: str, erro: BaseException) -> ErroCanal:
    """`TentarDepois` when the request never left; `SemConfirmacao` when it may have reached the provider."""
    if nao_saiu(erro):
        return TentarDepois(f"{provedor} inacessível: {type(erro).__name__}")
    return SemConfirmacao(f"{provedor} sem resposta depois de receber o pedido: {type(erro).__name__}")
