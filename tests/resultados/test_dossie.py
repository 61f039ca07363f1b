"""The evidence file: `python -m bot dossie --cpf X` and the gestor's button give a PDF and a ZIP of one record."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from bot.cli import main
from bot.dados.atendentes import Auditoria
from bot.dados.banco import criar_engine, sessao
from bot.projeto import Projeto
from bot.resultados.dossie import conteudo_canonico, nome_mascarado
from bot.resultados.dossie_pdf import gerar
from tests.apoio.chat_web import NAVEGADOR, conversar, demo, fechar_acordo
from tests.apoio.cliente_http import Cliente
from tests.apoio.projetos import RAIZ
from tests.apoio.relogio import AGORA, Relogio

CPF_MARIA = "390.533.447-05"


@pytest.fixture
async def negociado(projeto: Projeto, url: str) -> AsyncIterator[Cliente]:
    """Maria agreed, opened the page and paid; the second debtor asked to stop."""
    async with demo(projeto, url, Relogio()) as cliente:
        caminho = await fechar_acordo(cliente)
        await cliente.get(caminho, headers={"User-Agent": NAVEGADOR})
        await cliente.post(f"{caminho}/pagar", allow_redirects=False)
        await conversar(cliente, 1, "meu cpf é 390.533.447-05")
        yield cliente


def _cli(url: str, *args: str) -> int:
    """The real command line, as a manager runs it."""
    return main(["--config", str(RAIZ / "config.toml"), "--db", url, "--now", AGORA.isoformat(), *args])


def _texto_do_pdf(conteudo: bytes) -> str:
    return "\n".join(pagina.extract_text() for pagina in PdfReader(io.BytesIO(conteudo)).pages)


async def test_comando_grava_pdf_e_zip_com_o_mesmo_conteudo(
    negociado: Cliente, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(_cli, url, "dossie", "--cpf", CPF_MARIA, "--pasta", str(tmp_path)) == 0
    saida = capsys.readouterr().out
    nome = "dossie-devedor-1-20261123T140000Z"
    assert saida.splitlines()[:2] == [str(tmp_path / f"{nome}.pdf"), str(tmp_path / f"{nome}.zip")]

    with zipfile.ZipFile(tmp_path / f"{nome}.zip") as pacote:
        assert sorted(pacote.namelist()) == ["SHA256SUMS", "dossie.json", "dossie.pdf"]
        bruto, pdf = pacote.read("dossie.json"), pacote.read("dossie.pdf")
        somas = pacote.read("SHA256SUMS").decode()
    assert pdf == (tmp_path / f"{nome}.pdf").read_bytes()
    assert somas == f"{hashlib.sha256(bruto).hexdigest()}  dossie.json\n{hashlib.sha256(pdf).hexdigest()}  dossie.pdf\n"
    dados = json.loads(bruto)
    sha = dados.pop("sha256")
    assert sha == hashlib.sha256(conteudo_canonico(dados)).hexdigest()
    assert saida.splitlines()[2] == f"SHA-256 do conteúdo: {sha}"

    assert dados["credor"] == {
        "nome": "Loja Exemplo Comércio Ltda.", "cnpj": "11.222.333/0001-81", "endereco": dados["credor"]["endereco"]
    }  # fmt: skip
    assert dados["devedor"]["cpf"] == "***.533.447-**" and dados["devedor"]["nome"] == "Maria S. S."
    assert "39053344705" not in bruto.decode() and "390.533.447-05" not in bruto.decode()
    assert any("[cpf]" in m["texto"] for m in dados["conversa"])  # what she typed, masked
    assert [m["direcao"] for m in dados["conversa"]].count("entrada") == 7
    contatos = dados["contatos"]
    assert contatos and all(c["origem"] == "conversa" for c in contatos)
    assert all("resposta ao devedor" in c["permitido_porque"] for c in contatos)
    assert contatos[0]["instante"] == {"utc": "2026-11-23T14:00:00+00:00", "local": "2026-11-23T11:00:00-03:00"}
    (acordo,) = dados["acordos"]
    assert acordo["situacao"] == "pago" and len(acordo["documentos"]) == 1 and len(acordo["pagamentos"]) == 1
    tipos = [e["tipo"] for e in dados["eventos"]]
    assert {"identidade_ok", "motivo", "oferta", "acordo", "pagina_aberta", "pagamento"} <= set(tipos)

    texto = _texto_do_pdf(pdf)
    for esperado in ("Dossiê de cobrança", "Loja Exemplo Comércio Ltda.", "***.533.447-**", "Maria S. S.", sha[:40],
                     "Permitido porque: segunda-feira 23/11/2026 11:00", "Acordo nº 1", "pagamento R$"):  # fmt: skip
        assert esperado in texto.replace("\n", " "), esperado

    engine = criar_engine(url)
    async with sessao(engine) as s:
        (auditoria,) = (await s.exec(select(Auditoria).where(Auditoria.acao == "dossie_exportado"))).all()
    await engine.dispose()
    assert auditoria.usuario_id is None and auditoria.criada_em == AGORA
    assert auditoria.dados == {
        "devedor": 1, "sha256": sha, "pdf": hashlib.sha256(pdf).hexdigest(),
        "zip": hashlib.sha256((tmp_path / f"{nome}.zip").read_bytes()).hexdigest(),
    }  # fmt: skip

    # A second export shows the first one among the actions on this debtor.
    assert await asyncio.to_thread(_cli, url, "dossie", "--cpf", "39053344705", "--pasta", str(tmp_path)) == 0
    segundo = json.loads(zipfile.ZipFile(tmp_path / f"{nome}.zip").read("dossie.json"))
    assert [a["acao"] for a in segundo["acoes_de_pessoas"]] == ["dossie_exportado"]
    assert segundo["acoes_de_pessoas"][0]["quem"] == "linha de comando"


@pytest.mark.parametrize(
    ("cpf", "erro"),
    [
        ("123", "CPF inválido: '123' (11 dígitos com os verificadores, ex. 390.533.447-05)"),
        ("111.111.111-11", "CPF inválido: '111.111.111-11'"),
        ("529.982.247-25", "nenhum devedor com o CPF ***.982.247-**"),
    ],
)
def test_cpf_invalido_ou_desconhecido(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], cpf: str, erro: str
) -> None:
    pasta = tmp_path / "saida"
    pasta.mkdir()
    assert _cli(url, "dossie", "--cpf", cpf, "--pasta", str(pasta)) == 1
    assert erro in capsys.readouterr().err
    assert list(pasta.iterdir()) == []


def test_pasta_inexistente(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(url, "dossie", "--cpf", CPF_MARIA, "--pasta", str(tmp_path / "nao")) == 1
    assert f"pasta não encontrada: {tmp_path / 'nao'}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("nome", "mascarado"),
    [("Maria da Silva Santos", "Maria S. S."), ("JOSÉ ALVES", "José A."), ("Ana", "Ana"), ("", "")],
)
def test_nome_mascarado(nome: str, mascarado: str) -> None:
    assert nome_mascarado(nome) == mascarado


async def test_lembrete_da_regua_com_modelo_e_entrega(url: str, projeto: Projeto) -> None:
    """A régua reminder appears as a contact with its template, delivery reports and the caps counted."""
    from datetime import timedelta

    from bot.canais.entregas import registrar_status
    from bot.canais.whatsapp_webhook import StatusRecebido
    from bot.dados.modelos import Devedor
    from bot.dados.saida import Saida, SituacaoSaida
    from bot.resultados.dossie import montar

    engine = criar_engine(url)
    async with sessao(engine) as s:
        s.add(
            Saida(
                alvo="parcela:1", passo="vencido_3", canal="whatsapp", devedor_id=1, destino="+5511987654321",
                texto="Olá, Maria", modelo="pendencia", situacao=SituacaoSaida.ENVIADA.value, proxima_tentativa=AGORA,
                prazo=AGORA, enviada_em=AGORA, id_provedor="wamid.D1", variante="lembrete:b",
            )
        )  # fmt: skip
        await s.commit()
    await registrar_status(engine, "whatsapp", StatusRecebido("wamid.D1", "read", AGORA + timedelta(minutes=5)))
    await registrar_status(engine, "whatsapp", StatusRecebido("wamid.D1", "delivered", AGORA + timedelta(minutes=1)))
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor).where(col(Devedor.id) == 1))).one()
        dados = await montar(s, projeto.config, devedor, AGORA, "teste")
    await engine.dispose()
    (contato,) = dados["contatos"]
    assert contato["origem"] == "régua: passo vencido_3" and contato["modelo"] == "pendencia"
    assert contato["variante"] == "lembrete:b"  # the experiment's variant it was sent under
    assert [r["status"] for r in contato["entrega"]] == ["delivered", "read"]
    assert contato["permitido_porque"].endswith("1º contato do dia (limite 1), 1º da semana (limite 3)")


def test_pdf_mostra_o_texto_das_mensagens_sem_trocar_sinais_por_interrogacao() -> None:
    """Dashes, bullets and quotes of the bot's messages as they are; an emoji by its code point, never as '?'."""
    instante = {"utc": "2026-11-23T14:00:00+00:00", "local": "2026-11-23T11:00:00-03:00"}
    texto = "Olá, Maria! 👋 • *Carnê loja* — parcela 3 “à vista”… 👍🏽 ❤️"
    contato: dict[str, object] = {"instante": instante, "canal": "whatsapp", "origem": "conversa", "modelo": None,
               "variante": None, "texto": texto, "situacao": "enviada", "entrega": [],
               "permitido_porque": "resposta ao devedor"}
    dados = {"credor": {"nome": "Loja", "cnpj": "11.222.333/0001-81", "endereco": "Av. Paulista, 1000"},
             "devedor": {"nome": "Maria S. S.", "cpf": "***.533.447-**", "uf": "SP", "fuso": "America/Sao_Paulo",
                         "optout": None},
             "emitido": {"instante": instante, "por": "teste"}, "contatos": [contato],
             "conversa": [{"instante": instante, "canal": "whatsapp", "direcao": "saida", "texto": texto}],
             "acordos": [], "transferencias": [], "eventos": [], "acoes_de_pessoas": [],
             "sha256": "0" * 64}  # fmt: skip
    lido = " ".join(_texto_do_pdf(gerar(dados)).split())  # lines wrap where the page ends
    assert lido.count("Olá, Maria! [U+1F44B] • *Carnê loja* — parcela 3 “à vista”… [U+1F44D][U+1F3FD] [U+2764]") == 2
    assert "?" not in lido
