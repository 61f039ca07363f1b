"""The contact policy, pure: may we contact this debtor at this instant, and if not, when and why not.

Hours, weekends and holidays are judged in the debtor's own time zone (by UF); caps count every contact the
régua made or scheduled, across channels, per local day and per local Monday-to-Sunday week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.calendario import feriado, fuso
from bot.config.regua import Politica

_DIAS = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
_LIMITE_DE_DIAS = 400  # a year of holidays and caps is far less than this; guards the loop


@dataclass(frozen=True, slots=True)
class Liberado:
    pass


@dataclass(frozen=True, slots=True)
class Adiado:
    quando: datetime
    motivo: str


@dataclass(frozen=True, slots=True)
class Descartado:
    motivo: str


Decisao = Liberado | Adiado | Descartado


@dataclass(frozen=True, slots=True)
class Impedimento:
    """Facts outside the calendar that stop a contact: `obsoleto` drops it, `pausa` holds it."""

    obsoleto: str | None = None
    pausa: str | None = None


def motivo_do_dia(dia: date, uf: str) -> str | None:
    """Why no contact may happen on this local day at all, or None."""
    if dia.weekday() >= 5:
        return f"fim de semana ({_DIAS[dia.weekday()]})"
    nome = feriado(dia, uf) or _feriado_opcional(dia, uf)
    return f"feriado: {nome}" if nome else None


def _feriado_opcional(dia: date, uf: str) -> str | None:
    return _opcionais(dia.year, uf).get(dia)


@lru_cache(maxsize=64)
def _opcionais(ano: int, uf: str) -> dict[date, str]:
    # Corpus Christi, Ash Wednesday, 24 Dec are not bank holidays, but no one wants a collector's message on them.
    return dict(holidays.country_holidays("BR", subdiv=uf, years=ano, language="pt_BR", categories=("optional",)))


def _inicio_do_dia(dia: date, zona: ZoneInfo) -> datetime:
    return datetime.combine(dia, time(0), zona)


def _motivo_no_dia(
    politica: Politica, uf: str, local: datetime, envios: Sequence[datetime]
) -> tuple[str, datetime] | None:
    """The first rule that stops a contact at `local`, with the earliest instant worth trying next."""
    zona = local.tzinfo
    assert isinstance(zona, ZoneInfo)
    dia = local.date()
    amanha = _inicio_do_dia(dia + timedelta(days=1), zona)
    motivo = motivo_do_dia(dia, uf)
    if motivo:
        return motivo, amanha
    horario = politica.horario_de(uf)
    inicio = datetime.combine(dia, time(horario.inicio), zona)
    fim = amanha if horario.fim == 24 else datetime.combine(dia, time(horario.fim), zona)
    faixa = f"fora do horário ({horario.inicio}h–{horario.fim}h, {zona.key})"
    if local < inicio:
        return faixa, inicio
    if local >= fim:
        return faixa, amanha
    locais = [e.astimezone(zona) for e in envios]
    if sum(1 for e in locais if e.date() == dia) >= politica.max_por_dia:
        return f"limite diário ({politica.max_por_dia}) atingido", amanha
    segunda = dia - timedelta(days=dia.weekday())
    if sum(1 for e in locais if segunda <= e.date() < segunda + timedelta(days=7)) >= politica.max_por_semana:
        return f"limite semanal ({politica.max_por_semana}) atingido", _inicio_do_dia(segunda + timedelta(days=7), zona)
    intervalo = timedelta(hours=politica.intervalo_minimo_horas)
    perto = [e for e in locais if abs(e - local) < intervalo]
    if perto:
        return f"intervalo mínimo de {politica.intervalo_minimo_horas} h desde o último contato", max(perto) + intervalo
    return None


def proximo_permitido(
    politica: Politica, uf: str, desde: datetime, envios: Sequence[datetime]
) -> tuple[datetime, str | None]:
    """The first instant ≥ `desde` at which a contact is allowed, and why `desde` itself was not (or None)."""
    zona = fuso(uf)
    instante = desde.astimezone(zona)
    primeiro: str | None = None
    limite = instante + timedelta(days=_LIMITE_DE_DIAS)
    while instante < limite:
        bloqueio = _motivo_no_dia(politica, uf, instante, envios)
        if bloqueio is None:
            return instante, primeiro
        primeiro = primeiro or bloqueio[0]
        instante = bloqueio[1].astimezone(zona)
    raise ValueError(f"nenhum horário permitido em {_LIMITE_DE_DIAS} dias para {uf}")


def decidir(
    politica: Politica,
    uf: str,
    agora: datetime,
    envios: Sequence[datetime],
    impedimento: Impedimento,
    prazo: datetime,
) -> Decisao:
    """Send now, defer (to when, and why), or drop (why). `prazo` is when the message stops making sense."""
    if impedimento.obsoleto:
        return Descartado(impedimento.obsoleto)
    if impedimento.pausa:
        quando, _ = proximo_permitido(politica, uf, agora + timedelta(days=1), envios)
        return _ou_descartado(Adiado(quando, impedimento.pausa), prazo)
    quando, motivo = proximo_permitido(politica, uf, agora, envios)
    if motivo is None:
        return Liberado()
    return _ou_descartado(Adiado(quando, motivo), prazo)


def _ou_descartado(adiado: Adiado, prazo: datetime) -> Decisao:
    if adiado.quando > prazo:
        return Descartado(f"{adiado.motivo}; vencido o prazo do lembrete")
    return adiado
