"""Canned replies: filled with the conversation's values, held back where they would reveal the debt too early."""

from __future__ import annotations

from bot.config.prontas import Pronta, preencher, problema

RESPOSTAS = {
    "Oi": "Olá, {{ primeiro_nome }}! Aqui é {{ atendente }}, da {{ credor }}.",
    "Parcela": "A próxima parcela é de {{ valor }}, vence em {{ vencimento }}.",
}
VALORES = {
    "primeiro_nome": "Maria",
    "atendente": "Ana Atendente",
    "credor": "Loja Exemplo",
    "saldo": "R$\xa0310,50",
    "valor": "R$\xa0150,00",
    "vencimento": "10/12/2026",
}


def test_preenche_com_os_valores_da_conversa() -> None:
    assert preencher(RESPOSTAS, VALORES, identidade_ok=True) == [
        Pronta("Oi", "Olá, Maria! Aqui é Ana Atendente, da Loja Exemplo.", ""),
        Pronta("Parcela", "A próxima parcela é de R$\xa0150,00, vence em 10/12/2026.", ""),
    ]


def test_valores_da_divida_so_depois_da_identidade() -> None:
    prontas = preencher(RESPOSTAS, VALORES, identidade_ok=False)
    assert prontas[0].texto.startswith("Olá, Maria!")
    assert prontas[1] == Pronta("Parcela", "", "depois da identidade confirmada")


def test_sem_parcela_em_aberto_nao_preenche_vazio() -> None:
    prontas = preencher(RESPOSTAS, VALORES | {"valor": "", "vencimento": ""}, identidade_ok=True)
    assert prontas[1] == Pronta("Parcela", "", "sem parcela em aberto")


def test_problemas_de_um_texto() -> None:
    assert problema("Oi {{ primeiro_nome }}") is None
    assert problema("{{ cpf }}") == (
        "variáveis desconhecidas: cpf; use: atendente, credor, primeiro_nome, saldo, valor, vencimento"
    )
    assert (problema("linha 1\n{{ valor") or "").startswith("erro de sintaxe na linha 2 do texto: ")
