"""Why a contact was allowed: told from the same contact policy the régua obeys, at the contact's instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config.regua import Politica
from bot.resultados.justificativa import justificar

POLITICA = Politica()  # Mon–Fri 9h–18h, 1 a day, 3 a week, 4 h apart
SEGUNDA_11H_SP = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_dentro_da_politica_com_os_limites_contados() -> None:
    quinta = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    texto = justificar(POLITICA, "SP", quinta, [SEGUNDA_11H_SP, quinta + timedelta(days=1)], None)
    assert texto == (
        "quinta-feira 26/11/2026 11:00 (America/Sao_Paulo): dia útil sem feriado, dentro do horário 9h–18h; "
        "1º contato do dia (limite 1), 2º da semana (limite 3)"
    )


def test_no_fuso_do_devedor() -> None:
    # 14:00 UTC is 10:00 in Manaus: inside the window there, judged there.
    assert justificar(POLITICA, "AM", SEGUNDA_11H_SP, [], None).startswith(
        "segunda-feira 23/11/2026 10:00 (America/Manaus): dia útil"
    )


def test_contato_fora_da_politica_e_dito_como_tal() -> None:
    domingo = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
    assert justificar(POLITICA, "SP", domingo, [], None).endswith(
        "fora da política de contato (fim de semana (domingo))"
    )
    noite = SEGUNDA_11H_SP + timedelta(hours=9)  # 20:00 in São Paulo
    assert "fora da política de contato (fora do horário (9h–18h, America/Sao_Paulo))" in justificar(
        POLITICA, "SP", noite, [], None
    )
    segundo = justificar(POLITICA, "SP", SEGUNDA_11H_SP + timedelta(hours=5), [SEGUNDA_11H_SP], None)
    assert segundo.endswith("fora da política de contato (limite diário (1) atingido)")
    feriado = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # Consciência Negra, national since 2024
    assert "fora da política de contato (feriado: " in justificar(POLITICA, "SP", feriado, [], None)


def test_resposta_ao_devedor_na_janela_de_24_h() -> None:
    domingo = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # the debtor wrote on a Sunday night: the bot answers
    escreveu = domingo - timedelta(minutes=1)
    assert justificar(POLITICA, "SP", domingo, [], escreveu) == (
        "domingo 22/11/2026 20:00 (America/Sao_Paulo): resposta ao devedor, que escreveu em 22/11/2026 19:59"
    )
    dias_depois = domingo + timedelta(days=2)  # more than 24 h later it is a new contact again
    assert "resposta ao devedor" not in justificar(POLITICA, "SP", dias_depois, [], escreveu)
