"""`make bench`: the figures in the README's "Desempenho" table, median of several runs.

    python scripts/bench.py [--rodadas 3] [--mensagens 2000] [--parcelas 1000000] [--despacho 3000] [--pg URL]
                            [--partes entrada,planejamento,despacho,entendimento,partida]

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

from scripts import bench_entrada, bench_nlu, bench_partida, bench_regua  # noqa: E402
from scripts.bench_comum import apagar, banco_novo, mediana, semear, telefone  # noqa: E402


def _entrada(
    pasta: Path, alvo: str | None, args: argparse.Namespace, taxa_aberta: float = 0.0
) -> tuple[bench_entrada.Medida, bench_entrada.Medida | None]:
    """`alvo`: bench_entrada.NU or ECO (the ceilings), None (the bot on SQLite) or a PostgreSQL server URL.
    The bot is also loaded open-loop at `taxa_aberta` msg/s when it is given."""
    aquecimento = [telefone(i) for i in range(args.aquecimento)]
    fim = args.aquecimento + args.mensagens
    medidos = [telefone(i) for i in range(args.aquecimento, fim)]
    abertos = [telefone(i) for i in range(fim, fim + args.aberta)] if taxa_aberta else None
    if alvo in (bench_entrada.NU, bench_entrada.ECO):
        return asyncio.run(bench_entrada.medir(alvo, medidos, args.concorrencia, aquecimento))
    url = banco_novo(pasta, alvo)
    asyncio.run(semear(url, fim + args.aberta))
    try:
        return asyncio.run(bench_entrada.medir(url, medidos, args.concorrencia, aquecimento, abertos, taxa_aberta))
    finally:
        apagar(url, alvo)


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
    campos = ("taxa", "p50_ms", "p99_ms", "perdidas")
    tetos = {}
    for alvo, nome in ((bench_entrada.NU, "endpoint aiohttp nu"), (bench_entrada.ECO, "bot de eco")):
        print(f"1. entrada: {nome} (teto)", file=sys.stderr)
        tetos[alvo] = _mediana_de(args.rodadas, lambda a=alvo: _entrada(pasta, a, args)[0], campos)
    nu, eco = tetos[bench_entrada.NU], tetos[bench_entrada.ECO]
    taxa_aberta = eco["taxa"] / 2
    linhas = [
        f"| 1. teto: endpoint aiohttp nu (só confere a assinatura) | — | {nu['taxa']:,.0f} msg/s, "
        f"p99 {nu['p99_ms']:.0f} ms |",
        f"| 1. teto: bot de eco (assinatura, corpo lido, uma resposta à Graph API por uma sessão aiohttp) | — "
        f"| {eco['taxa']:,.0f} msg/s, p99 {eco['p99_ms']:.0f} ms |",
    ]
    for nome, servidor in bancos:
        print(f"1. entrada: bot em {nome}", file=sys.stderr)
        resultados = []
        for i in range(args.rodadas):
            fechada, aberta = _entrada(pasta, servidor, args, taxa_aberta)
            print(f"  rodada {i + 1}: {fechada} / aberta {aberta}", file=sys.stderr, flush=True)
            assert aberta is not None
            resultados.append((fechada, aberta))
        m = {c: mediana([float(getattr(f, c)) for f, _ in resultados]) for c in campos}
        a = {c: mediana([float(getattr(ab, c)) for _, ab in resultados]) for c in campos}
        linhas.append(
            f"| 1. entrada WhatsApp → resposta ({nome}; {args.mensagens} msgs, {args.concorrencia} conexões; "
            f"depois {args.aberta} msgs em carga aberta a {taxa_aberta:,.0f} msg/s = metade do eco) "
            f"| ≥ 50 % do eco e ≥ 25 % do nu; p99 < 100 ms na carga aberta "
            f"| {m['taxa']:,.0f} msg/s = {m['taxa'] / eco['taxa']:.1%} do eco e {m['taxa'] / nu['taxa']:.1%} do nu, "
            f"{m['perdidas']:.0f} sem resposta; carga aberta: p50 {a['p50_ms']:,.0f} ms, p99 {a['p99_ms']:,.0f} ms, "
            f"{a['perdidas']:.0f} sem resposta em 120 s |"
        )
    return linhas


def _parte_partida(_pasta: Path, _bancos: Bancos, args: argparse.Namespace) -> list[str]:
    print("5. partida", file=sys.stderr)
    minimo, meio, maximo = bench_partida.medir_rodadas(max(args.rodadas, 5))
    return [
        f"| 5. partida: `serve` até o primeiro 200 de `/healthz` (SQLite já migrado) | < 1 s "
        f"| mediana {meio:.2f} s (mínimo {minimo:.2f} s, máximo {maximo:.2f} s) |"
    ]


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
    "partida": _parte_partida,
}


def main() -> None:
    leitor = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    leitor.add_argument("--rodadas", type=int, default=3)
    leitor.add_argument("--mensagens", type=int, default=2000)
    leitor.add_argument("--aquecimento", type=int, default=200)
    leitor.add_argument("--concorrencia", type=int, default=64)
    leitor.add_argument("--aberta", type=int, default=1000, help="mensagens da carga aberta (à metade do eco)")
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
