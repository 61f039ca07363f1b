"""An agent records a verified payment from the console: through the Confirmador, once per form, audited."""

from __future__ import annotations

import re

from sqlmodel import col, select

from bot.dados.atendentes import Auditoria
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import AcordoParcela, DocumentoPagamento
from bot.dados.saida import Saida
from bot.formatos import brl
from tests.apoio.cliente_http import Cliente
from tests.apoio.console import Ambiente, com_acordo, entrar


async def formulario(cliente: Cliente, conversa: int) -> dict[str, str]:
    html = await (await cliente.get(f"/console/conversas/{conversa}")).text()
    achado = re.search(r'<form method="post" action="[^"]+/pagamentos".*?</form>', html, re.S)
    assert achado is not None, "sem formulário de pagamento"
    campos = dict(re.findall(r'name="(csrf|nonce)" value="([^"]+)"', achado.group(0)))
    campos["documento"] = re.findall(r'<option value="(\d+)"', achado.group(0))[0]
    return campos


async def pagar(cliente: Cliente, conversa: int, campos: dict[str, str], **extra: str) -> tuple[int, str]:
    resposta = await cliente.post(
        f"/console/conversas/{conversa}/pagamentos", data=campos | extra, allow_redirects=False
    )
    return resposta.status, resposta.headers.get("Location") or await resposta.text()


async def parcelas(amb: Ambiente) -> list[AcordoParcela]:
    async with sessao(amb.engine) as s:
        return list((await s.exec(select(AcordoParcela).order_by(col(AcordoParcela.numero)))).all())


async def agradecimentos(amb: Ambiente) -> list[Saida]:
    async with sessao(amb.engine) as s:
        return list((await s.exec(select(Saida).where(Saida.passo == "agradecimento"))).all())


async def test_pagamento_integral_uma_vez(amb: Ambiente) -> None:
    conversa = await com_acordo(amb)
    ana = amb.clientes[0]
    campos = await formulario(ana, conversa)
    primeira = (await parcelas(amb))[0]
    valor = brl(primeira.valor).replace("R$", "").strip()
    status, destino = await pagar(ana, conversa, campos, valor=valor, data="23/11/2026")
    assert (status, destino) == (303, f"/console/conversas/{conversa}?aviso=pagamento")
    assert "a parcela está paga" in await (await ana.get(destino)).text()
    assert [p.situacao for p in await parcelas(amb)][:2] == ["paga", "aberta"]
    assert len(await agradecimentos(amb)) == 1

    status, destino = await pagar(ana, conversa, campos, valor=valor, data="23/11/2026")  # the same form again
    assert (status, destino) == (303, f"/console/conversas/{conversa}?aviso=pagamento_repetido")
    assert "nada mudou" in await (await ana.get(destino)).text()
    async with sessao(amb.engine) as s:
        pagamentos = (await s.exec(select(PagamentoRecebido))).all()
        auditoria = (await s.exec(select(Auditoria).where(Auditoria.acao == "registrou_pagamento"))).all()
        documentos = (await s.exec(select(DocumentoPagamento))).all()
    assert [(p.provedor, p.origem, p.valor) for p in pagamentos] == [("agente", "console", primeira.valor)]
    assert [(a.usuario_id, a.conversa_id, a.dados["valor"], a.dados["data"]) for a in auditoria] == [
        (1, conversa, str(primeira.valor), "2026-11-23")
    ]
    assert len(await agradecimentos(amb)) == 1
    assert {d.acordo_parcela_numero for d in documentos} == {1, 2}  # the next installment got its document
    novo = await formulario(ana, conversa)  # a new form (new nonce) offers the next installment only
    assert novo["nonce"] != campos["nonce"] and novo["documento"] != campos["documento"]


async def test_pagamento_parcial_deixa_o_resto_aberto(amb: Ambiente) -> None:
    conversa = await com_acordo(amb)
    gil = await amb.cliente()  # a gestor records it without owning the conversation
    await entrar(gil, "gil")
    status, destino = await pagar(gil, conversa, await formulario(gil, conversa), valor="1,00", data="22/11/2026")
    assert (status, destino) == (303, f"/console/conversas/{conversa}?aviso=pagamento_parcial")
    assert [p.situacao for p in await parcelas(amb)] == ["aberta"] * len(await parcelas(amb))
    async with sessao(amb.engine) as s:
        (auditoria,) = (await s.exec(select(Auditoria).where(Auditoria.acao == "registrou_pagamento"))).all()
    assert auditoria.usuario_id == 3 and auditoria.dados["restante"] != "0.00"
    assert "registrar-pagamento" in await (await gil.get(f"/console/conversas/{conversa}")).text()
    for de, recuperado in (("2026-11-01", "1,00"), ("2026-11-23", "0,00")):  # paid on 22/11
        gestao = await (await gil.get("/console/gestao", params={"de": de, "ate": "2026-11-23"})).text()
        assert re.search(rf'<dd id="recuperado">R\$\s{recuperado}</dd>', gestao), (de, gestao)


async def test_quem_nao_pode_e_entrada_invalida(amb: Ambiente) -> None:
    conversa = await com_acordo(amb)
    ana = amb.clientes[0]
    campos = await formulario(ana, conversa)
    beto = await amb.cliente()
    await entrar(beto, "beto")
    beto_campos = campos | {
        "csrf": re.findall(r'name="csrf" value="([^"]+)"', await (await beto.get("/console/")).text())[0]
    }
    status, _ = await pagar(beto, conversa, beto_campos, valor="10,00", data="23/11/2026")
    assert status == 404  # Ana's conversation: Beto learns nothing about it
    sem_csrf = {k: v for k, v in campos.items() if k != "csrf"}
    assert (await pagar(ana, conversa, sem_csrf, valor="10,00", data="23/11/2026"))[0] == 403
    erros = {
        ("abc", "23/11/2026"): "valor inválido: informe como 1.234,56",
        ("0,00", "23/11/2026"): "maior que zero",
        ("10,00", "2026-11-23"): "informe como dd/mm/aaaa",
        ("10,00", "24/11/2026"): "está no futuro",
        ("1.000.000,00", "23/11/2026"): "passa do que falta pagar no acordo",
    }
    for (valor, data), mensagem in erros.items():
        status, html = await pagar(ana, conversa, campos, valor=valor, data=data)
        assert status == 400 and mensagem in html, (valor, data, status)
    assert (await pagar(ana, conversa, campos | {"documento": "1"}, valor="10,00", data="23/11/2026"))[0] == 409
    assert (await pagar(ana, conversa, campos | {"nonce": "x"}, valor="10,00", data="23/11/2026"))[0] == 400
    async with sessao(amb.engine) as s:
        assert (await s.exec(select(PagamentoRecebido))).all() == []
    assert await agradecimentos(amb) == []
