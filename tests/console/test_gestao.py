"""The gestores' page: the régua preview for a chosen day, and flows drawn by a Mermaid copy served locally."""

from __future__ import annotations

import re

from tests.apoio.console import Ambiente, entrar


async def test_previa_da_regua_do_dia_escolhido(amb: Ambiente) -> None:
    gil = await amb.cliente()
    await entrar(gil, "gil")
    dia = await (await gil.get("/console/gestao", params={"regua": "07/12/2026"})).text()
    assert "1 de 1 lembrete(s) em 07/12/2026" in dia
    assert 'name="regua" value="07/12/2026"' in dia  # a pt-BR field, never the browser's mm/dd/yyyy
    (linha,) = re.findall(r'<tr class="situacao-enviar">(.*?)</tr>', dia)
    celulas = re.findall(r"<td>(.*?)</td>", linha)
    assert celulas == ["***.172.405-**", "BA", "Parcela: 5 dias antes do vencimento", "WhatsApp",
                       "lembrete_vencimento", "07/12 09:00 (America/Bahia)", "Envia no dia", ""]  # fmt: skip
    assert "antes_5" not in re.sub(r'value="[^"]*"', "", dia)  # the step's id only as a filter's value
    casos = [({"uf": "BA"}, 1), ({"uf": "SP"}, 0), ({"passo": "antes_5"}, 1), ({"passo": "vespera"}, 0)]
    for filtros, quantos in [*casos, ({"situacao": "enviar"}, 1), ({"situacao": "adiado"}, 0)]:
        filtrado = await (await gil.get("/console/gestao", params={"regua": "07/12/2026"} | filtros)).text()
        assert f"{quantos} de 1 lembrete(s)" in filtrado, filtros
        assert ("Nenhum lembrete com estes filtros." in filtrado) == (quantos == 0)
    assert (
        "0 de 0 lembrete(s) em 06/12/2026"
        in await (await gil.get("/console/gestao", params={"regua": "2026-12-06"})).text()
    )
    recusa = await gil.get("/console/gestao", params={"regua": "amanhã"})
    assert recusa.status == 400 and "use dd/mm/aaaa, como 07/12/2026" in await recusa.text()


async def test_paginas_usam_so_recursos_locais(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    gil = await amb.cliente()
    await entrar(gil, "gil")
    recursos: set[str] = set()
    for caminho in ("/console/", "/console/gestao", f"/console/conversas/{conversa}"):
        resposta = await gil.get(caminho)
        html = await resposta.text()
        recursos |= set(re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="([^"]+)"', html))
        assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
        assert "script-src" not in resposta.headers["Content-Security-Policy"]  # default-src 'self' governs scripts
    assert "/console/estatico/mermaid/mermaid.min.js" in recursos
    for recurso in recursos:
        assert recurso.startswith("/console/estatico/"), recurso
        assert (await gil.get(recurso)).status == 200, recurso
    licenca = await (await gil.get("/console/estatico/mermaid/LICENSE")).text()
    assert "MIT License" in licenca and "10.9.8" in licenca
