"""When the team answers: business hours of the debtor's UF, weekends and holidays, and the hand-off notice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.erros import ConfigInvalida
from bot.conversa.expediente import quando_em_palavras, retorno_da_equipe
from bot.conversa.fatos import Transferir
from bot.projeto import Projeto, carregar_projeto
from tests.apoio.dialogo import Dialogo, fatos_maria
from tests.apoio.relogio import AGORA


@pytest.mark.parametrize(
    ("instante", "uf", "esperado"),
    [
        ("2026-11-23T14:00Z", "SP", "agora"),  # Monday 11h in São Paulo
        ("2026-11-23T09:30Z", "SP", "hoje, às 9h"),  # Monday 6h30
        ("2026-11-24T23:00Z", "SP", "amanhã, às 9h"),  # Tuesday 20h (SP works until 19h here)
        ("2026-11-28T13:00Z", "SP", "segunda, às 9h"),  # Saturday
        ("2026-11-27T22:30Z", "SP", "segunda, às 9h"),  # Friday 19h30
        ("2026-12-23T23:00Z", "SP", "segunda, às 9h"),  # 24 Dec (optional), Christmas, then the weekend
        ("2026-11-27T21:30Z", "AM", "agora"),  # Friday 17h30 in Manaus
        ("2026-11-27T22:30Z", "AM", "segunda, às 9h"),  # Friday 18h30 in Manaus
        ("2026-11-20T13:00Z", "SP", "segunda, às 9h"),  # Consciência Negra (national holiday), a Friday
        ("2026-12-31T22:00Z", "RJ", "segunda, às 9h"),  # 31 Dec 19h, then New Year's day and the weekend
    ],
)
def test_retorno_da_equipe(projeto: Projeto, instante: str, uf: str, esperado: str) -> None:
    agora = datetime.fromisoformat(instante).astimezone(UTC)
    assert retorno_da_equipe(projeto.config.regua.politica, uf, agora) == esperado


def test_mais_de_uma_semana_diz_a_data_e_os_minutos() -> None:
    agora = datetime(2026, 11, 23, 14, tzinfo=UTC)
    assert quando_em_palavras(datetime(2026, 12, 2, 12, 30, tzinfo=UTC), agora, "SP") == "02/12, às 9h30"


def _pedir_pessoa(dialogo: Dialogo) -> str:
    for texto in ("oi", "sim", "390"):
        dialogo.diz(texto)
    return dialogo.texto("quero falar com um atendente")


def test_transferencia_fora_do_horario_diz_quando_a_equipe_responde(projeto: Projeto) -> None:
    sabado = datetime(2026, 11, 28, 13, tzinfo=UTC)
    dialogo = Dialogo(projeto.motor, fatos_maria(), agora=sabado)
    texto = _pedir_pessoa(dialogo)
    assert any(isinstance(e, Transferir) for e in dialogo.efeitos)
    assert "Nossa equipe responde a partir de segunda, às 9h" in texto


def test_transferencia_no_horario_nao_avisa(projeto: Projeto) -> None:
    dialogo = Dialogo(projeto.motor, fatos_maria(), agora=AGORA)
    assert "fora do horário" not in _pedir_pessoa(dialogo)


def test_bloqueio_de_identidade_fora_do_horario_tambem_avisa(projeto: Projeto) -> None:
    dialogo = Dialogo(projeto.motor, fatos_maria(), agora=datetime(2026, 11, 29, 1, tzinfo=UTC))  # Saturday 22h
    for texto in ("oi", "sim", "111", "222"):
        dialogo.diz(texto)
    texto = dialogo.texto("333")
    assert "segunda, às 9h" in texto and "150" not in texto


def test_check_exige_a_mensagem_e_sem_valores(copia: Path) -> None:
    (copia / "mensagens" / "fora_do_horario.j2").unlink()
    with pytest.raises(ConfigInvalida) as excecao:
        carregar_projeto(copia / "config.toml")
    assert any("fora_do_horario.j2" in str(e) and "obrigatória" in str(e) for e in excecao.value.erros)
    (copia / "mensagens" / "fora_do_horario.j2").write_text("Volte {{ retorno_equipe }}: {{ saldo.total }}\n")
    with pytest.raises(ConfigInvalida) as excecao:
        carregar_projeto(copia / "config.toml")
    assert any("fora_do_horario.j2" in str(e) and "saldo" in str(e) for e in excecao.value.erros)
