"""The Prometheus text exposition format (version 0.0.4), written by hand: a few families, no registry.

Most figures are read from the database at scrape time (every instance reports the same totals), and the
few process-local counters live on the app, so a global registry (prometheus_client's default) would only
add shared state between apps in one process.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

TIPO_CONTEUDO = "text/plain; version=0.0.4; charset=utf-8"


class Tipo(StrEnum):
    CONTADOR = "counter"
    MEDIDOR = "gauge"


@dataclass(frozen=True)
class Familia:
    """One metric: its name, type, help line and samples (labels → value)."""

    nome: str
    tipo: Tipo
    ajuda: str
    amostras: list[tuple[Mapping[str, str], float]] = field(default_factory=list)


def _escapar(valor: str) -> str:
    return valor.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _numero(valor: float) -> str:
    if math.isnan(valor):
        return "NaN"
    if math.isinf(valor):
        return "+Inf" if valor > 0 else "-Inf"
    return str(int(valor)) if float(valor).is_integer() else repr(float(valor))


def _linha(nome: str, rotulos: Mapping[str, str], valor: float) -> str:
    if not rotulos:
        return f"{nome} {_numero(valor)}"
    pares = ",".join(f'{chave}="{_escapar(str(v))}"' for chave, v in sorted(rotulos.items()))
    return f"{nome}{{{pares}}} {_numero(valor)}"


def expor(familias: Iterable[Familia]) -> str:
    """The exposition text: `# HELP`, `# TYPE` and one line per sample, families in the order given."""
    linhas: list[str] = []
    for familia in familias:
        ajuda = familia.ajuda.replace("\\", "\\\\").replace("\n", "\\n")
        linhas += [f"# HELP {familia.nome} {ajuda}", f"# TYPE {familia.nome} {familia.tipo.value}"]
        linhas += [_linha(familia.nome, rotulos, valor) for rotulos, valor in familia.amostras]
    return "\n".join(linhas) + "\n"
