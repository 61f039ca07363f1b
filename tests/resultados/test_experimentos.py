"""Experiments: `[[experimentos]]` validated by `check`, a deterministic draw, and the report from the database."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config.erros import ConfigInvalida
from bot.config.resultados import Experimento, Variante
from bot.projeto import Projeto, carregar_projeto
from bot.resultados.sorteio import RESERVA, posicao, variante_de
from tests.apoio.chat_web import demo, fechar_acordo
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import AGORA, Relogio

EXPERIMENTO = """
[[experimentos]]
nome = "primeiro_contato"
inicio = 2026-11-01
fim = 2026-12-31
reserva_percentual = 10
variantes = [{ nome = "a", descricao = "texto atual" }, { nome = "b", peso = 1, descricao = "mais curto" }]
"""


def _com(copia: Path, texto: str) -> Path:
    with (copia / "config.toml").open("a", encoding="utf-8") as arquivo:
        arquivo.write(texto)
    return copia / "config.toml"


def test_check_aceita_e_recusa_com_mensagens_precisas(copia: Path) -> None:
    assert carregar_projeto(_com(copia, EXPERIMENTO)).config.experimentos[0].variantes[1].nome == "b"  # stays as [0]
    ruim = EXPERIMENTO.replace('"b", peso = 1', '"b", peso = 0')
    ruim += EXPERIMENTO.replace('"a", descricao', '"A b", descricao').replace("primeiro_contato", "outro")
    ruim += EXPERIMENTO.replace("2026-12-31", "2026-10-01").replace("primeiro_contato", "terceiro")
    ruim += '\n[[experimentos]]\nnome = "x"\ncor = 1\n'
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(_com(copia, ruim))
    texto = "\n".join(map(str, erro.value.erros))
    for esperado in ("[experimentos[1].variantes[1].peso] deve ser no mínimo 1 (valor: 0)",
                     "[experimentos[2].variantes[0].nome] nome inválido: 'A b'",
                     "fim (2026-10-01) antes do início (2026-11-01)",
                     "[experimentos[4].inicio] chave obrigatória ausente",
                     "[experimentos[4].cor] chave desconhecida"):  # fmt: skip
        assert esperado in texto, (esperado, texto)
    assert "[experimentos[1].variantes] deve ter pelo menos" not in texto  # two variants, one of them invalid


def test_nomes_repetidos_recusados(copia: Path) -> None:
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(_com(copia, EXPERIMENTO + EXPERIMENTO))
    assert "experimentos com o mesmo nome: primeiro_contato" in "\n".join(map(str, erro.value.erros))


def test_sorteio_deterministico_com_as_partes_pedidas() -> None:
    exp = Experimento(nome="t", inicio=date(2026, 11, 1), fim=date(2026, 12, 1), reserva_percentual=20,
                      variantes=(Variante(nome="a", peso=1), Variante(nome="b", peso=3)))  # fmt: skip
    contagem = Counter(variante_de(exp, d) for d in range(40_000))
    assert abs(contagem[RESERVA] / 40_000 - 0.20) < 0.01
    assert abs(contagem["a"] / 40_000 - 0.20) < 0.01 and abs(contagem["b"] / 40_000 - 0.60) < 0.01
    assert [variante_de(exp, d) for d in range(50)] == [variante_de(exp, d) for d in range(50)]
    assert posicao("t", 7) == int.from_bytes(__import__("hashlib").sha256(b"t:7").digest()[:8], "big") / 2**64
    outro = exp.model_copy(update={"nome": "u"})
    assert [variante_de(exp, d) for d in range(200)] != [variante_de(outro, d) for d in range(200)]  # independent


@pytest.fixture
async def pagou(projeto: Projeto, url: str) -> AsyncIterator[Cliente]:
    async with demo(projeto, url, Relogio()) as cliente:
        caminho = await fechar_acordo(cliente)
        await cliente.post(f"{caminho}/pagar", allow_redirects=False)
        yield cliente


async def test_relatorio_pela_linha_de_comando(
    pagou: Cliente, copia: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _com(copia, EXPERIMENTO)
    base = ["--config", str(config), "--db", url, "--now", AGORA.isoformat(), "experimentos", "relatorio"]
    assert await asyncio.to_thread(main, base) == 0
    saida = capsys.readouterr().out
    exp = carregar_projeto(config).config.experimentos[0]
    de_maria = variante_de(exp, 1)
    assert saida.startswith("Experimento primeiro_contato (01/11/2026 a 31/12/2026)")
    # Each debtor entered when placed (today, after the start): every deadline is still partial for all of them.
    for prazo in (7, 30, 90):
        aviso = f"atenção: R$ {prazo} d é parcial: 8 de 8 devedores entraram no experimento há menos de {prazo} dias"
        assert aviso in saida
    assert "inf" not in saida  # a variant with one debtor: "[sem intervalo: 1 devedor]"
    linha = next(ln for ln in saida.splitlines() if ln.startswith(f"  {de_maria}: "))
    assert "resposta " in linha and "pagamento " in linha and "[" in linha
    assert "veredito: ainda sem diferença (amostra pequena" in saida or de_maria == "a"
    assert await asyncio.to_thread(main, [*base, "--nome", "outro"]) == 1
    assert "experimento não encontrado: 'outro' (existentes: primeiro_contato)" in capsys.readouterr().err
