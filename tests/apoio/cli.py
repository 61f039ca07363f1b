"""The command line run in-process through `bot.cli.main`, as a user would run it: argv, stdin, stdout, exit code.

A process per call cost the suite a second or more each (interpreter and imports). The one real `python -m bot` run
is `tests/test_projeto.py::test_comando_check`; `serve`, which runs until stopped, is a process where it serves.
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

from bot.cli import main
from tests.apoio.projetos import RAIZ

AGORA = "2026-11-23T11:00:00-03:00"  # the --now of every command here


@dataclass(frozen=True)
class Execucao:
    """What a shell would see: the exit code and both streams."""

    returncode: int
    stdout: str
    stderr: str


def rodar(*argv: str, entrada: str = "") -> Execucao:
    """`python -m bot *argv` from the project folder; argparse's exits become the exit code, as in a shell."""
    saida, erros = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO(entrada)
    try:
        with contextlib.chdir(RAIZ), contextlib.redirect_stdout(saida), contextlib.redirect_stderr(erros):
            try:
                codigo = main(list(argv))
            except SystemExit as fim:  # argparse refuses bad arguments (2) and ends --help (0) this way
                codigo = fim.code if isinstance(fim.code, int) else 1
    finally:
        sys.stdin = stdin
    return Execucao(codigo, saida.getvalue(), erros.getvalue())


def bot(*args: str, entrada: str = "", db: str | None = None) -> Execucao:
    """A command at the tests' fixed instant (`--now`), on the database `db` when given."""
    return rodar("--now", AGORA, *(["--db", db] if db else []), *args, entrada=entrada)

