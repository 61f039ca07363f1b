"""`make bench`: the figures in the README's "Desempenho" table, median of several runs.

    python scripts/bench.py [--rodadas 3] [--mensagens 2000] [--parcelas 1000000] [--despacho 3000] [--pg URL]
                            [--partes entrada,planejamento,despacho,entendimento]

PostgreSQL is measured too when --pg (or COBRANCA_TESTE_DB) names a server whose user may create databases.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

from scripts import bench_entrada, bench_nlu, bench_regua  # noqa: E402
from scripts.bench_comum import apagar, banco_novo, mediana, semear, telefone  # noqa: E402


def _entrada(pasta: Path, servidor: str | None, args: argparse.Namespace, bot: bool) -> bench_entrada.Medida:
    aquecimento = [telefone(i) for i in range(args.aquecimento)]
    medidos = [telefone(i) for i in range(args.aquecimento, args.aquecimento + args.mensagens)]
    url = None
    if bot:
        url = banco_novo(pasta, servidor)
        asyncio.run(semear(url, args.aquecimento + args.mensagens))
    try:
        return asyncio.run(bench_entrada.medir(url, medidos, args.concorrencia, aquecimento))
    finally:
        if url:
            apagar(url, servidor)


def _despacho(pasta: Path, servidor: str | None, args: argparse.Namespace, instancias: int) -> dict[str, float]:
    url = banco_novo(pasta, servidor)
    try:
        asyncio.run(semear(url, args.despacho))
        return asyncio.run(bench_regua.despachar(url, args.despacho, args.taxa, instancias))
    finally:
        apagar(url, servidor)


def _planejamento(pasta: Path, servidor: str | None, args: argparse.Namespace) -> dict[str, float]:
    """One portfolio seeded once; each round plans it from an empty outbox."""
    url = banco_novo(pasta, servidor)
    try:
        asyncio.run(bench_regua.semear_parcelas(url, args.parcelas))
        campos = ("cli_s", "cli_pico_mib", "serve_s", "serve_pico_mib", "enfileirados")
        return _mediana_de(args.rodadas, lambda: bench_regua.planejar_do_banco(url), campos)
    finally:
        apagar(url, servidor)


def _mediana_de(rodadas: int, medir: Callable[[], object], campos: tuple[str, ...]) -> dict[str, float]:
    resultados = []
    for i in range(rodadas):
        r = medir()
        print(f"  rodada {i + 1}: {r}", file=sys.stderr, flush=True)
        resultados.append(r)
    return {c: mediana([float(r[c] if isinstance(r, dict) else getattr(r, c)) for r in resultados]) for c in campos}


Bancos = list[tuple[str, str | None]]


def _parte_entrada(pasta: Path, bancos: Bancos, args: argparse.Namespace) -> list[str]:
    campos_e = ("taxa", "p50_ms", "p99_ms", "perdidas")
    print("1. entrada: endpoint aiohttp nu (teto)", file=sys.stderr)
    teto = _mediana_de(args.rodadas, lambda: _entrada(pasta, None, args, bot=False), campos_e)
    linhas = []
    for nome, servidor in bancos:
        print(f"1. entrada: bot em {nome}", file=sys.stderr)
        m = _mediana_de(args.rodadas, lambda s=servidor: _entrada(pasta, s, args, bot=True), campos_e)
        linhas.append(
            f"| 1. entrada WhatsApp → resposta ({nome}, {args.mensagens} msgs, {args.concorrencia} conexões) "
            f"| ≥ 1.000 msg/s, p99 < 100 ms | {m['taxa']:,.0f} msg/s, p50 {m['p50_ms']:.0f} ms, "
            f"p99 {m['p99_ms']:.0f} ms, {m['perdidas']:.0f} sem resposta em 60 s; "
            f"teto aiohttp nu {teto['taxa']:,.0f} msg/s "
            f"(p99 {teto['p99_ms']:.0f} ms) → {m['taxa'] / teto['taxa']:.0%} do teto |"
        )
    return linhas


def _parte_planejamento(pasta: Path, bancos: Bancos, args: argparse.Namespace) -> list[str]:
    linhas = []
    for nome, servidor in bancos:
        print(f"2. régua: planejamento do banco ({nome})", file=sys.stderr)
        p = _planejamento(pasta, servidor, args)
        linhas.append(
            f"| 2. planejar a régua de um dia do banco ({nome}, {args.parcelas:,} parcelas em aberto, "
            f"{p['enfileirados']:,.0f} lembretes) | ≤ 60 s e ≤ 1 GiB "
            f"| comando `regua` {p['cli_s']:.1f} s, pico {p['cli_pico_mib']:,.0f} MiB; "
            f"`serve` (trabalho de planejar) {p['serve_s']:.1f} s, pico {p['serve_pico_mib']:,.0f} MiB |"
        )
    return linhas


def _parte_despacho(pasta: Path, bancos: Bancos, args: argparse.Namespace) -> list[str]:
    linhas = []
    for (nome, servidor), instancias in itertools.product(bancos, (1, args.instancias)):
        print(f"3. despacho ({nome}, {instancias} instância(s))", file=sys.stderr)
        campos_d = ("taxa", "max_por_segundo", "recusadas_429", "enviadas")
        d = _mediana_de(args.rodadas, lambda s=servidor, n=instancias: _despacho(pasta, s, args, n), campos_d)
        linhas.append(
            f"| 3. despacho da fila a {args.taxa}/s ({nome}, {args.despacho} lembretes, {instancias} instância(s) "
            f"no mesmo número) | ≥ 95 % da taxa, nunca acima "
            f"| {d['taxa']:,.0f} msg/s = {d['taxa'] / args.taxa:.0%}; "
            f"máximo num segundo {d['max_por_segundo']:.0f}, "
            f"{d['recusadas_429']:.0f} recusas 429 |"
        )
    return linhas


def _parte_entendimento(_pasta: Path, _bancos: Bancos, args: argparse.Namespace) -> list[str]:
    print("4. entendimento", file=sys.stderr)
    return [bench_nlu.linha(bench_nlu.medir(args.rodadas))]


PARTES = {
    "entrada": _parte_entrada,
    "planejamento": _parte_planejamento,
    "despacho": _parte_despacho,
    "entendimento": _parte_entendimento,
}


def main() -> None:
    leitor = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    leitor.add_argument("--rodadas", type=int, default=3)
    leitor.add_argument("--mensagens", type=int, default=2000)
    leitor.add_argument("--aquecimento", type=int, default=200)
    leitor.add_argument("--concorrencia", type=int, default=64)
    leitor.add_argument("--parcelas", type=int, default=1_000_000)
    leitor.add_argument("--despacho", type=int, default=3000)
    leitor.add_argument("--taxa", type=int, default=1000)
    leitor.add_argument("--instancias", type=int, default=3, help="despachantes no mesmo número (além de 1)")
    leitor.add_argument("--pg", default=os.environ.get("COBRANCA_TESTE_DB") or None)
    leitor.add_argument("--partes", default=",".join(PARTES), help=f"o que medir, com vírgulas: {','.join(PARTES)}")
    args = leitor.parse_args()
    partes = args.partes.split(",")
    if desconhecidas := [p for p in partes if p not in PARTES]:
        leitor.error(f"--partes: {', '.join(desconhecidas)} desconhecida(s); esperado: {', '.join(PARTES)}")
    bancos: Bancos = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    linhas = []
    with tempfile.TemporaryDirectory() as pasta_texto:
        for parte in partes:
            linhas += PARTES[parte](Path(pasta_texto), bancos, args)
    maquina = f"{platform.machine()}, {os.cpu_count()} núcleos, Python {platform.python_version()}"
    comando = " ".join(sys.argv)
    print(f"Máquina: {maquina}; {datetime.now(UTC):%Y-%m-%d}; mediana de {args.rodadas} rodadas; comando: {comando}\n")
    print("| medida | meta | medido |\n|---|---|---|")
    print("\n".join(linhas))


if __name__ == "__main__":
    main()
