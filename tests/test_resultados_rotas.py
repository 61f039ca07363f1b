"""The gestor's button in the console: the debtor's evidence file, PDF or ZIP, audited with who asked."""

from __future__ import annotations

import io
import zipfile

from sqlmodel import select

from bot.dados.banco import sessao
from bot.dados.console import Auditoria, Usuario
from tests.test_console import Ambiente, amb, entrar, token  # noqa: F401  (amb is a fixture)


async def test_gestor_baixa_pdf_e_zip_e_cada_um_fica_auditado(amb: Ambiente) -> None:  # noqa: F811
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


async def test_agente_nao_ve_o_botao_nem_baixa(amb: Ambiente) -> None:  # noqa: F811
    conversa = await amb.escalar()
    ana = await amb.cliente()
    await entrar(ana, "ana")
    pagina = await (await ana.get(f"/console/conversas/{conversa}")).text()
    assert "/dossie" not in pagina
    recusa = await ana.post(f"/console/conversas/{conversa}/dossie", data={"csrf": await token(ana, conversa)})
    assert recusa.status == 403 and "o dossiê é só para gestores" in await recusa.text()
    async with sessao(amb.engine) as s:
        assert (await s.exec(select(Auditoria).where(Auditoria.acao == "dossie_exportado"))).all() == []


async def test_sem_csrf_formato_ou_conversa_invalidos(amb: Ambiente) -> None:  # noqa: F811
    conversa = await amb.escalar()
    gil = await amb.cliente()
    await entrar(gil, "gil")
    assert (await gil.post(f"/console/conversas/{conversa}/dossie", data={"formato": "pdf"})).status == 403
    csrf = await token(gil, conversa)
    ruim = await gil.post(f"/console/conversas/{conversa}/dossie", data={"csrf": csrf, "formato": "docx"})
    assert ruim.status == 400 and "formato do dossiê: pdf ou zip" in await ruim.text()
    assert (await gil.post("/console/conversas/999/dossie", data={"csrf": csrf})).status == 404
    assert (await gil.post("/console/conversas/abc/dossie", data={"csrf": csrf})).status == 404
