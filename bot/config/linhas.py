"""Find the line of a key in a TOML text, so errors can point at it (tomllib keeps no positions)."""

from __future__ import annotations

import re

_CABECALHO = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_CHAVE = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _partes(chave: str) -> list[str]:
    return [p.strip().strip("\"'") for p in chave.split(".")]


def mapa_de_linhas(texto: str) -> dict[str, int]:
    """Map each key path (`ofertas.faixas[0].opcoes[1].tipo`) to its 1-based line.

    Tables and arrays of tables map too (`ofertas.faixas[0]` → the line of its header).
    """
    linhas: dict[str, int] = {}
    contagem: dict[str, int] = {}
    atual = ""
    for numero, linha in enumerate(texto.splitlines(), start=1):
        if linha.lstrip().startswith("#"):
            continue
        cabecalho = _CABECALHO.match(linha)
        if cabecalho:
            atual = _caminho_da_tabela(cabecalho.group(2), cabecalho.group(1) == "[[", contagem)
            linhas.setdefault(atual, numero)
            continue
        chave = _CHAVE.match(linha)
        if chave:
            caminho = ".".join(p for p in [atual, *_partes(chave.group(1))] if p)
            linhas.setdefault(caminho, numero)
    return linhas


def _caminho_da_tabela(nome: str, e_lista: bool, contagem: dict[str, int]) -> str:
    # Arrays of tables nested in arrays ([[a]] then [[a.b]]) index within the latest parent element.
    caminho = ""
    partes = _partes(nome)
    for posicao, parte in enumerate(partes):
        caminho = f"{caminho}.{parte}" if caminho else parte
        ultima = posicao == len(partes) - 1
        if ultima and e_lista:
            contagem[caminho] = contagem.get(caminho, 0) + 1
        if caminho in contagem:
            caminho = f"{caminho}[{contagem[caminho] - 1}]"
    return caminho


def linha_de(linhas: dict[str, int], caminho: str) -> int | None:
    """The line of `caminho` or of its nearest ancestor present in the text."""
    while caminho:
        if caminho in linhas:
            return linhas[caminho]
        corte = max(caminho.rfind("."), caminho.rfind("["))
        caminho = caminho[:corte] if corte > 0 else ""
    return None
