"""Load a TOML file into a pydantic model, turning every problem into a precise pt-BR `ErroConfig`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.config.erros import ErroConfig
from bot.config.linhas import linha_de, mapa_de_linhas

M = TypeVar("M", bound=BaseModel)

_MENSAGENS: dict[str, str] = {
    "missing": "chave obrigatória ausente",
    "extra_forbidden": "chave desconhecida (verifique a grafia)",
    "int_parsing": "esperado um número inteiro",
    "int_type": "esperado um número inteiro",
    "int_from_float": "esperado um número inteiro",
    "decimal_parsing": "esperado um número",
    "decimal_type": "esperado um número",
    "float_parsing": "esperado um número",
    "string_type": "esperado um texto entre aspas",
    "bool_type": "esperado true ou false",
    "bool_parsing": "esperado true ou false",
    "list_type": "esperada uma lista [ ... ]",
    "dict_type": "esperada uma tabela",
    "model_type": "esperada uma tabela",
    "date_from_datetime_parsing": "esperada uma data AAAA-MM-DD",
    "date_parsing": "esperada uma data AAAA-MM-DD",
    "date_type": "esperada uma data AAAA-MM-DD",
}


def caminho_de(loc: tuple[int | str, ...]) -> str:
    """`("ofertas", "faixas", 0, "parcelado", "juros")` → `ofertas.faixas[0].juros` (union tags dropped)."""
    caminho = ""
    for parte in loc:
        if isinstance(parte, int):
            caminho += f"[{parte}]"
        elif parte in ("a_vista", "parcelado") or parte.startswith("function-"):
            continue
        else:
            caminho = f"{caminho}.{parte}" if caminho else parte
    return caminho


_LIMITES = {
    "less_than_equal": "no máximo",
    "less_than": "menor que",
    "greater_than_equal": "no mínimo",
    "greater_than": "maior que",
}
_TAMANHOS = {
    "too_short": "deve ter pelo menos {min_length} item(ns)",
    "too_long": "deve ter no máximo {max_length} item(ns)",
    "string_too_short": "deve ter pelo menos {min_length} caractere(s)",
    "string_too_long": "deve ter no máximo {max_length} caracteres",
}


def mensagem_de(erro: ErrorDetails) -> str:
    """Pydantic's error in pt-BR, saying what was expected."""
    tipo = erro["type"]
    ctx: dict[str, Any] = dict(erro.get("ctx") or {})
    if tipo in _MENSAGENS:
        return _MENSAGENS[tipo]
    if tipo in _LIMITES:
        return f"deve ser {_LIMITES[tipo]} {next(iter(ctx.values()))}"
    if tipo in _TAMANHOS:
        return _TAMANHOS[tipo].format(**ctx)
    if tipo in ("literal_error", "enum"):
        return f"esperado um de: {str(ctx.get('expected')).replace(' or ', ' ou ')}"
    if tipo in ("union_tag_invalid", "union_tag_not_found"):
        return f"'tipo' deve ser um de: {ctx.get('expected_tags', ctx.get('discriminator'))}"
    if tipo == "string_pattern_mismatch":
        return f"formato inválido (esperado o padrão {ctx.get('pattern')})"
    return re.sub(r"^(Value error|Assertion failed), ", "", erro["msg"])


def _so_consequencia(detalhe: ErrorDetails, todos: list[ErrorDetails]) -> bool:
    """A list long enough that pydantic found too short only because it dropped invalid items: their errors say it."""
    loc, minimo = detalhe["loc"], detalhe.get("ctx", {}).get("min_length", 0)
    return (
        detalhe["type"] == "too_short"
        and len(detalhe["input"]) >= minimo
        and any(len(o["loc"]) > len(loc) and o["loc"][: len(loc)] == loc for o in todos)
    )


def erros_de_validacao(erro: ValidationError, arquivo: str, texto: str) -> list[ErroConfig]:
    linhas = mapa_de_linhas(texto)
    resultado: list[ErroConfig] = []
    todos = erro.errors()
    for detalhe in (d for d in todos if not _so_consequencia(d, todos)):
        caminho = caminho_de(detalhe["loc"])
        sem_valor = detalhe["type"] == "missing" or isinstance(detalhe["input"], dict)
        resultado.append(
            ErroConfig(
                arquivo=arquivo,
                caminho=caminho,
                mensagem=mensagem_de(detalhe),
                linha=linha_de(linhas, caminho),
                **({} if sem_valor else {"valor": detalhe["input"]}),
            )
        )
    return resultado


def ler_toml(caminho: Path) -> tuple[dict[str, Any], str, list[ErroConfig]]:
    """Parse a TOML file; a syntax error becomes one `ErroConfig` with its line."""
    nome = str(caminho)
    try:
        texto = caminho.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as erro:
        return {}, "", [ErroConfig(nome, "", f"não foi possível ler o arquivo: {erro}")]
    try:
        return tomllib.loads(texto), texto, []
    except tomllib.TOMLDecodeError as erro:
        achado = re.search(r"line (\d+)", str(erro))
        linha = int(achado.group(1)) if achado else None
        mensagem = re.sub(r"\s*\(at .*\)$", "", str(erro))
        return {}, texto, [ErroConfig(nome, "", f"TOML inválido: {mensagem}", linha=linha)]


def validar(modelo: type[M], dados: dict[str, Any], arquivo: str, texto: str) -> tuple[M | None, list[ErroConfig]]:
    try:
        return modelo.model_validate(dados), []
    except ValidationError as erro:
        return None, erros_de_validacao(erro, arquivo, texto)
