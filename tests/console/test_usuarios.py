"""`python -m bot usuario ...` and the password rules behind it."""

from __future__ import annotations

import asyncio
import io

import pytest

from bot.cli import main
from bot.console.autenticacao import entrar, gerar_hash, senha_confere
from bot.dados.banco import criar_engine, sessao
from tests.apoio.bancos import Bancos
from tests.apoio.relogio import AGORA


def rodar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: str, *args: str, entrada: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(entrada))
    codigo = main(["--db", db, "--now", "2026-11-23T11:00-03:00", "usuario", *args])
    saida = capsys.readouterr()
    return codigo, saida.out, saida.err


def test_hash_argon2_e_conferencia() -> None:
    senha_hash = gerar_hash("uma senha comprida")
    assert senha_hash.startswith("$argon2id$") and "comprida" not in senha_hash
    assert senha_confere(senha_hash, "uma senha comprida")
    assert not senha_confere(senha_hash, "outra senha qualquer")
    assert not senha_confere("não é um hash", "uma senha comprida")


def test_criar_listar_trocar_desativar(
    bancos: Bancos, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = bancos.vazio("u")
    assert rodar(capsys, monkeypatch, db, "criar", "Ana", "--nome", "Ana Lima", entrada="senha-da-ana-1\n")[0] == 0
    codigo, saida, _ = rodar(capsys, monkeypatch, db, "criar", "gil", "--papel", "gestor", "--gerar-senha")
    assert codigo == 0 and saida.startswith("senha: ")
    assert rodar(capsys, monkeypatch, db, "criar", "ana", entrada="senha-da-ana-1\n")[2] == "o login 'ana' já existe\n"
    assert "mínimo 10" in rodar(capsys, monkeypatch, db, "criar", "bia", entrada="curta\n")[2]
    assert "login inválido" in rodar(capsys, monkeypatch, db, "criar", "a b", entrada="senha-longa-1\n")[2]
    listagem = rodar(capsys, monkeypatch, db, "listar")[1]
    assert "ana" in listagem and "agente" in listagem and "gil" in listagem and "gestor" in listagem
    assert rodar(capsys, monkeypatch, db, "senha", "ana", entrada="senha-nova-da-ana\n")[0] == 0
    assert rodar(capsys, monkeypatch, db, "desativar", "ana")[0] == 0
    assert "desativado" in rodar(capsys, monkeypatch, db, "listar")[1]
    assert rodar(capsys, monkeypatch, db, "desativar", "zeca")[2] == "usuário inexistente: 'zeca'\n"

    async def tentar(senha: str) -> bool:
        engine = criar_engine(db)
        async with sessao(engine) as s:
            resultado = await entrar(s, "ana", senha, AGORA)
        await engine.dispose()
        return resultado.usuario is not None

    assert asyncio.run(tentar("senha-nova-da-ana")) is False  # deactivated
