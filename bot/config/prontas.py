"""Canned replies ("respostas prontas"): short texts in `[console]` with a few variables, filled per conversation.

Sandboxed Jinja2 with undefined names refused. Checked at load (syntax and variable names); the amounts and the
due date are only filled once the debtor has confirmed who they are (CDC 42, LGPD: never to a third party).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

VARIAVEIS_LIVRES = frozenset({"primeiro_nome", "atendente", "credor"})
VARIAVEIS_DA_DIVIDA = frozenset({"saldo", "valor", "vencimento"})  # only after identity is confirmed
VARIAVEIS_PRONTAS = VARIAVEIS_LIVRES | VARIAVEIS_DA_DIVIDA

_ambiente = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def problema(texto: str) -> str | None:
    """Why `texto` cannot be a canned reply (pt-BR, with the line), or None when it can."""
    try:
        arvore = _ambiente.parse(texto)
    except TemplateSyntaxError as erro:
        return f"erro de sintaxe na linha {erro.lineno} do texto: {erro.message}"
    desconhecidas = sorted(meta.find_undeclared_variables(arvore) - VARIAVEIS_PRONTAS)
    if desconhecidas:
        return f"variáveis desconhecidas: {', '.join(desconhecidas)}; use: {', '.join(sorted(VARIAVEIS_PRONTAS))}"
    return None


def _variaveis(texto: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(_ambiente.parse(texto)))


@dataclass(frozen=True)
class Pronta:
    titulo: str
    texto: str  # filled in; empty when it cannot be used in this conversation yet
    indisponivel: str  # why not (pt-BR), or ""


def preencher(respostas: Mapping[str, str], valores: Mapping[str, str], identidade_ok: bool) -> list[Pronta]:
    """Each canned reply (title → text) filled with `valores` (names of `VARIAVEIS_PRONTAS`, formatted; an empty
    value is one this conversation does not have, such as the next due date of a debtor who owes nothing)."""
    prontas = []
    for titulo, texto in respostas.items():
        usadas = _variaveis(texto)
        if usadas & VARIAVEIS_DA_DIVIDA and not identidade_ok:
            prontas.append(Pronta(titulo, "", "depois da identidade confirmada"))
        elif any(not valores.get(nome) for nome in usadas):
            prontas.append(Pronta(titulo, "", "sem parcela em aberto"))
        else:
            prontas.append(Pronta(titulo, _ambiente.from_string(texto).render(**valores), ""))
    return prontas
