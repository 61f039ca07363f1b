"""Time zones by UF and the bank calendar (national + bank-closed optional days + the UF's holidays)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

FUSO_POR_UF: dict[str, str] = {
    "AC": "America/Rio_Branco",
    "AL": "America/Maceio",
    "AM": "America/Manaus",
    "AP": "America/Belem",
    "BA": "America/Bahia",
    "CE": "America/Fortaleza",
    "DF": "America/Sao_Paulo",
    "ES": "America/Sao_Paulo",
    "GO": "America/Sao_Paulo",
    "MA": "America/Fortaleza",
    "MG": "America/Sao_Paulo",
    "MS": "America/Campo_Grande",
    "MT": "America/Cuiaba",
    "PA": "America/Belem",
    "PB": "America/Fortaleza",
    "PE": "America/Recife",
    "PI": "America/Fortaleza",
    "PR": "America/Sao_Paulo",
    "RJ": "America/Sao_Paulo",
    "RN": "America/Fortaleza",
    "RO": "America/Porto_Velho",
    "RR": "America/Boa_Vista",
    "RS": "America/Sao_Paulo",
    "SC": "America/Sao_Paulo",
    "SE": "America/Maceio",
    "SP": "America/Sao_Paulo",
    "TO": "America/Araguaina",
}
UFS = frozenset(FUSO_POR_UF)

# Banks close on these "optional" days too (domain.md §3); Corpus Christi and 24 Dec are not bank holidays.
_OPCIONAIS_BANCARIOS = ("Carnaval", "Véspera de Ano-Novo")


def fuso(uf: str) -> ZoneInfo:
    return ZoneInfo(FUSO_POR_UF[uf.upper()])


@lru_cache(maxsize=256)
def _feriados(ano: int, uf: str | None) -> dict[date, str]:
    base = holidays.country_holidays("BR", subdiv=uf, years=ano, language="pt_BR")
    opcionais = holidays.country_holidays("BR", subdiv=uf, years=ano, language="pt_BR", categories=("optional",))
    dias: dict[date, str] = dict(base.items())
    for dia, nome in opcionais.items():
        if any(marca in nome for marca in _OPCIONAIS_BANCARIOS):
            dias.setdefault(dia, nome)
    return dias


def feriado(dia: date, uf: str | None = None) -> str | None:
    """The pt-BR name of the bank holiday on `dia` for the UF, or None."""
    return _feriados(dia.year, uf.upper() if uf else None).get(dia)


def dia_util(dia: date, uf: str | None = None) -> bool:
    return dia.weekday() < 5 and feriado(dia, uf) is None


def proximo_dia_util(dia: date, uf: str | None = None) -> date:
    """`dia` itself when banks open on it, else the next day they do."""
    while not dia_util(dia, uf):
        dia += timedelta(days=1)
    return dia
