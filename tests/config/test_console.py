"""`[console]` in config.toml: bad values are reported by `check` with file, key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.erros import ConfigInvalida
from bot.projeto import carregar_projeto
from tests.apoio.copia_projeto import trocar


def test_console_invalido_aparece_no_check(copia: Path) -> None:
    config = copia / "config.toml"
    trocar(config, "alerta_minutos = 30", "alerta_minutos = 0")
    trocar(config, 'modelo_whatsapp = "retomar_conversa"', 'modelo_whatsapp = "Retomar Conversa"')
    trocar(config, 'parametros_whatsapp = ["primeiro_nome", "atendente"]', 'parametros_whatsapp = ["valor"]')
    with pytest.raises(ConfigInvalida) as excecao:
        carregar_projeto(config)
    texto = "\n".join(str(e) for e in excecao.value.erros)
    assert "console.alerta_minutos" in texto and "console.modelo_whatsapp" in texto
    assert "console.parametros_whatsapp" in texto and "variáveis desconhecidas: valor" in texto
    assert str(config) in texto


def test_console_padrao_sem_secao(copia: Path) -> None:
    config = copia / "config.toml"
    texto = config.read_text(encoding="utf-8")
    inicio, fim = texto.index("[console]"), texto.index("# Régua de cobrança")
    config.write_text(texto[:inicio] + texto[fim:], encoding="utf-8")
    assert carregar_projeto(config).config.console.alerta_minutos == 30


def test_respostas_prontas_invalidas_aparecem_no_check(copia: Path) -> None:
    config = copia / "config.toml"
    trocar(
        config, '"Saldo de hoje" = "Hoje o valor em aberto é de {{ saldo }}.', '"Saldo de hoje" = "Hoje: {{ totall }}.'
    )
    trocar(config, '"Pedir comprovante" = "Pode', '"Pedir comprovante" = "{% if %}Pode')
    with pytest.raises(ConfigInvalida) as excecao:
        carregar_projeto(config)
    texto = "\n".join(str(e) for e in excecao.value.erros)
    assert "console.respostas_prontas" in texto
    assert "“Saldo de hoje”: variáveis desconhecidas: totall; use: atendente, credor, primeiro_nome, saldo" in texto
    assert "“Pedir comprovante”: erro de sintaxe na linha 1 do texto" in texto
