"""Start-up benchmark: `python -m bot serve` from the command to the first 200 of `/healthz`.

    python scripts/bench_partida.py [--rodadas 7]

The database is migrated and seeded first (a server starts on an existing database); the channels are off, as
on a fresh install. Prints the minimum, median and maximum of the runs, in seconds.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
LIMITE = 30.0  # seconds: a server that takes longer is reported as failed


def _porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bot(*argumentos: str, db: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(RAIZ / "config.toml"), "--db", db, *argumentos]


def medir(db: str) -> float:
    porta = _porta_livre()
    inicio = time.perf_counter()
    servidor = subprocess.Popen(_bot("serve", "--porta", str(porta), db=db), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while time.perf_counter() - inicio < LIMITE:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{porta}/healthz", timeout=0.5) as resposta:
                    if resposta.status == 200:
                        return time.perf_counter() - inicio
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"serve não respondeu /healthz em {LIMITE:.0f} s")
    finally:
        servidor.terminate()
        servidor.wait()


def medir_rodadas(rodadas: int) -> tuple[float, float, float]:
    """(minimum, median, maximum) seconds over `rodadas` starts on one migrated, seeded SQLite database."""
    with tempfile.TemporaryDirectory() as pasta:
        db = f"sqlite+aiosqlite:///{pasta}/partida.db"
        subprocess.run(_bot("import", str(RAIZ / "exemplos" / "carteira.csv"), db=db), check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        tempos = sorted(medir(db) for _ in range(rodadas))
    return tempos[0], statistics.median(tempos), tempos[-1]


def main() -> None:
    leitor = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    leitor.add_argument("--rodadas", type=int, default=7)
    args = leitor.parse_args()
    minimo, meio, maximo = medir_rodadas(args.rodadas)
    print(f"serve até /healthz: mínimo {minimo:.2f} s, mediana {meio:.2f} s, "
          f"máximo {maximo:.2f} s ({args.rodadas} rodadas)")  # fmt: skip


if __name__ == "__main__":
    main()
