"""Every route of the app answers with the security headers, streams and refusals included."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.cabecalhos import CSP_CONSOLE, CSP_PAGAMENTO
from tests.apoio.console import Ambiente, entrar

_PARAMETRO = re.compile(r"\{[^}]+\}")


def _conferir(caminho: str, resposta_headers: Mapping[str, str]) -> list[str]:
    cabecalhos = dict(resposta_headers)
    faltando = [
        nome
        for nome, valor in (
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
        )
        if cabecalhos.get(nome) != valor
    ]
    if "frame-ancestors 'none'" not in cabecalhos.get("Content-Security-Policy", ""):
        faltando.append("Content-Security-Policy")
    return [f"{caminho}: {nome}" for nome in faltando]


async def test_toda_rota_responde_com_os_cabecalhos(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    problemas: list[str] = []
    vistas = 0
    for rota in amb.app.router.routes():
        info = rota.resource.get_info() if rota.resource is not None else {}
        molde = info.get("path") or info.get("formatter") or info.get("prefix")
        if molde is None or rota.method not in ("GET", "POST"):
            continue
        caminho = _PARAMETRO.sub("1", molde)
        resposta = await cliente.request(rota.method, caminho, allow_redirects=False)
        problemas += _conferir(f"{rota.method} {caminho} ({resposta.status})", resposta.headers)
        resposta.close()
        vistas += 1
    assert vistas >= 30
    assert problemas == []


async def test_fluxo_ao_vivo_e_recusas_do_console_tambem(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    recusa = await cliente.get("/console/fila/eventos", allow_redirects=False)
    assert recusa.status == 401 and recusa.headers["Content-Security-Policy"] == CSP_CONSOLE
    assert recusa.headers["Cache-Control"] == "no-store"
    assert await entrar(cliente, "ana") == 303
    fluxo = await cliente.get("/console/fila/eventos")
    assert fluxo.headers["Content-Type"] == "text/event-stream"
    assert _conferir("fluxo", fluxo.headers) == []
    assert fluxo.headers["Content-Security-Policy"] == CSP_CONSOLE
    fluxo.close()


async def test_pagina_de_pagamento_sem_script_embutido(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    resposta = await cliente.get("/p/token-que-nao-existe")
    assert resposta.headers["Content-Security-Policy"] == CSP_PAGAMENTO
    assert resposta.headers["Cache-Control"] == "no-store"
    script = await cliente.get("/estatico/pagamento.js")
    assert script.status == 200 and script.content_type == "application/javascript"
    assert "data-copiar" in await script.text()


async def test_uma_pagina_pode_escolher_a_propria_politica(amb: Ambiente) -> None:
    """The diagrams page relaxes styles: the defaults fill in, never override."""
    cliente = await amb.cliente()
    assert await entrar(cliente, "gil") == 303
    resposta = await cliente.get("/console/gestao")
    assert resposta.status == 200
    assert resposta.headers["Content-Security-Policy"] == f"{CSP_CONSOLE}; style-src 'self' 'unsafe-inline'"
    assert _conferir("gestao", resposta.headers) == []
