"""The API's errors as pt-BR JSON naming the field, and the readers of bodies and parameters that raise them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.corpo import JsonInvalido, ler_json
from bot.dados.carteira import ErroLinha
from bot.formatos import parse_data, parse_valor

ID_MAXIMO = 2**63 - 1


@dataclass
class ErroApi(Exception):
    """A refusal: `status`, a sentence, the field it is about and, for a batch, every item's problems."""

    status: int
    mensagem: str
    campo: str | None = None
    erros: list[dict[str, Any]] = field(default_factory=list)
    cabecalhos: dict[str, str] = field(default_factory=dict)

    def resposta(self) -> web.Response:
        corpo: dict[str, Any] = {"erro": self.mensagem}
        if self.campo:
            corpo["campo"] = self.campo
        if self.erros:
            corpo["erros"] = self.erros
        return web.json_response(corpo, status=self.status, headers=self.cabecalhos)


def erro_de_item(lista: str, erro: ErroLinha) -> dict[str, Any]:
    """A batch item's problem (`ler_registros` numbers items from 0, as JSON arrays do)."""
    campo = f"{lista}[{erro.linha}]" + (f".{erro.coluna}" if erro.coluna else "")
    return {"campo": campo, "mensagem": erro.mensagem} | ({"valor": erro.valor} if erro.valor else {})


async def corpo_objeto(request: web.Request, opcional: bool = False) -> dict[str, Any]:
    """The body's JSON object; with `opcional`, no body at all reads as `{}` (every field of it is optional)."""
    try:
        bruto = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ErroApi(413, f"corpo grande demais (máximo {request.client_max_size // 1024} KB)") from None
    if opcional and not bruto.strip():
        return {}
    try:
        corpo = ler_json(bruto)
    except JsonInvalido as erro:
        raise ErroApi(400, str(erro)) from None
    if not isinstance(corpo, dict):
        raise ErroApi(400, "corpo inválido: esperado um objeto JSON")
    return corpo


def so_campos(corpo: Mapping[str, Any], permitidos: set[str]) -> None:
    for nome in corpo:
        if nome not in permitidos:
            raise ErroApi(400, f"campo desconhecido; esperados: {', '.join(sorted(permitidos))}", nome)


def texto(corpo: Mapping[str, Any], nome: str, obrigatorio: bool = True, maximo: int = 500) -> str | None:
    valor = corpo.get(nome)
    if valor is None or (isinstance(valor, str) and not valor.strip()):
        if obrigatorio:
            raise ErroApi(400, "campo obrigatório ausente ou vazio", nome)
        return None
    if not isinstance(valor, str):
        raise ErroApi(400, "esperado um texto", nome)
    if len(valor) > maximo:
        raise ErroApi(400, f"texto longo demais (máximo {maximo} caracteres)", nome)
    return valor.strip()


def valor_em_reais(corpo: Mapping[str, Any], nome: str) -> Decimal:
    bruto = corpo.get(nome)
    if isinstance(bruto, bool) or not isinstance(bruto, str | int | float):
        raise ErroApi(400, 'esperado um valor em reais, como "150.00"', nome)
    try:
        valor = parse_valor(str(bruto))
    except ValueError:
        raise ErroApi(400, 'valor inválido; esperado como "1234.56"', nome) from None
    if valor <= 0 or valor != valor.quantize(Decimal("0.01")):
        raise ErroApi(400, "valor deve ser maior que zero, em reais e centavos", nome)
    return valor


def data_do_corpo(corpo: Mapping[str, Any], nome: str) -> date:
    bruto = texto(corpo, nome)
    assert bruto is not None
    try:
        return parse_data(bruto)
    except ValueError:
        raise ErroApi(400, "data inválida; esperada AAAA-MM-DD", nome) from None


def inteiro_do_caminho(request: web.Request, nome: str) -> int:
    bruto = request.match_info[nome]
    if not (bruto.isascii() and bruto.isdigit()) or not 0 < int(bruto) <= ID_MAXIMO:
        raise ErroApi(404, "devedor não encontrado", nome)
    return int(bruto)


def paginacao(request: web.Request, padrao: int) -> tuple[int, int]:
    """(page from 1, items per page) from `?pagina=&por_pagina=`."""
    valores = []
    for nome, omissao, maximo in (("pagina", 1, 10**9), ("por_pagina", padrao, 500)):
        bruto = request.query.get(nome, str(omissao))
        if not (bruto.isascii() and bruto.isdigit()) or not 1 <= int(bruto) <= maximo:
            raise ErroApi(400, f"esperado um número inteiro de 1 a {maximo}", nome)
        valores.append(int(bruto))
    return valores[0], valores[1]
