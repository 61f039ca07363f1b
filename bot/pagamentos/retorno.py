"""Reading a payment-return CSV (bank return converted by the company): every line checked, nothing stored.

Columns: `documento` (nosso número or PIX txid), `valor`, `data`, and optionally `id` (the bank's own id of
the payment). `,` or `;`, guessed from the header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.dados.carteira import ErroLinha
from bot.formatos import parse_data, parse_valor

OBRIGATORIAS = ("documento", "valor", "data")
OPCIONAIS = ("id",)


@dataclass(frozen=True)
class LinhaRetorno:
    linha: int
    documento: str
    valor: Decimal
    data: date
    id_pagamento: str  # the bank's id, or one derived from the line's content (a re-import matches it)


def _linha(numero: int, campos: dict[str, str], arquivo: str) -> LinhaRetorno | list[ErroLinha]:
    erros = []
    documento = campos["documento"].strip()
    if not (documento.isascii() and documento.isdigit() and len(documento) <= 17):
        erros.append(
            ErroLinha(numero, "documento", documento, "esperado o nosso número ou o txid, só dígitos", arquivo)
        )
    valor, data = Decimal(0), date.min
    try:
        valor = parse_valor(campos["valor"])
        if valor <= 0:
            raise ValueError("valor deve ser maior que zero")
    except ValueError as erro:
        erros.append(ErroLinha(numero, "valor", campos["valor"], str(erro).split(":")[0], arquivo))
    try:
        data = parse_data(campos["data"])
    except ValueError:
        erros.append(ErroLinha(numero, "data", campos["data"], "esperado AAAA-MM-DD ou dd/mm/aaaa", arquivo))
    if erros:
        return erros
    id_pagamento = campos.get("id", "").strip() or f"{documento}-{valor}-{data.isoformat()}"
    return LinhaRetorno(numero, documento, valor, data, id_pagamento)


def ler_retorno(texto: str, arquivo: str = "pagamentos.csv") -> tuple[list[LinhaRetorno], list[ErroLinha]]:
    """The valid lines and every error (line 1 is the header)."""
    texto = texto.removeprefix("\ufeff")
    primeira = texto.splitlines()[0] if texto.strip() else ""
    if not primeira.strip():
        return [], [ErroLinha(1, None, "", "arquivo vazio ou sem cabeçalho", arquivo)]
    delimitador = ";" if primeira.count(";") > primeira.count(",") else ","
    leitor = csv.reader(io.StringIO(texto), delimiter=delimitador)
    colunas = [c.strip().lower() for c in next(leitor)]
    faltando = [c for c in OBRIGATORIAS if c not in colunas]
    estranhas = [c for c in colunas if c not in OBRIGATORIAS + OPCIONAIS]
    if faltando or estranhas:
        partes = ([f"faltam as colunas {', '.join(faltando)}"] if faltando else []) + (
            [f"colunas desconhecidas: {', '.join(estranhas)}"] if estranhas else []
        )
        esperado = f"esperado {', '.join(OBRIGATORIAS)} e, opcionalmente, {', '.join(OPCIONAIS)}"
        return [], [ErroLinha(1, None, "", "; ".join(partes) + f" ({esperado})", arquivo)]
    linhas: list[LinhaRetorno] = []
    erros: list[ErroLinha] = []
    for campos in leitor:
        numero = leitor.line_num
        if not any(c.strip() for c in campos):
            continue
        if len(campos) != len(colunas):
            erros.append(
                ErroLinha(numero, None, "", f"esperados {len(colunas)} campos, encontrados {len(campos)}", arquivo)
            )
            continue
        lida = _linha(numero, dict(zip(colunas, campos, strict=True)), arquivo)
        if isinstance(lida, list):
            erros += lida
        else:
            linhas.append(lida)
    return linhas, erros
