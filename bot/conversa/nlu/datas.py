"""Dates in a message ("dia 10", "15/12", "sexta", "semana que vem"), resolved against today."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta

from bot.calendario import dia_util

_MESES = {"janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
          "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12}  # fmt: skip
DIAS_DA_SEMANA = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6}
_RELATIVOS = ("depois de amanha", "amanha", "hoje", "semana que vem", "proxima semana", "mes que vem",
              "proximo mes", "fim do mes", "final do mes")  # fmt: skip
_ORDINAIS_UTEIS = {"primeiro": 1, "segundo": 2, "terceiro": 3, "quarto": 4, "quinto": 5, "sexto": 6,
                   "setimo": 7, "oitavo": 8, "nono": 9, "decimo": 10}  # fmt: skip
RE_DATA = re.compile(
    rf"\b(?P<util>{'|'.join(_ORDINAIS_UTEIS)}|\d{{1,2}}(?: o)?) dia util\b"
    r"(?P<utilprox> do (?:mes que vem|proximo mes))?"
    r"|\b(?:dia )?(?P<d>\d{1,2})[/-](?P<m>\d{1,2})(?:[/-](?P<a>\d{4}|\d{2}))?\b"
    rf"|\b(?:dia )?(?P<dm>\d{{1,2}}|primeiro) de (?P<mes>{'|'.join(_MESES)})(?: de (?P<am>\d{{4}}))?\b"
    r"|\bdia (?P<dia>\d{1,2}|primeiro)\b(?![/-]\d)(?P<prox> do (?:mes que vem|proximo mes))?"
    rf"|\b(?P<sem>{'|'.join(DIAS_DA_SEMANA)})\b(?: feira\b)?(?! (?:via|parcela|opcao|vez))"
    rf"|\b(?P<rel>{'|'.join(_RELATIVOS)})\b"
    r"|\b(?:daqui(?: a)?|em) (?P<n>\d{1,2}) dias\b"
)


def _dias_no_mes(ano: int, mes: int) -> int:
    return calendar.monthrange(ano, mes)[1]


def _mais_meses(hoje: date, meses: int) -> tuple[int, int]:
    indice = hoje.year * 12 + hoje.month - 1 + meses
    return indice // 12, indice % 12 + 1


def _proximo_dia(hoje: date, dia: int, a_partir_do_mes: int = 0) -> date | None:
    """The next day-`dia` on or after today, skipping months too short to have it."""
    for meses in range(a_partir_do_mes, a_partir_do_mes + 13):
        ano, mes = _mais_meses(hoje, meses)
        if 1 <= dia <= _dias_no_mes(ano, mes) and (candidata := date(ano, mes, dia)) >= hoje:
            return candidata
    return None


def _dia_e_mes(hoje: date, dia: int, mes: int, ano_escrito: str | None) -> date | None:
    """`15/12` → the next 15 Dec; `12/05/1980` → that day; `12/05/80` → 1980 (far-future years are past)."""
    if ano_escrito is None:
        anos: Iterable[int] = (hoje.year, hoje.year + 1)
    elif len(ano_escrito) == 2:
        ano = 2000 + int(ano_escrito)
        anos = (ano if ano <= hoje.year + 20 else ano - 100,)
    else:
        anos = (int(ano_escrito),)
    for ano in anos:
        try:
            candidata = date(ano, mes, dia)
        except ValueError:
            continue
        if ano_escrito is not None or candidata >= hoje:
            return candidata
    return None


def _relativa(hoje: date, expressao: str) -> date:
    if expressao == "hoje":
        return hoje
    if expressao == "amanha":
        return hoje + timedelta(days=1)
    if expressao == "depois de amanha":
        return hoje + timedelta(days=2)
    if expressao in ("semana que vem", "proxima semana"):
        return hoje + timedelta(days=7 - hoje.weekday())
    if expressao in ("mes que vem", "proximo mes"):
        ano, mes = _mais_meses(hoje, 1)
        return date(ano, mes, 1)
    return date(hoje.year, hoje.month, _dias_no_mes(hoje.year, hoje.month))


def _dia_util_do_mes(hoje: date, n: int, uf: str | None, a_partir_do_mes: int) -> date | None:
    """The `n`-th business day of this month (or the next, when today is past it) in the debtor's UF."""
    if not 1 <= n <= 23:
        return None
    for meses in (a_partir_do_mes, a_partir_do_mes + 1):
        ano, mes = _mais_meses(hoje, meses)
        uteis = [d for d in range(1, _dias_no_mes(ano, mes) + 1) if dia_util(date(ano, mes, d), uf)]
        if n <= len(uteis) and (candidata := date(ano, mes, uteis[n - 1])) >= hoje:
            return candidata
    return None


def resolver_data(m: re.Match[str], hoje: date, uf: str | None = None) -> date | None:
    """The date a match of `RE_DATA` means, counted from `hoje`; None when that day does not exist."""
    g = m.groupdict()
    if g["util"]:
        escrito = g["util"].removesuffix(" o")
        n = _ORDINAIS_UTEIS.get(escrito) or int(escrito)
        return _dia_util_do_mes(hoje, n, uf, 1 if g["utilprox"] else 0)
    if g["d"]:
        return _dia_e_mes(hoje, int(g["d"]), int(g["m"]), g["a"])
    if g["dm"]:
        dia = 1 if g["dm"] == "primeiro" else int(g["dm"])
        return _dia_e_mes(hoje, dia, _MESES[g["mes"]], g["am"])
    if g["dia"]:
        return _proximo_dia(hoje, 1 if g["dia"] == "primeiro" else int(g["dia"]), 1 if g["prox"] else 0)
    if g["sem"]:
        return hoje + timedelta(days=(DIAS_DA_SEMANA[g["sem"]] - hoje.weekday() - 1) % 7 + 1)
    if g["rel"]:
        return _relativa(hoje, g["rel"])
    return hoje + timedelta(days=int(g["n"]))
