"""The contact policy, pure: each rule, the next allowed moment, drop vs defer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config.regua import Politica
from bot.regua.politica_contato import Adiado, Descartado, Impedimento, Liberado, decidir, proximo_permitido

SP = ZoneInfo("America/Sao_Paulo")
MANAUS = ZoneInfo("America/Manaus")
POLITICA = Politica()
LONGE = datetime(2030, 1, 1, tzinfo=SP)


def _sp(dia: int, mes: int, hora: int, minuto: int = 0) -> datetime:
    return datetime(2026, mes, dia, hora, minuto, tzinfo=SP)


@pytest.mark.parametrize(
    ("uf", "desde", "envios", "quando", "motivo"),
    [
        ("SP", _sp(23, 11, 10), [], _sp(23, 11, 10), None),
        ("SP", _sp(23, 11, 8), [], _sp(23, 11, 9), "fora do horário (9h–18h, America/Sao_Paulo)"),
        ("SP", _sp(23, 11, 18), [], _sp(24, 11, 9), "fora do horário (9h–18h, America/Sao_Paulo)"),
        ("SP", _sp(28, 11, 10), [], _sp(30, 11, 9), "fim de semana (sábado)"),
        ("SP", _sp(25, 12, 10), [], _sp(28, 12, 9), "feriado: Natal"),
        ("SP", _sp(16, 2, 10), [], _sp(19, 2, 9), "feriado: Carnaval"),  # Carnaval Mon/Tue, then Ash Wednesday
        ("SP", _sp(9, 7, 10), [], _sp(10, 7, 9), "feriado: Revolução Constitucionalista"),
        ("SP", _sp(23, 11, 10), [_sp(23, 11, 9)], _sp(24, 11, 9), "limite diário (1) atingido"),
        ("SP", _sp(26, 11, 10), [_sp(23, 11, 9), _sp(24, 11, 9), _sp(25, 11, 9)], _sp(30, 11, 9),
         "limite semanal (3) atingido"),
        ("AM", _sp(23, 11, 9), [], datetime(2026, 11, 23, 9, tzinfo=MANAUS),
         "fora do horário (9h–18h, America/Manaus)"),  # 9h in São Paulo is 8h in Manaus
    ],
)  # fmt: skip
def test_proximo_momento_permitido(
    uf: str, desde: datetime, envios: list[datetime], quando: datetime, motivo: str | None
) -> None:
    assert proximo_permitido(POLITICA, uf, desde, envios) == (quando, motivo)


def test_intervalo_minimo_entre_contatos() -> None:
    politica = Politica(max_por_dia=3)
    quando, motivo = proximo_permitido(politica, "SP", _sp(23, 11, 10), [_sp(23, 11, 9)])
    assert quando == _sp(23, 11, 13)
    assert motivo == "intervalo mínimo de 4 h desde o último contato"


def test_horario_por_uf() -> None:
    politica = Politica.model_validate({"horario_uf": {"SP": {"inicio": 8, "fim": 20}}})
    assert proximo_permitido(politica, "SP", _sp(23, 11, 19), []) == (_sp(23, 11, 19), None)
    assert proximo_permitido(politica, "RJ", _sp(23, 11, 19), [])[0] == _sp(24, 11, 9)


def test_horario_uf_alem_da_lei_recusado() -> None:
    with pytest.raises(ValueError, match=r"RJ: 9h–20h além do que a lei permite \(9h–19h\)"):
        Politica.model_validate({"horario_uf": {"RJ": {"inicio": 9, "fim": 20}}})


@pytest.mark.parametrize(
    ("impedimento", "agora", "prazo", "esperado"),
    [
        (Impedimento(), _sp(23, 11, 10), LONGE, Liberado()),
        (Impedimento(obsoleto="opt-out em 20/11"), _sp(23, 11, 10), LONGE, Descartado("opt-out em 20/11")),
        (Impedimento(pausa="pausa: disputa"), _sp(23, 11, 10), LONGE, Adiado(_sp(24, 11, 10), "pausa: disputa")),
        (Impedimento(), _sp(28, 11, 10), _sp(29, 11, 0),
         Descartado("fim de semana (sábado); vencido o prazo do lembrete")),
    ],
)  # fmt: skip
def test_decidir(impedimento: Impedimento, agora: datetime, prazo: datetime, esperado: object) -> None:
    decisao = decidir(POLITICA, "SP", agora, [], impedimento, prazo)
    if isinstance(decisao, Adiado):
        decisao = Adiado(decisao.quando.astimezone(SP), decisao.motivo)
    assert decisao == esperado


def test_sempre_ha_um_proximo_momento() -> None:
    envios = [_sp(23, 11, 9) + timedelta(days=d) for d in range(30)]
    quando, _ = proximo_permitido(POLITICA, "SP", _sp(23, 11, 9), envios)
    assert quando.weekday() < 5 and quando > envios[-1]
