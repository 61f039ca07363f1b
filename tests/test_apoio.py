"""The suite's own rule: test modules share code only through tests/apoio/, never by importing one another."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.apoio.projetos import RAIZ

TESTES = RAIZ / "tests"


def _importados(arquivo: Path) -> set[str]:
    """Every module `arquivo` imports, with `from pacote import modulo` counted as `pacote.modulo`."""
    nomes: set[str] = set()
    for no in ast.walk(ast.parse(arquivo.read_text(encoding="utf-8"), str(arquivo))):
        if isinstance(no, ast.Import):
            nomes |= {apelido.name for apelido in no.names}
        elif isinstance(no, ast.ImportFrom) and no.module:
            nomes |= {no.module} | {f"{no.module}.{apelido.name}" for apelido in no.names}
    return nomes


def _proibido(nome: str) -> bool:
    partes = nome.split(".")
    return partes[0] == "tests" and (partes[-1] == "conftest" or any(p.startswith("test_") for p in partes))


def test_nenhum_modulo_importa_um_modulo_de_teste_nem_o_conftest() -> None:
    arquivos = [a for a in sorted(TESTES.rglob("*.py")) if "data" not in a.relative_to(TESTES).parts]
    assert len(arquivos) > 50
    ofensores = [f"{a.relative_to(RAIZ)} importa {nome}" for a in arquivos for nome in sorted(_importados(a))
                 if _proibido(nome)]  # fmt: skip
    assert ofensores == [], "mova o que é compartilhado para tests/apoio/:\n" + "\n".join(ofensores)


def test_as_pastas_de_teste_espelham_as_de_bot() -> None:
    """tests/<pacote>/ tests bot/<pacote>/: a folder of tests with no package of the same name is a wrong turn."""
    pastas = [p for p in TESTES.iterdir() if p.is_dir() and p.name not in {"apoio", "data", "__pycache__"}]
    assert len(pastas) > 10
    sem_par = [p.name for p in pastas if not (RAIZ / "bot" / p.name / "__init__.py").exists()]
    assert sem_par == [], f"pastas de tests/ sem pacote em bot/: {sem_par}"
    soltos = [p.name for p in pastas if not (p / "__init__.py").exists()]
    assert soltos == [], f"pastas de tests/ sem __init__.py (nomes de módulo repetidos colidem): {soltos}"
