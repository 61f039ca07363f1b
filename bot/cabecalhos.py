"""Security headers on every HTTP response, set when it is prepared (streams and early refusals included).

A handler may set its own policy first (the console's diagrams relax styles, attachments sandbox themselves):
these are defaults, never overrides.
"""

from __future__ import annotations

from aiohttp import web

CSP_CONSOLE = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
# The payment page: inline styles and SVG codes, its one script served from /estatico, nothing from elsewhere.
CSP_PAGAMENTO = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The demo chat (only with `demo`) keeps its script and styles inline.
CSP_DEMO = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)
CSP_PADRAO = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"  # JSON, webhooks, health, metrics

_SEMPRE = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
# (path prefix, Content-Security-Policy, kept out of caches); the first prefix that matches decides.
_POR_CAMINHO = (
    ("/console", CSP_CONSOLE, True),
    ("/p/", CSP_PAGAMENTO, True),
    ("/estatico/", CSP_PADRAO, False),
    ("/api/", CSP_PADRAO, True),
)


def politica(caminho: str) -> tuple[str, bool]:
    """The CSP of a path and whether its answers must stay out of caches."""
    if caminho == "/":
        return CSP_DEMO, True
    return next(((csp, guardar) for prefixo, csp, guardar in _POR_CAMINHO if caminho.startswith(prefixo)),
                (CSP_PADRAO, False))  # fmt: skip


async def proteger(request: web.Request, resposta: web.StreamResponse) -> None:
    """`on_response_prepare` hook: the defaults above, without replacing what a handler chose."""
    csp, sem_cache = politica(request.path)
    for nome, valor in _SEMPRE.items():
        resposta.headers.setdefault(nome, valor)
    resposta.headers.setdefault("Content-Security-Policy", csp)
    if sem_cache:
        resposta.headers.setdefault("Cache-Control", "no-store")


def instalar(app: web.Application) -> None:
    app.on_response_prepare.append(proteger)
