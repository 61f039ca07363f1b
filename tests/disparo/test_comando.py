"""`python -m bot regua`: the day's plan for a manager, with reasons, and enqueuing it; `[regua]` errors in `check`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.dados.banco import criar_engine
from tests.apoio.bancos import Bancos

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;varejo;C-1;Carnê;1;100;30/11/2026
719.428.367-08;João Pedro Oliveira;(21) 99812-3456;RJ;22/07/1990;;;C-2;Academia;1;80;26/12/2026
"""


@pytest.fixture
def banco(tmp_path: Path, bancos: Bancos, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "carteira.csv").write_text(CSV, encoding="utf-8")
    db = bancos.vazio("r")
    assert main(["--db", db, "import", str(tmp_path / "carteira.csv")]) == 0
    capsys.readouterr()
    return db


def _saidas(db: str) -> int:
    async def contar() -> int:
        engine = criar_engine(db)
        try:
            async with engine.connect() as conexao:
                return int((await conexao.execute(text("SELECT count(*) FROM saida"))).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(contar())


def _regua(db: str, data: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["--db", db, "--now", "2026-11-20T10:00-03:00", "regua", "--data", data, *extra]) == 0
    return capsys.readouterr().out


def test_domingo_nada_sai_e_o_motivo_aparece(banco: str, capsys: pytest.CaptureFixture[str]) -> None:
    saida = _regua(banco, "2026-11-29", capsys, "--dry-run")
    assert saida.splitlines() == [
        "Régua de 29/11/2026 (domingo):",
        "***.533.447-**  SP  vespera          whatsapp  lembrete_amanha        bloqueado: fim de semana (domingo); "
        "adiado para 30/11 09:00 (America/Sao_Paulo)",
        "1 lembrete(s) no plano.",
        "Prévia (--dry-run): nada foi enfileirado nem enviado.",
    ]
    assert _saidas(banco) == 0


def test_feriado_nada_sai_e_o_motivo_aparece(banco: str, capsys: pytest.CaptureFixture[str]) -> None:
    saida = _regua(banco, "2026-12-25", capsys, "--dry-run")
    assert "***.428.367-**  RJ  vespera" in saida
    assert "bloqueado: feriado: Natal; adiado para 28/12 09:00 (America/Sao_Paulo)" in saida
    assert _saidas(banco) == 0


def test_sem_dry_run_enfileira_uma_vez(banco: str, capsys: pytest.CaptureFixture[str]) -> None:
    saida = _regua(banco, "2026-11-25", capsys)  # D-5 of Maria's installment
    assert "antes_5          whatsapp  lembrete_vencimento    às 09:00 (America/Sao_Paulo)" in saida
    assert "1 lembrete(s) novo(s) na fila de envio." in saida
    assert "0 lembrete(s) novo(s) na fila de envio." in _regua(banco, "2026-11-25", capsys)
    assert _saidas(banco) == 1


def test_data_invalida(banco: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--db", banco, "regua", "--data", "31/11/2026"])
    assert "data inválida: '31/11/2026' (esperado AAAA-MM-DD ou dd/mm/aaaa)" in capsys.readouterr().err


def test_sem_data_o_dia_e_o_da_uf_padrao(banco: str, copia: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agora = "2026-11-25T03:30+00:00"  # 00:30 of the 25th in São Paulo, still 23:30 of the 24th in Manaus
    assert main(["--db", banco, "--now", agora, "regua", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("Régua de 25/11/2026 (quarta):")
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('uf_padrao = "SP"', 'uf_padrao = "AM"'), "utf-8")
    assert main(["--config", str(config), "--db", banco, "--now", agora, "regua", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("Régua de 24/11/2026 (terça):")


def test_check_aponta_erros_da_regua(copia: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copia / "config.toml"
    texto = config.read_text(encoding="utf-8")
    texto = texto.replace("SP = { inicio = 9, fim = 19 }", "SP = { inicio = 7, fim = 19 }")
    texto = texto.replace('uf_padrao = "SP"', 'uf_padrao = "sp"')
    texto = texto.replace(
        'canais = ["whatsapp", "email"]\ncondicoes = { tem_acordo = false }', 'canais = ["whatsapp", "fax"]'
    )
    texto = texto.replace("Oi, {primeiro_nome}! Amanhã", "Oi, {nome}! Amanhã", 1)
    config.write_text(texto, encoding="utf-8")
    assert main(["--config", str(config), "check"]) == 1
    erros = capsys.readouterr().err
    assert "[regua.politica.horario_uf] SP: 7h–19h além do que a lei permite (8h–20h)" in erros
    assert "[regua.politica.uf_padrao] UF desconhecida: 'sp'; esperada a sigla de um dos 27 estados, ex. SP" in erros
    assert "[regua.passos[0].canais[1]] esperado um de:" in erros
    assert "[regua.passos[1].modelos.whatsapp.texto] variável desconhecida: nome" in erros
