"""The offer-book simulator: personas negotiate through the real engine; seeded, reproducible, inputs checked."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.calendario import fuso
from bot.cli import main
from bot.dados.carteira import ler_carteira
from bot.negociacao.ofertas import escolher_faixa, montar_plano
from bot.negociacao.plano import ParcelaPlano, Plano
from bot.negociacao.saldo import calcular_saldo
from bot.simulacao.persona import Personas, ler_livro
from bot.simulacao.simulador import por_devedor, simular
from bot.simulacao.valor import esperado
from tests.apoio.projetos import RAIZ, projeto_padrao

AGORA = datetime(2026, 11, 23, 14, tzinfo=UTC)
EXEMPLOS = RAIZ / "exemplos" / "simulacao"
CARTEIRA = RAIZ / "exemplos" / "carteira.csv"
BOOKS = [EXEMPLOS / "gradual.toml", EXEMPLOS / "maior_desconto.toml"]


def _rodar(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    argv = ["--now", AGORA.isoformat(), "simular", "--carteira", str(CARTEIRA), "--personas",
            str(EXEMPLOS / "personas.toml"), *(a for b in BOOKS for a in ("--book", str(b))),
            "--svg", str(tmp_path / "grafico.svg"), "--rodadas", "5", *extra]  # fmt: skip
    codigo = main(argv)
    capturado = capsys.readouterr()
    return codigo, capturado.out, capturado.err


def test_exemplo_reprodutivel_tabela_e_grafico(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    codigo, saida, erros = _rodar(tmp_path, capsys, "--semente", "7")
    assert codigo == 0, erros
    assert saida.startswith("Simulação: 8 devedores × 5 rodadas, semente 7, taxa de desconto 1,0 % ao mês")
    assert re.search(r"^gradual +\d+,\d % +R\$", saida, re.M) and re.search(r"^maior_desconto +\d+,\d %", saida, re.M)
    svg = (tmp_path / "grafico.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<polyline") == 2 and "gradual" in svg and "maior_desconto" in svg
    assert _rodar(tmp_path, capsys, "--semente", "7")[1] == saida  # the same seed, the same figures
    assert _rodar(tmp_path, capsys, "--semente", "8")[1] != saida
    assert _rodar(tmp_path, capsys, "--semente", "7", "--taxa-mensal", "5")[1] != saida  # the rate moves the PV


def _personas(**persona: object) -> Personas:
    base = {"nome": "p", "engajamento": 1, "a_vista_percentual": {"minimo": 1000, "maximo": 1000},
            "parcela_percentual": {"minimo": 1000, "maximo": 1000}, "quebra_por_parcela": 0}  # fmt: skip
    return Personas.model_validate({"personas": [base | persona]})


def test_quem_aceita_tudo_fecha_a_primeira_oferta_do_motor() -> None:
    """Every debtor agrees to the book's first plan for them, as the engine builds it (nothing copied)."""
    projeto = projeto_padrao()
    linhas = ler_carteira(CARTEIRA.read_text(encoding="utf-8")).linhas
    livros = [livro for livro, _ in map(ler_livro, BOOKS) if livro is not None]
    resultados = simular(projeto.motor, linhas, _personas(), livros, AGORA, rodadas=2)
    for livro, resultado in zip(livros, resultados, strict=True):
        totais = Decimal(0)
        for devedor, parcelas in por_devedor(linhas):
            hoje = AGORA.astimezone(fuso(devedor.uf)).date()
            saldo = calcular_saldo(parcelas, projeto.config.encargos, hoje, devedor.uf)
            faixa = escolher_faixa(livro.livro, saldo, devedor.segmento)
            assert faixa is not None
            totais += montar_plano(faixa, 0, saldo, hoje, devedor.uf, livro.livro).total
        assert resultado.acordos == 2 * len(por_devedor(linhas)) and resultado.taxa_acordo == 1.0
        assert resultado.media(resultado.recuperado) == pytest.approx(float(totais))
        assert resultado.perdas == pytest.approx(0)
    assert resultados[1].descontos > resultados[0].descontos  # the biggest discount first costs more discount


def test_quem_nao_responde_ou_sempre_quebra_nao_traz_nada() -> None:
    projeto = projeto_padrao()
    linhas = ler_carteira(CARTEIRA.read_text(encoding="utf-8")).linhas
    livro, _ = ler_livro(BOOKS[0])
    assert livro is not None
    (mudo,) = simular(projeto.motor, linhas, _personas(engajamento=0), [livro], AGORA, rodadas=2)
    assert mudo.acordos == 0 and mudo.recuperado == 0
    (quebra,) = simular(projeto.motor, linhas, _personas(quebra_por_parcela=1), [livro], AGORA, rodadas=2)
    assert quebra.acordos > 0 and quebra.recuperado == 0 and quebra.perdas > 0
    (texto,) = simular(projeto.motor, linhas, _personas(responde="texto"), [livro], AGORA, rodadas=1)
    assert texto.acordos == len(por_devedor(linhas))  # their own words, read by the real classifier, close too


def test_valor_esperado_presente_e_perdas() -> None:
    parcelas = (ParcelaPlano(1, Decimal(100), date(2026, 11, 23)), ParcelaPlano(2, Decimal(200), date(2026, 12, 23)))
    plano = Plano("f", 1, "parcelado", Decimal(300), Decimal(0), Decimal(300), Decimal(0), parcelas)
    valor = esperado(plano, date(2026, 11, 23), Decimal("0.5"))
    assert valor.recebimentos == ((0, 50.0), (30, 50.0))
    assert valor.recuperado == 100 and valor.perda == 200
    assert valor.presente(0.01) == pytest.approx(50 + 50 / 1.01)


def test_entradas_ruins_dao_erros_precisos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    personas = tmp_path / "p.toml"
    personas.write_text('[[personas]]\nnome = "x"\nengajamento = 2\ncor = 1\nquebra_por_parcela = 0\n'
                        "a_vista_percentual = { minimo = 50, maximo = 10 }\n"
                        "parcela_percentual = { minimo = 1, maximo = 2 }\n", encoding="utf-8")  # fmt: skip
    livro = tmp_path / "ruim.toml"
    livro.write_text("[[faixas]]\nnome = 'a'\n[[faixas.opcoes]]\ntipo = 'a_vista'\ndesconto_principal = 95\n", "utf-8")
    carteira = tmp_path / "c.csv"
    carteira.write_text("cpf;nome;telefone;uf;contrato;parcela;valor;vencimento\n111;X;;SP;C;1;10,00;01/01/2026\n",
                        encoding="utf-8")  # fmt: skip
    argv = ["simular", "--carteira", str(carteira), "--personas", str(personas), "--book", str(livro),
            "--svg", str(tmp_path / "s.svg")]  # fmt: skip
    assert main(argv) == 1
    erros = capsys.readouterr().err
    for esperado_ in (f"{carteira}:2", "[personas[0].engajamento]", "[personas[0].cor] chave desconhecida",
                      "minimo (50) maior que maximo (10)", f"{livro}:", "desconto_principal"):  # fmt: skip
        assert esperado_ in erros, (esperado_, erros)
    assert "[personas] deve ter pelo menos" not in erros  # one persona, invalid: its own errors say so
    assert not (tmp_path / "s.svg").exists()
    with pytest.raises(SystemExit):
        main([*argv[:-2], "--rodadas", "0"])
    assert "inválido: '0' (esperado um inteiro de 1 a 1000)" in capsys.readouterr().err


def test_grafico_sem_pasta_ou_sem_gravar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A chart that cannot be written is a pt-BR line and exit 1 (the missing folder before simulating)."""
    base = ["simular", "--carteira", str(CARTEIRA), "--personas", str(EXEMPLOS / "personas.toml"),
            "--book", str(BOOKS[0]), "--rodadas", "1", "--svg"]  # fmt: skip
    assert main([*base, str(tmp_path / "nao" / "existe.svg")]) == 1
    capturado = capsys.readouterr()
    assert f"pasta não encontrada: {tmp_path / 'nao'}" in capturado.err and capturado.out == ""
    assert main([*base, str(tmp_path)]) == 1  # a folder where the file should be
    capturado = capsys.readouterr()
    assert f"--svg {tmp_path}: não foi possível gravar o gráfico" in capturado.err
