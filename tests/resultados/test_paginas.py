"""The gestor's button in the console: the debtor's evidence file, PDF or ZIP, audited with who asked."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.dados.atendentes import Auditoria, Usuario
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import Contrato, Devedor, Parcela
from tests.apoio.chat_web import fechar_acordo
from tests.apoio.console import Ambiente, entrar, token
from tests.apoio.relogio import AGORA


async def test_gestor_baixa_pdf_e_zip_e_cada_um_fica_auditado(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    gil = await amb.cliente()
    await entrar(gil, "gil")
    pagina = await (await gil.get(f"/console/conversas/{conversa}")).text()
    assert 'action="/console/conversas/1/dossie"' in pagina and "Dossiê (PDF)" in pagina
    csrf = await token(gil, conversa)

    pdf = await gil.post(f"/console/conversas/{conversa}/dossie", data={"csrf": csrf, "formato": "pdf"})
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    assert (await pdf.read()).startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="dossie-devedor-1-20261123T140000Z.pdf"'
    pacote = await gil.post(f"/console/conversas/{conversa}/dossie", data={"csrf": csrf, "formato": "zip"})
    assert pacote.content_type == "application/zip"
    nomes = zipfile.ZipFile(io.BytesIO(await pacote.read())).namelist()
    assert sorted(nomes) == ["SHA256SUMS", "dossie.json", "dossie.pdf"]

    async with sessao(amb.engine) as s:
        exportacoes = (await s.exec(select(Auditoria).where(Auditoria.acao == "dossie_exportado"))).all()
        gestor = (await s.exec(select(Usuario).where(Usuario.login == "gil"))).one()
    assert [(a.usuario_id, a.dados["devedor"], a.dados["sha256"]) for a in exportacoes] == [
        (gestor.id, 1, pdf.headers["X-Dossie-SHA256"]),
        (gestor.id, 1, pacote.headers["X-Dossie-SHA256"]),
    ]


async def test_agente_nao_ve_o_botao_nem_baixa(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    ana = await amb.cliente()
    await entrar(ana, "ana")
    pagina = await (await ana.get(f"/console/conversas/{conversa}")).text()
    assert "/dossie" not in pagina
    recusa = await ana.post(f"/console/conversas/{conversa}/dossie", data={"csrf": await token(ana, conversa)})
    assert recusa.status == 403 and "o dossiê é só para gestores" in await recusa.text()
    async with sessao(amb.engine) as s:
        assert (await s.exec(select(Auditoria).where(Auditoria.acao == "dossie_exportado"))).all() == []


async def test_sem_csrf_formato_ou_conversa_invalidos(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    gil = await amb.cliente()
    await entrar(gil, "gil")
    assert (await gil.post(f"/console/conversas/{conversa}/dossie", data={"formato": "pdf"})).status == 403
    csrf = await token(gil, conversa)
    ruim = await gil.post(f"/console/conversas/{conversa}/dossie", data={"csrf": csrf, "formato": "docx"})
    assert ruim.status == 400 and "formato do dossiê: pdf ou zip" in await ruim.text()
    assert (await gil.post("/console/conversas/999/dossie", data={"csrf": csrf})).status == 404
    assert (await gil.post("/console/conversas/abc/dossie", data={"csrf": csrf})).status == 404
    for estranho in ("99999999999999999999", "-1", "0", "²"):  # beyond a BIGINT, not an id: 404, never a 500
        assert (await gil.post(f"/console/conversas/{estranho}/dossie", data={"csrf": csrf})).status == 404, estranho


async def test_curvas_de_liquidacao_na_gestao(amb: Ambiente) -> None:
    async with sessao(amb.engine) as s:
        await s.exec(update(Devedor).values(criado_em=AGORA - timedelta(days=40)))
        await s.commit()
    cliente = await amb.cliente()
    caminho = await fechar_acordo(cliente)
    await cliente.post(f"{caminho}/pagar", allow_redirects=False)
    async with sessao(amb.engine) as s:
        colocado = sum(p.valor for p in (await s.exec(select(Parcela))).all())
        pago = sum(p.valor for p in (await s.exec(select(PagamentoRecebido))).all())
        segmento = (await s.exec(select(Devedor.segmento).where(Devedor.id == 1))).one()
        do_segmento = select(col(Parcela.valor)).join(Contrato).join(Devedor).where(Devedor.segmento == segmento)
        colocado_segmento = sum((await s.exec(do_segmento)).all())
    esperado = f"{100 * pago / colocado:.2f}".replace(".", ",")

    gil = await amb.cliente()
    await entrar(gil, "gil")
    assert 'href="/console/gestao/curvas"' in await (await gil.get("/console/gestao")).text()
    html = await (await gil.get("/console/gestao/curvas", params={"dias": "60"})).text()
    assert "<svg" in html and "<polyline" in html and "2026-10" in html
    tabela = html.split('id="tabela-curvas"')[1]
    assert f"<td>{100 * pago / colocado:.1f} %</td>".replace(".", ",") in tabela  # recovered so far
    assert tabela.count("<td>0,0 %</td>") == 2 and "<td>–</td>" in tabela  # days 7 and 30; nobody is 60 days old
    planilha = await gil.get("/console/gestao/curvas.csv", params={"por": "safra", "dias": "60"})
    assert planilha.headers["Content-Disposition"] == 'attachment; filename="curvas-safra-60d.csv"'
    linhas = (await planilha.text()).splitlines()
    assert linhas[0] == "grupo;devedores;colocado;dia;recuperado_percentual"
    por_dia = {int(linha.split(";")[3]): linha.split(";")[4] for linha in linhas[1:]}
    assert por_dia[39] == "0,00" and por_dia[40] == esperado and por_dia[41] == ""  # nobody is 41 days old
    por_segmento = await (await gil.get("/console/gestao/curvas.csv", params={"por": "segmento"})).text()
    no_segmento = f"{100 * pago / colocado_segmento:.2f}".replace(".", ",")
    assert any(
        linha.startswith(f"{segmento};") and linha.endswith(f";40;{no_segmento}") for linha in por_segmento.splitlines()
    )
    por_passo = await (await gil.get("/console/gestao/curvas", params={"por": "passo"})).text()
    assert "(sem lembrete)" in por_passo

    assert (await gil.get("/console/gestao/curvas", params={"por": "cor"})).status == 400
    assert "dias inválido: &#39;0&#39;" in await (await gil.get("/console/gestao/curvas", params={"dias": "0"})).text()
    for estranho in ("²", "٣", "-1", " 7"):  # digits int() refuses or reads differently: refused, never a 500
        for rota in ("/console/gestao/curvas", "/console/gestao/curvas.csv"):
            recusa = await gil.get(rota, params={"dias": estranho})
            assert recusa.status == 400 and "dias inválido" in await recusa.text(), (rota, estranho)
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert (await ana.get("/console/gestao/curvas")).status == 403
    assert (await ana.get("/console/gestao/curvas.csv")).status == 403
