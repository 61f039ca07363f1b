"""`python -m bot modelos` against a local fake of the Graph API's template management, and `check`'s warnings."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot import cli
from bot.canais.gestao_modelos import comando_modelos
from bot.dados.banco import sessao
from bot.dados.situacao_modelos import SituacaoModelo
from bot.projeto import Projeto
from tests.apoio.falsos.graph_modelos import TOKEN, WABA, FalsaGestaoGraph
from tests.apoio.relogio import AGORA

DECLARADOS = ["lembrete_vencimento", "lembrete_amanha", "pendencia", "pendencia_negociar", "parcela_acordo",
              "acordo_pendente", "retomar_conversa", "pagamento_recebido", "documento_pronto",
              "lembrete_curto"]  # fmt: skip


def _na_meta(nome: str, status: str = "APPROVED", **extra: Any) -> dict[str, Any]:
    return {"id": f"id-{nome}", "name": nome, "language": "pt_BR", "status": status, "category": "UTILITY"} | extra


@pytest.fixture
async def gestao_graph() -> AsyncIterator[tuple[FalsaGestaoGraph, str]]:
    falsa = FalsaGestaoGraph()
    async with TestServer(falsa.app()) as servidor:
        yield falsa, str(servidor.make_url("")).rstrip("/")


def _com_conta(projeto: Projeto, url: str, conta: str = WABA) -> Projeto:
    canais = projeto.config.canais
    whatsapp = canais.whatsapp.model_copy(update={"id_conta": conta, "api_base_url": url})
    return replace(projeto, config=projeto.config.model_copy(update={"canais": canais.model_copy(
        update={"whatsapp": whatsapp})}))  # fmt: skip


async def _rodar(engine: AsyncEngine, projeto: Projeto, enviar: bool = False) -> tuple[int, str, str]:
    saida, erros = io.StringIO(), io.StringIO()
    codigo = await comando_modelos(engine, projeto, lambda: AGORA, enviar, saida, erros)
    return codigo, saida.getvalue(), erros.getvalue()


async def _guardadas(engine: AsyncEngine) -> dict[str, tuple[str, str | None]]:
    async with sessao(engine) as s:
        linhas = (await s.exec(select(SituacaoModelo).order_by(col(SituacaoModelo.nome)))).all()
    return {m.nome: (m.situacao, m.motivo) for m in linhas}


@pytest.fixture
def com_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_TOKEN", TOKEN)


async def test_lista_com_situacao_em_todas_as_paginas(
    engine: AsyncEngine, projeto: Projeto, gestao_graph: tuple[FalsaGestaoGraph, str], com_token: None
) -> None:
    falsa, url = gestao_graph
    falsa.modelos = [
        _na_meta("lembrete_vencimento"),
        _na_meta("lembrete_amanha", "PENDING"),
        _na_meta("pendencia", "REJECTED", rejected_reason="INCORRECT_CATEGORY"),
        _na_meta("pendencia_negociar", category="MARKETING"),
        _na_meta("promocao_natal"),
    ]
    codigo, saida, erros = await _rodar(engine, _com_conta(projeto, url))
    assert (codigo, erros) == (0, "")
    assert [p.get("after") for p in falsa.pedidos] == [None, "2", "4"]  # three pages, following the cursors
    linhas = saida.splitlines()
    assert linhas[0].split() == ["lembrete_vencimento", "pt_BR", "UTILITY", "APPROVED"]
    assert "REJECTED — INCORRECT_CATEGORY" in linhas[2]
    assert "(a Meta classificou como MARKETING)" in linhas[3]
    assert "não enviado (use --enviar)" in linhas[4]
    assert linhas[-2] == "Na Meta e não declarados em mensagens/: promocao_natal (pt_BR)"
    assert linhas[-1] == "10 modelo(s) declarado(s), 8 sem aprovação."
    assert falsa.criados == []  # listing submits nothing
    assert await _guardadas(engine) == {
        "lembrete_amanha": ("PENDING", None),
        "lembrete_vencimento": ("APPROVED", None),
        "pendencia": ("REJECTED", "INCORRECT_CATEGORY"),
        "pendencia_negociar": ("APPROVED", None),
    }


async def test_enviar_submete_so_os_que_faltam(
    engine: AsyncEngine, projeto: Projeto, gestao_graph: tuple[FalsaGestaoGraph, str], com_token: None
) -> None:
    falsa, url = gestao_graph
    falsa.modelos = [_na_meta(nome) for nome in DECLARADOS[:6]]
    falsa.recusar = {"pagamento_recebido"}
    codigo, saida, erros = await _rodar(engine, _com_conta(projeto, url), enviar=True)
    assert codigo == 0
    assert erros == "a Meta recusou enviar o modelo pagamento_recebido: (100) Message template content is invalid\n"
    assert [c["name"] for c in falsa.criados] == ["retomar_conversa", "documento_pronto", "lembrete_curto"]
    assert falsa.criados[0] == {
        "name": "retomar_conversa",
        "language": "pt_BR",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [{
            "type": "BODY",
            "text": "Oi, {{1}}! Aqui é {{2}}, da equipe de atendimento. Podemos continuar a nossa conversa?",
            "example": {"body_text": [["Maria", "Ana"]]},
        }],
    }  # fmt: skip
    guardadas = await _guardadas(engine)
    assert guardadas["retomar_conversa"] == ("PENDING", None) and "pagamento_recebido" not in guardadas
    assert saida.splitlines()[-1] == "10 modelo(s) declarado(s), 4 sem aprovação."
    # a second run finds them at Meta and submits nothing again
    assert (await _rodar(engine, _com_conta(projeto, url), enviar=True))[0] == 0
    assert [c["name"] for c in falsa.criados] == ["retomar_conversa", "documento_pronto", "lembrete_curto"]


async def test_modelo_apagado_na_meta_deixa_de_valer(
    engine: AsyncEngine, projeto: Projeto, gestao_graph: tuple[FalsaGestaoGraph, str], com_token: None
) -> None:
    falsa, url = gestao_graph
    falsa.modelos = [_na_meta("lembrete_amanha")]
    await _rodar(engine, _com_conta(projeto, url))
    falsa.modelos = []
    await _rodar(engine, _com_conta(projeto, url))
    assert await _guardadas(engine) == {}


@pytest.mark.parametrize(
    ("conta", "token", "erro"),
    [
        ("", TOKEN, "para falar com a Meta defina canais.whatsapp.id_conta (o WABA ID)\n"),
        (WABA, None, "para falar com a Meta defina a variável de ambiente WHATSAPP_TOKEN\n"),
        (WABA, "outro", "a Meta recusou listar os modelos: (190) Invalid OAuth access token\n"),
        ("999", TOKEN, "a Meta recusou listar os modelos: (100) Unsupported get request: object does not exist\n"),
    ],
)
async def test_sem_credenciais_ou_recusado_diz_o_que_falta(
    engine: AsyncEngine, projeto: Projeto, gestao_graph: tuple[FalsaGestaoGraph, str], monkeypatch: pytest.MonkeyPatch,
    conta: str, token: str | None, erro: str,
) -> None:  # fmt: skip
    if token is None:
        monkeypatch.delenv("WHATSAPP_TOKEN", raising=False)
    else:
        monkeypatch.setenv("WHATSAPP_TOKEN", token)
    assert await _rodar(engine, _com_conta(projeto, gestao_graph[1], conta)) == (1, "", erro)
    assert await _guardadas(engine) == {}


async def test_graph_fora_do_ar(engine: AsyncEngine, projeto: Projeto, com_token: None) -> None:
    codigo, _, erros = await _rodar(engine, _com_conta(projeto, "http://127.0.0.1:9"))
    assert codigo == 1 and erros.startswith("não foi possível listar os modelos: Graph API inacessível")


async def test_check_avisa_modelo_em_uso_sem_aprovacao(
    copia: Path, gestao_graph: tuple[FalsaGestaoGraph, str], com_token: None, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    falsa, url = gestao_graph
    falsa.modelos = [_na_meta(nome) for nome in DECLARADOS if nome != "lembrete_amanha"]
    falsa.modelos.append(_na_meta("lembrete_amanha", "PAUSED"))
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[canais.whatsapp]\nid_conta = "{WABA}"\n'
                      f'api_base_url = "{url}"\n', encoding="utf-8")  # fmt: skip
    banco = f"sqlite+aiosqlite:///{tmp_path / 'cobranca.db'}"
    argumentos = ["--config", str(config), "--db", banco, "--now", AGORA.isoformat()]

    async def rodar(*comando: str) -> int:  # in a thread: the fake Graph API keeps answering on this loop
        return await asyncio.to_thread(cli.main, [*argumentos, *comando])

    assert await rodar("check") == 0
    assert "situação dos modelos do WhatsApp não conferida (banco não encontrado" in capsys.readouterr().out
    assert await rodar("import", str(cli.EXEMPLO)) == 0  # creates the database
    assert await rodar("modelos") == 0
    capsys.readouterr()
    assert await rodar("check") == 0
    avisos = [linha for linha in capsys.readouterr().out.splitlines() if linha.startswith("aviso:")]
    assert avisos == [
        "aviso: regua.passos[vespera].modelos.whatsapp usa o modelo “lembrete_amanha”, que não está aprovado na "
        "Meta (PAUSED): fora da janela de 24 h o envio será recusado"
    ]
