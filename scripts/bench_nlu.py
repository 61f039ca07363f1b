"""Understanding, measured: held-out accuracy, costly misreads and prediction time per message on one core.

    python scripts/bench_nlu.py [--rodadas 5]

Reads `tests/data/nlu_avaliacao.csv` (written apart from the training corpus, never trained on) through the
shipped weights, as `python -m bot nlu avaliar` does, and times `Classificador.interpretar` over it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

from bot.conversa.avaliacao import HOJE, avaliar, ler_casos  # noqa: E402
from bot.projeto import carregar_projeto  # noqa: E402


def medir(rodadas: int) -> dict[str, float]:
    """Accuracy, costly misreads, messages, and the median time of one `interpretar` in milliseconds."""
    projeto = carregar_projeto(RAIZ / "config.toml")
    fluxo, classificador = projeto.motor.fluxo, projeto.motor.classificador
    casos = ler_casos(RAIZ / "tests" / "data" / "nlu_avaliacao.csv", fluxo, classificador.nomes)
    relatorio = avaliar(classificador, fluxo, casos)
    entradas = [(c.texto, fluxo.intencoes_usadas(fluxo.estados[c.estado])) for c in casos]
    tempos = []
    for _ in range(rodadas):
        inicio = time.perf_counter()
        for texto, candidatas in entradas:
            classificador.interpretar(texto, HOJE, candidatas, "SP")
        tempos.append((time.perf_counter() - inicio) * 1000 / len(entradas))
    return {
        "acuracia": relatorio.geral.acuracia,
        "custosas": float(len(relatorio.custosas)),
        "mensagens": float(len(casos)),
        "ms": statistics.median(tempos),
    }


def linha(m: dict[str, float]) -> str:
    """The README table row."""
    return (
        f"| 4. entendimento ({m['mensagens']:.0f} mensagens do conjunto separado) "
        f"| ≥ 97 %, 0 leituras custosas, poucos ms por mensagem "
        f"| {m['acuracia']:.1%}, {m['custosas']:.0f} leituras custosas, {m['ms']:.2f} ms por mensagem (1 núcleo) |"
    )


def main() -> None:
    leitor = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    leitor.add_argument("--rodadas", type=int, default=5)
    print(linha(medir(leitor.parse_args().rodadas)))


if __name__ == "__main__":
    main()
