"""`python -m bot api-token`: a token shown once, stored as SHA-256, listed without its value, revoked; the
rate limiter as a pure function of a clock."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.api.limite import Limitador
from bot.api.tokens import PREFIXO, escopos_de, hash_do_token
from bot.cli import main
from bot.dados.atendentes import Auditoria
from bot.dados.banco import criar_engine, sessao
from bot.dados.integracao import TokenApi


def _rodar(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    codigo = main(["--db", url, "--now", "2026-11-23T11:00-03:00", "api-token", *args])
    saida = capsys.readouterr()
    return codigo, saida.out, saida.err


def _tokens(url: str) -> tuple[list[TokenApi], list[str]]:
    async def ler() -> tuple[list[TokenApi], list[str]]:
        engine = criar_engine(url)
        async with sessao(engine) as s:
            tokens = list((await s.exec(select(TokenApi))).all())
            acoes = list((await s.exec(select(Auditoria.acao))).all())
        await engine.dispose()
        return tokens, acoes

    return asyncio.run(ler())


def test_criar_listar_revogar(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    codigo, saida, erro = _rodar(capsys, url, "criar", "erp", "--escopos", "devedores:ler, pagamentos:escrever")
    assert codigo == 0, erro
    token = saida.splitlines()[-1]
    assert token.startswith(PREFIXO) and len(token) > 40 and "não é mostrado de novo" in saida
    (guardado,), acoes = _tokens(url)
    assert guardado.token_hash == hash_do_token(token) and guardado.escopos == ["devedores:ler", "pagamentos:escrever"]
    assert acoes == ["api_token_criar"]
    codigo, _, erro = _rodar(capsys, url, "criar", "erp", "--escopos", "devedores:ler")
    assert codigo == 1 and "já existe um token ativo chamado 'erp'" in erro
    codigo, saida, _ = _rodar(capsys, url, "listar")
    assert codigo == 0 and saida.startswith("erp  devedores:ler, pagamentos:escrever  criado em 23/11/2026  ativo")
    assert token not in saida
    assert _rodar(capsys, url, "revogar", "erp")[0] == 0
    assert "revogado em 23/11/2026 14:00 UTC" in _rodar(capsys, url, "listar")[1]
    codigo, _, erro = _rodar(capsys, url, "revogar", "erp")
    assert codigo == 1 and erro.strip() == "nenhum token ativo chamado 'erp'"
    codigo, saida, erro = _rodar(capsys, url, "criar", "erp", "--escopos", "devedores:ler")  # rotation
    assert codigo == 0, erro
    novo = saida.splitlines()[-1]
    (guardado,), acoes = _tokens(url)
    assert guardado.token_hash == hash_do_token(novo) != hash_do_token(token) and guardado.revogado_em is None
    assert guardado.escopos == ["devedores:ler"] and sorted(acoes) == ["api_token_criar"] * 2 + ["api_token_revogar"]
    assert "erp  devedores:ler  criado em 23/11/2026  ativo" in _rodar(capsys, url, "listar")[1]


def test_escopos_e_nomes_invalidos(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    codigo, _, erro = _rodar(capsys, url, "criar", "erp", "--escopos", "devedores:ler,tudo")
    assert codigo == 1 and erro.startswith("escopo(s) desconhecido(s): tudo; use: ")
    with pytest.raises(SystemExit):
        _rodar(capsys, url, "criar", "ERP com espaço", "--escopos", "devedores:ler")
    assert "nome inválido: 'ERP com espaço'" in capsys.readouterr().err
    assert escopos_de("devedores:ler,devedores:ler") == ["devedores:ler"]
    assert _tokens(url)[0] == []


def test_limitador_por_chave_com_relogio() -> None:
    limite = Limitador(por_minuto=3)
    assert [limite.tentar(1, 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limite.tentar(1, 0.0) == pytest.approx(20.0)
    assert limite.tentar(2, 0.0) == 0.0  # another token has its own bucket
    assert limite.tentar(1, 20.0) == 0.0  # one request's worth refilled after 20 s
    assert limite.tentar(1, 20.0) > 0
