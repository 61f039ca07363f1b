"""The command line as a user runs it: `python -m bot` in a subprocess, with a fixed `--now`."""

from __future__ import annotations

import subprocess
import sys

from tests.apoio.bancos import Bancos
from tests.apoio.projetos import RAIZ

AGORA_CLI = "2026-11-23T11:00:00-03:00"


def bot(*args: str, entrada: str = "", db: str | None = None) -> subprocess.CompletedProcess[str]:
    opcoes = ["--now", AGORA_CLI] + (["--db", db] if db else [])
    return subprocess.run(
        [sys.executable, "-m", "bot", *opcoes, *args],
        input=entrada,
        capture_output=True,
        text=True,
        check=False,
        cwd=RAIZ,
        timeout=120,
    )


def importado(bancos: Bancos) -> str:
    db = bancos.vazio("cli")
    resultado = bot("import", str(RAIZ / "exemplos" / "carteira.csv"), db=db)
    assert resultado.returncode == 0, resultado.stderr
    return db
