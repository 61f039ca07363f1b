"""A CSV saved by a spreadsheet is read as UTF-8 text, Excel's BOM dropped; anything else is a pt-BR error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.planilha import PlanilhaIlegivel, ler_planilha


@pytest.mark.parametrize("conteudo", ["cpf;nome\n1;José\n".encode(), b"\xef\xbb\xbf" + "cpf;nome\n1;José\n".encode()])
def test_utf8_com_ou_sem_bom(tmp_path: Path, conteudo: bytes) -> None:
    arquivo = tmp_path / "carteira.csv"
    arquivo.write_bytes(conteudo)
    assert ler_planilha(arquivo) == "cpf;nome\n1;José\n"


def test_latin1_diz_o_byte_e_o_que_fazer(tmp_path: Path) -> None:
    arquivo = tmp_path / "carteira.csv"
    arquivo.write_bytes("cpf;nome\n1;José\n".encode("latin-1"))
    with pytest.raises(PlanilhaIlegivel) as erro:
        ler_planilha(arquivo)
    assert str(erro.value) == f"{arquivo}: não está em UTF-8 (byte 14); salve a planilha como CSV UTF-8"


def test_arquivo_que_nao_existe(tmp_path: Path) -> None:
    with pytest.raises(PlanilhaIlegivel) as erro:
        ler_planilha(tmp_path / "falta.csv")
    assert str(erro.value) == f"{tmp_path / 'falta.csv'}: não foi possível ler: No such file or directory"
