"""The gestão page of experiments: the CLI report's numbers, verdicts and stops, for gestores only."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.dados.banco import sessao
from bot.dados.experimentos import VarianteParada
from bot.projeto import Projeto, carregar_projeto
from bot.resultados.sorteio import variante_de
from tests.apoio.chat_web import conversar
from tests.apoio.console import Ambiente, entrar
from tests.apoio.relogio import AGORA

EXPERIMENTO = """
[[experimentos]]
nome = "primeiro_contato"
inicio = 2026-11-01
fim = 2026-12-31
reserva_percentual = 0
variantes = [{ nome = "a" }, { nome = "b", peso = 100, ofertas = { ordem = "inversa" } }]
"""


@pytest.fixture
def projeto(copia: Path) -> Projeto:
    """The shipped project with one experiment that changes the offer book (this module's `amb` uses it)."""
    with (copia / "config.toml").open("a", encoding="utf-8") as arquivo:
        arquivo.write(EXPERIMENTO)
    return carregar_projeto(copia / "config.toml")


def _celulas(html: str, variante: str) -> list[str]:
    linha = re.search(rf"<tr><td>{variante}</td>(.*?)</tr>", html)
    assert linha is not None, html
    return re.findall(r"<td>(.*?)</td>", linha.group(1))


async def test_gestor_ve_os_numeros_do_relatorio(
    amb: Ambiente,
    projeto: Projeto,
    url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    maria = await amb.cliente()  # Maria talks to the bot in the web chat: its replies carry her variant
    assert await conversar(maria, 1, "oi", "sim", "390")
    async with sessao(amb.engine) as s:
        s.add(VarianteParada(experimento="primeiro_contato", variante="b", motivo="opt-out +9,0 p.p.", parada_em=AGORA))
        await s.commit()
    gil = await amb.cliente()
    await entrar(gil, "gil")
    assert 'href="/console/gestao/experimentos"' in await (await gil.get("/console/gestao")).text()
    html = await (await gil.get("/console/gestao/experimentos")).text()
    assert 'id="experimento-primeiro_contato"' in html
    assert "variante b PARADA em 23/11/2026 11:00 pela proteção: opt-out +9,0 p.p." in html

    base = ["--config", str(projeto.raiz / "config.toml"), "--db", url, "--now", AGORA.isoformat()]
    assert await asyncio.to_thread(main, [*base, "experimentos", "relatorio"]) == 0
    saida = capsys.readouterr().out
    assert "variante b PARADA em 23/11/2026 11:00 pela proteção" in saida
    for variante in ("a", "b"):
        cli = next(ln for ln in saida.splitlines() if ln.startswith(f"  {variante}: "))
        celulas = _celulas(html, variante)
        assert f"  {variante}: {celulas[0]} devedores · resposta {celulas[1]} · acordo {celulas[2]}" in cli
        assert sum(int(_celulas(html, v)[0]) for v in ("a", "b")) == 1  # only Maria was reached


async def test_agente_nao_ve_experimentos(amb: Ambiente) -> None:
    ana = await amb.cliente()
    await entrar(ana, "ana")
    recusa = await ana.get("/console/gestao/experimentos")
    assert recusa.status == 403 and "página só para gestores" in await recusa.text()


async def test_atendente_ve_o_book_da_variante_do_devedor(amb: Ambiente, projeto: Projeto) -> None:
    """The option numbers an agent hands back to the bot mean the same book the bot uses with this debtor."""
    maria = await amb.cliente()
    assert await conversar(maria, 1, "oi", "sim", "390")
    gil = await amb.cliente()
    await entrar(gil, "gil")
    html = await (await gil.get("/console/conversas/1")).text()
    ofertas = re.findall(r'name="opcao" value="(\d+)">\s*<span>(\w+): (\d+)x', html)
    assert [o[0] for o in ofertas] == ["0", "1", "2"]
    assert variante_de(projeto.config.experimentos[0], 1) == "b"  # b weighs 100 to a's 1: Maria is in b
    assert [tipo for _, tipo, _ in ofertas] == ["parcelado", "parcelado", "a_vista"]  # the most generous first
    assert projeto.config.ofertas.faixas[1].opcoes[0].tipo == "a_vista"  # the configured book starts elsewhere
