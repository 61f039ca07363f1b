"""The manual (README.md plus docs/*.md): every command, config key, guard and action must be in it."""

from __future__ import annotations

import re
import subprocess
import sys

from pydantic import BaseModel

from bot.cli import _parser
from bot.config.arquivo import Config
from bot.conversa.modelo import Acao, Guarda
from bot.negociacao.politica import Faixa, OpcaoAVista, OpcaoParcelado
from tests.apoio.bancos import Bancos
from tests.apoio.projetos import RAIZ

ARQUIVOS_DO_MANUAL = [RAIZ / "README.md", *sorted((RAIZ / "docs").glob("*.md"))]
README = "\n\n".join(arquivo.read_text(encoding="utf-8") for arquivo in ARQUIVOS_DO_MANUAL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def chaves(modelo: type[BaseModel], prefixo: str = "") -> list[str]:
    resultado = []
    for nome, campo in modelo.model_fields.items():
        tipo = campo.annotation
        if isinstance(tipo, type) and issubclass(tipo, BaseModel):
            resultado += chaves(tipo, f"{prefixo}{nome}.")
        else:
            resultado.append(f"{prefixo}{nome}")
    return resultado


def test_toda_chave_do_config_documentada() -> None:
    faltando = [c for c in chaves(Config) if f"`{c}`" not in README]
    assert faltando == []


def test_toda_chave_de_faixa_e_opcao_documentada() -> None:
    nomes = set(Faixa.model_fields) | set(OpcaoAVista.model_fields) | set(OpcaoParcelado.model_fields)
    assert [n for n in sorted(nomes) if f"`{n}`" not in README and f"{n} =" not in README] == []


def test_todo_comando_documentado() -> None:
    subcomandos = next(a for a in _parser()._actions if a.dest == "comando")
    assert subcomandos.choices is not None
    assert [c for c in subcomandos.choices if f"| `{c}" not in README] == []


def test_vocabulario_dos_fluxos_documentado() -> None:
    assert [g for g in Guarda if f"`{g}`" not in README] == []
    assert [a for a in Acao if f"`{a}" not in README] == []


def test_exemplo_de_roteiro_do_readme_funciona(bancos: Bancos) -> None:
    """Run the manual's example script against a scratch database."""
    bloco = re.search(r"Exemplo de roteiro:\n\n```sh\n(.*?)```", README, re.S)
    assert bloco is not None
    db = bancos.vazio("readme")
    saidas = []
    for linha in bloco.group(1).strip().splitlines():
        comando = linha.replace("python -m bot", f"{sys.executable} -m bot --db {db} --now 2026-11-23T11:00-03:00")
        resultado = subprocess.run(comando, shell=True, capture_output=True, text=True, cwd=RAIZ, check=False)
        assert resultado.returncode == 0, (linha, resultado.stderr)
        saidas.append(resultado.stdout)
    assert '"text": "Acordo registrado!' in saidas[1]
    assert saidas[2].strip() == "Fila vazia."


def test_readme_curto() -> None:
    assert (RAIZ / "README.md").stat().st_size < 12_000


def _sem_codigo(texto: str) -> str:
    texto = re.sub(r"^```.*?^```", "", texto, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", texto)


def test_links_relativos_apontam_para_arquivos() -> None:
    quebrados = []
    for arquivo in ARQUIVOS_DO_MANUAL:
        for alvo in LINK.findall(_sem_codigo(arquivo.read_text(encoding="utf-8"))):
            caminho = alvo.split("#", 1)[0]
            if not caminho or re.match(r"[a-z][a-z0-9+.-]*:", caminho):
                continue  # âncora na própria página, ou http:, https:, mailto:
            if not (arquivo.parent / caminho).exists():
                quebrados.append(f"{arquivo.relative_to(RAIZ)}: {alvo}")
    assert quebrados == []
