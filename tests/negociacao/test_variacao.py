"""An experiment's offer book: reordered, thinned and capped, never beyond what the configured book allows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.negociacao.ofertas import desconto_maximo, escolher_faixa, montar_plano
from bot.negociacao.plano import PlanoImpossivel
from bot.negociacao.saldo import ParcelaAberta, Saldo, calcular_saldo
from bot.negociacao.variacao import AjusteLivro, Ordem, variar_livro
from tests.apoio.projetos import projeto_padrao

HOJE = date(2026, 11, 23)


def _saldo(dias_atraso: int, valor: str = "1000.00") -> Saldo:
    config = projeto_padrao().config
    vencimento = date.fromordinal(HOJE.toordinal() - dias_atraso)
    return calcular_saldo((ParcelaAberta(1, "C-1", 1, Decimal(valor), vencimento, ""),), config.encargos, HOJE, "SP")


def test_ordem_inversa_poe_a_mais_generosa_primeiro() -> None:
    livro = projeto_padrao().config.ofertas
    inverso = variar_livro(livro, AjusteLivro(ordem=Ordem.INVERSA))
    for original, variada in zip(livro.faixas, inverso.faixas, strict=True):
        assert variada.nome == original.nome
        assert variada.opcoes == list(reversed(original.opcoes))
    assert variar_livro(livro, AjusteLivro()) == livro  # the default changes nothing


def test_passo_de_concessao_pula_opcoes_e_mantem_a_ultima() -> None:
    livro = projeto_padrao().config.ofertas
    antigo = next(f for f in livro.faixas if f.nome == "antigo")
    assert len(antigo.opcoes) == 3
    variada = next(f for f in variar_livro(livro, AjusteLivro(passo_concessao=2)).faixas if f.nome == "antigo")
    assert variada.opcoes == [antigo.opcoes[0], antigo.opcoes[2]]
    grande = next(f for f in variar_livro(livro, AjusteLivro(passo_concessao=10)).faixas if f.nome == "antigo")
    assert grande.opcoes == [antigo.opcoes[0], antigo.opcoes[2]]  # first and last: the range stays reachable


@pytest.mark.parametrize("teto", ["0", "5", "20", "90"])
def test_tetos_nunca_passam_do_book_configurado(teto: str) -> None:
    livro = projeto_padrao().config.ofertas
    ajuste = AjusteLivro(ordem=Ordem.INVERSA, desconto_max_principal=Decimal(teto), desconto_max_juros=Decimal(teto))
    variado = variar_livro(livro, ajuste)
    for dias in (10, 60, 400):
        saldo = _saldo(dias)
        configurada = escolher_faixa(livro, saldo, None)
        faixa = escolher_faixa(variado, saldo, None)
        assert configurada is not None and faixa is not None
        assert desconto_maximo(faixa, saldo) <= desconto_maximo(configurada, saldo)
        for opcao in faixa.opcoes:
            assert opcao.desconto_principal <= min(Decimal(teto), max(o.desconto_principal for o in configurada.opcoes))
            assert opcao.desconto_juros <= Decimal(teto)
        for indice in range(len(faixa.opcoes)):
            try:
                plano = montar_plano(faixa, indice, saldo, HOJE, "SP", variado)
            except PlanoImpossivel:
                continue
            assert plano.desconto <= desconto_maximo(configurada, saldo)


def test_ajuste_invalido_recusado_com_o_campo() -> None:
    with pytest.raises(ValidationError) as erro:
        AjusteLivro.model_validate({"ordem": "aleatoria", "passo_concessao": 0, "desconto_max_principal": 95})
    campos = {str(e["loc"][0]) for e in erro.value.errors()}
    assert campos == {"ordem", "passo_concessao", "desconto_max_principal"}
