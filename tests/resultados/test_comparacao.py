"""The experiment report on synthetic populations: it finds a known effect, and finds none where there is none."""

from __future__ import annotations

import numpy as np
import pytest

from bot.resultados.comparacao import Observacoes, comparar, diferenca, wilson


def _populacao(semente: int, n: int, pagamento_b: float, optout_b: float = 0.02) -> Observacoes:
    """Two variants, n debtors each; B pays with probability `pagamento_b` (A: 0.20), R$ 300 per payer."""
    gerador = np.random.default_rng(semente)
    variante = np.repeat(np.array([0, 1], dtype=np.int64), n)
    chance = np.where(variante == 0, 0.20, pagamento_b)
    pagou = (gerador.random(2 * n) < chance).astype(np.float64)
    acordo = np.maximum(pagou, (gerador.random(2 * n) < 0.1).astype(np.float64))
    respondeu = np.maximum(acordo, (gerador.random(2 * n) < 0.3).astype(np.float64))
    optout = (gerador.random(2 * n) < np.where(variante == 0, 0.02, optout_b)).astype(np.float64)
    contestacao = (gerador.random(2 * n) < 0.01).astype(np.float64)
    valor = pagou * gerador.normal(300, 50, 2 * n)
    return Observacoes(("a", "b"), variante, respondeu, acordo, pagou, optout, contestacao,
                       {7: valor * 0.3, 30: valor * 0.8, 90: valor})  # fmt: skip


def test_encontra_o_efeito_conhecido() -> None:
    a, b = comparar(_populacao(1, 5_000, pagamento_b=0.24), minimo=200)
    assert a.veredito == "referência"
    assert b.veredito == "b recupera mais que a, com 95 % de confiança"
    assert b.pagamento.baixo <= 0.24 <= b.pagamento.alto and a.pagamento.baixo <= 0.20 <= a.pagamento.alto
    assert b.por_devedor[90].baixo <= 0.24 * 300 <= b.por_devedor[90].alto


def test_nao_inventa_efeito_onde_nao_ha() -> None:
    """Over many seeds of a population with no effect, a verdict appears about 5 % of the time, no more."""
    falsos = sum(
        comparar(_populacao(s, 2_000, pagamento_b=0.20), 200)[1].veredito != "ainda sem diferença" for s in range(60)
    )
    assert falsos <= 10  # three tests per comparison (recovery and two guardrails): about 6 of 60 expected


def test_efeito_negativo_e_protecao() -> None:
    _, pior = comparar(_populacao(2, 5_000, pagamento_b=0.16), minimo=200)
    assert pior.veredito == "b recupera menos que a, com 95 % de confiança"
    _, danosa = comparar(_populacao(3, 5_000, pagamento_b=0.30, optout_b=0.06), minimo=200)
    assert danosa.veredito == "b prejudica: mais opt-outs que a, com 95 % de confiança — pare esta variante"


def test_amostra_pequena_nao_tem_veredito() -> None:
    _, b = comparar(_populacao(4, 150, pagamento_b=0.60), minimo=200)
    assert b.veredito == "ainda sem diferença (amostra pequena: 150 e 150 de 200 devedores)"


def test_intervalos() -> None:
    assert wilson(0, 0).valor != wilson(0, 0).valor  # NaN: no debtors, no rate
    w = wilson(20, 100)
    assert w.valor == 0.2 and w.baixo == pytest.approx(0.1333, abs=1e-4) and w.alto == pytest.approx(0.2888, abs=1e-4)
    d = diferenca(np.array([1.0, 1.0, 0.0, 1.0]), np.array([0.0, 0.0, 1.0, 0.0]))
    assert d.valor == pytest.approx(0.5) and d.baixo < 0.5 < d.alto
    assert not diferenca(np.array([1.0]), np.array([0.0])).exclui_zero()
