"""Reading a portfolio CSV: every line checked, every error reported at once, nothing stored (pure).

One line per installment; debtor and contract columns repeat on every line of the same CPF/contract,
and what the file says twice must agree. `importacao.importar_carteira` stores the result.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from bot.calendario import UFS
from bot.formatos import cpf_valido, data_br, mascarar_cpf, normalizar_telefone, parse_data, parse_valor

COLUNAS_OBRIGATORIAS = ("cpf", "nome", "telefone", "uf", "contrato", "parcela", "valor", "vencimento")
COLUNAS_OPCIONAIS = ("telegram_id", "email", "nascimento", "segmento", "descricao")
CAMPOS_DEVEDOR = ("nome", "telefone", "telegram_id", "email", "nascimento", "uf", "segmento")


@dataclass(frozen=True, slots=True)
class ErroLinha:
    """A problem in one line of the file (the header is line 1)."""

    linha: int
    coluna: str | None
    valor: str
    mensagem: str
    arquivo: str = "carteira.csv"

    def __str__(self) -> str:
        onde = f"{self.arquivo}:{self.linha}: " + (f"coluna {self.coluna!r}: " if self.coluna else "")
        return onde + self.mensagem + (f" (valor: {self.valor!r})" if self.valor else "")


@dataclass(frozen=True, slots=True)
class LinhaCarteira:
    """One valid line: CPF as 11 digits, phone in E.164, UF upper-case, money as Decimal."""

    linha: int
    cpf: str
    nome: str
    telefone: str | None
    uf: str
    contrato: str
    parcela: int
    valor: Decimal
    vencimento: date
    telegram_id: str | None = None
    email: str | None = None
    nascimento: date | None = None
    segmento: str | None = None
    descricao: str | None = None


@dataclass(frozen=True, slots=True)
class LeituraCarteira:
    """The valid lines and every error found; a line with any error is not among `linhas`."""

    linhas: list[LinhaCarteira]
    erros: list[ErroLinha]
    arquivo: str = "carteira.csv"

    @property
    def cabecalho_ok(self) -> bool:
        return not any(erro.linha == 1 for erro in self.erros)


# --- one field at a time: each converter returns the clean value or raises ValueError(what was expected)


def _cpf(texto: str) -> str:
    if not re.fullmatch(r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}|\d{9,11}", texto):
        raise ValueError("CPF inválido")
    # A CPF typed as a number in a spreadsheet loses its leading zeros; the check digits still decide.
    digitos = re.sub(r"\D", "", texto).zfill(11)
    if not cpf_valido(digitos):
        raise ValueError("CPF inválido")
    return digitos


def _nome(texto: str) -> str:
    return " ".join(texto.split())


def _telefone(texto: str) -> str:
    try:
        return normalizar_telefone(texto)
    except ValueError:
        raise ValueError("telefone inválido, esperado DDD + número, ex. (11) 98765-4321") from None


def _uf(texto: str) -> str:
    if texto.upper() not in UFS:
        raise ValueError("UF inválida, esperada a sigla de um dos 27 estados, ex. SP")
    return texto.upper()


def _parcela(texto: str) -> int:
    if not (texto.isascii() and texto.isdigit()) or int(texto) == 0:
        raise ValueError("parcela deve ser um número inteiro positivo")
    return int(texto)


def _valor(texto: str) -> Decimal:
    try:
        valor = parse_valor(texto)
    except ValueError:
        raise ValueError("valor inválido, esperado como 1234.56 ou 1.234,56") from None
    if valor <= 0:
        raise ValueError("valor deve ser maior que zero")
    return valor


def _data(texto: str) -> date:
    try:
        return parse_data(texto)
    except ValueError:
        raise ValueError("data inválida, esperada AAAA-MM-DD ou dd/mm/aaaa") from None


def _email(texto: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", texto):
        raise ValueError("e-mail inválido, esperado nome@dominio")
    return texto


def _telegram_id(texto: str) -> str:
    if not (texto.isascii() and texto.isdigit()):
        raise ValueError("telegram_id deve ser o número do usuário no Telegram")
    return texto


CONVERSORES: dict[str, Callable[[str], Any]] = {
    "cpf": _cpf,
    "nome": _nome,
    "telefone": _telefone,
    "uf": _uf,
    "contrato": str.strip,
    "parcela": _parcela,
    "valor": _valor,
    "vencimento": _data,
    "telegram_id": _telegram_id,
    "email": _email,
    "nascimento": _data,
    "segmento": str.lower,
    "descricao": str.strip,
}


Conversores = Mapping[str, Callable[[str], Any]]


def _converter(
    campos: dict[str, str], linha: int, arquivo: str, conversores: Conversores
) -> LinhaCarteira | list[ErroLinha]:
    valores: dict[str, Any] = {}
    erros: list[ErroLinha] = []
    for coluna, conversor in conversores.items():
        bruto = campos.get(coluna, "").strip()
        if not bruto:
            valores[coluna] = None
            # Telegram-only debtors have no phone: the pair is checked below.
            if coluna in COLUNAS_OBRIGATORIAS and coluna != "telefone":
                erros.append(ErroLinha(linha, coluna, "", "campo obrigatório vazio", arquivo))
            continue
        try:
            valores[coluna] = conversor(bruto)
        except ValueError as erro:
            erros.append(ErroLinha(linha, coluna, bruto, str(erro), arquivo))
    if not campos.get("telefone", "").strip() and not campos.get("telegram_id", "").strip():
        erros.append(ErroLinha(linha, "telefone", "", "informe o telefone (ou o telegram_id)", arquivo))
    return erros or LinhaCarteira(linha=linha, **valores)


# --- across lines: what the file says twice must agree


def _exibir(valor: object) -> str:
    return data_br(valor) if isinstance(valor, date) else str(valor)


@dataclass
class _Coerencia:
    """What earlier lines said, to catch a later line contradicting them."""

    arquivo: str
    parcelas: dict[tuple[str, int], int] = field(default_factory=dict)
    contratos: dict[str, LinhaCarteira] = field(default_factory=dict)
    devedores: dict[str, dict[str, tuple[object, int]]] = field(default_factory=dict)
    telegram: dict[str, LinhaCarteira] = field(default_factory=dict)

    def conferir(self, novo: LinhaCarteira) -> list[ErroLinha]:
        erros = self._contrato(novo) + self._devedor(novo)
        if not erros:
            self._registrar(novo)
        return erros

    def _erro(self, novo: LinhaCarteira, coluna: str, mensagem: str) -> ErroLinha:
        return ErroLinha(novo.linha, coluna, _exibir(getattr(novo, coluna)), mensagem, self.arquivo)

    def _contrato(self, novo: LinhaCarteira) -> list[ErroLinha]:
        erros = []
        repetida = self.parcelas.get((novo.contrato, novo.parcela))
        if repetida is not None:  # the API numbers items from 0, so the first one's number is falsy
            mensagem = f"parcela repetida no contrato, já está na linha {repetida}"
            erros.append(self._erro(novo, "parcela", mensagem))
        anterior = self.contratos.get(novo.contrato)
        if anterior and anterior.cpf != novo.cpf:
            outro = mascarar_cpf(anterior.cpf)
            mensagem = f"contrato já pertence ao CPF {outro} na linha {anterior.linha}"
            erros.append(self._erro(novo, "contrato", mensagem))
        elif anterior and anterior.descricao and novo.descricao and anterior.descricao != novo.descricao:
            mensagem = f"o contrato tem descrição {anterior.descricao!r} na linha {anterior.linha}"
            erros.append(self._erro(novo, "descricao", mensagem))
        return erros

    def _devedor(self, novo: LinhaCarteira) -> list[ErroLinha]:
        erros = []
        vistos = self.devedores.get(novo.cpf, {})
        for campo in CAMPOS_DEVEDOR:
            valor, visto = getattr(novo, campo), vistos.get(campo)
            if valor is not None and visto and _normal(visto[0]) != _normal(valor):
                mensagem = f"o mesmo CPF tem {campo} {_exibir(visto[0])!r} na linha {visto[1]}"
                erros.append(self._erro(novo, campo, mensagem))
        dono = self.telegram.get(novo.telegram_id or "")
        if dono and dono.cpf != novo.cpf:
            mensagem = f"telegram_id já pertence ao CPF {mascarar_cpf(dono.cpf)} na linha {dono.linha}"
            erros.append(self._erro(novo, "telegram_id", mensagem))
        return erros

    def _registrar(self, novo: LinhaCarteira) -> None:
        self.parcelas[(novo.contrato, novo.parcela)] = novo.linha
        self.contratos.setdefault(novo.contrato, novo)
        if novo.telegram_id:
            self.telegram.setdefault(novo.telegram_id, novo)
        vistos = self.devedores.setdefault(novo.cpf, {})
        for campo in CAMPOS_DEVEDOR:
            if getattr(novo, campo) is not None:
                vistos.setdefault(campo, (getattr(novo, campo), novo.linha))


def _normal(valor: object) -> object:
    """Names differing only in case or spacing are the same name."""
    return " ".join(valor.casefold().split()) if isinstance(valor, str) else valor


# --- the file


def _nome_coluna(cabecalho: str) -> str:
    return "_".join(cabecalho.strip().lower().split())


def _conferir_cabecalho(colunas: list[str], arquivo: str) -> list[ErroLinha]:
    conhecidas = set(COLUNAS_OBRIGATORIAS) | set(COLUNAS_OPCIONAIS)
    erros = [
        ErroLinha(1, coluna, "", f"coluna desconhecida; esperadas: {', '.join(CONVERSORES)}", arquivo)
        for coluna in colunas
        if coluna not in conhecidas
    ]
    erros += [
        ErroLinha(1, coluna, "", "coluna repetida no cabeçalho", arquivo)
        for coluna in sorted({c for c in colunas if colunas.count(c) > 1})
    ]
    faltando = [c for c in COLUNAS_OBRIGATORIAS if c not in colunas]
    if faltando:
        erros.append(ErroLinha(1, None, "", f"colunas obrigatórias ausentes: {', '.join(faltando)}", arquivo))
    return erros


def _registros(texto: str, delimitador: str, erros: list[ErroLinha], arquivo: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of each record after the header, skipping blank lines."""
    leitor = csv.reader(io.StringIO(texto, newline=""), delimiter=delimitador)
    next(leitor, None)
    inicio = leitor.line_num + 1
    try:
        for campos in leitor:
            if any(c.strip() for c in campos):
                yield inicio, campos
            inicio = leitor.line_num + 1
    except csv.Error as erro:  # e.g. a field over csv's size limit: the rest cannot be trusted
        erros.append(ErroLinha(inicio, None, "", f"CSV malformado, leitura interrompida: {erro}", arquivo))


def ler_carteira(texto: str, arquivo: str = "carteira.csv") -> LeituraCarteira:
    """Check a portfolio CSV (`,` or `;`, guessed from the header) and report every error at once."""
    texto = texto.removeprefix("\ufeff")
    cabecalho = texto.splitlines()[0] if texto.strip() else ""
    if not cabecalho.strip():
        erro = ErroLinha(1, None, "", "arquivo vazio ou sem cabeçalho", arquivo)
        return LeituraCarteira([], [erro], arquivo)
    delimitador = ";" if cabecalho.count(";") > cabecalho.count(",") else ","
    colunas = [_nome_coluna(c) for c in next(csv.reader([cabecalho], delimiter=delimitador))]
    erros = _conferir_cabecalho(colunas, arquivo)
    if erros:
        return LeituraCarteira([], erros, arquivo)
    def registros() -> Iterator[tuple[int, dict[str, str]]]:
        for numero, campos in _registros(texto, delimitador, erros, arquivo):
            if len(campos) != len(colunas):
                mensagem = f"esperados {len(colunas)} campos, encontrados {len(campos)}"
                erros.append(ErroLinha(numero, None, "", mensagem, arquivo))
                continue
            yield numero, dict(zip(colunas, campos, strict=True))

    return ler_registros(registros(), arquivo, erros)


def ler_registros(
    registros: Iterable[tuple[int, Mapping[str, str]]], arquivo: str, erros: list[ErroLinha] | None = None
) -> LeituraCarteira:
    """Check records already split into columns (a CSV's lines, the API's JSON items): the same converters and
    the same cross-line checks for both, every error reported at once. `erros` collects them (and may start with
    the caller's own)."""
    erros = [] if erros is None else erros
    linhas: list[LinhaCarteira] = []
    coerencia = _Coerencia(arquivo)
    # CPFs, phones, dates and amounts repeat from line to line; the caches live as long as this call,
    # so no personal data outlives the reading.
    conversores = {coluna: cache(conversor) for coluna, conversor in CONVERSORES.items()}
    for numero, campos in registros:
        lida = _converter(dict(campos), numero, arquivo, conversores)
        problemas = lida if isinstance(lida, list) else coerencia.conferir(lida)
        erros += problemas
        if not problemas and isinstance(lida, LinhaCarteira):
            linhas.append(lida)
    return LeituraCarteira(linhas, erros, arquivo)
