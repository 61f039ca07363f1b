"""An experiment's changes to the offer book: option order, concession step and discount caps, pure.

A variation only reorders, thins out or lowers what the configured book already allows, so every plan of a
varied book is within the configured (and so the legal) limits: it never grants a discount the book does not.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.negociacao.politica import Faixa, LivroOfertas, OpcaoAVista, OpcaoParcelado


class Ordem(StrEnum):
    PADRAO = "padrao"  # as the book lists them: best for the creditor first, concessions towards the generous end
    INVERSA = "inversa"  # the most generous option first ("biggest discount first")


class AjusteLivro(BaseModel):
    """`ofertas` of a variant: how it changes the offer book for its debtors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ordem: Ordem = Field(Ordem.PADRAO, description="padrao (a ordem do book) ou inversa (a mais generosa primeiro)")
    passo_concessao: int = Field(
        1, ge=1, le=10, description="Opções puladas a cada concessão (1: uma a uma; a última sempre fica)"
    )
    desconto_max_principal: Decimal | None = Field(
        None, ge=0, le=90, description="Teto do desconto sobre o principal, em % (nunca acima do book)"
    )
    desconto_max_juros: Decimal | None = Field(None, ge=0, le=100, description="Teto do desconto sobre os juros, em %")
    desconto_max_multa: Decimal | None = Field(None, ge=0, le=100, description="Teto do desconto sobre a multa, em %")


def _limitada(opcao: OpcaoAVista | OpcaoParcelado, ajuste: AjusteLivro) -> OpcaoAVista | OpcaoParcelado:
    tetos = {
        "desconto_principal": ajuste.desconto_max_principal,
        "desconto_juros": ajuste.desconto_max_juros,
        "desconto_multa": ajuste.desconto_max_multa,
    }
    mudancas = {campo: min(getattr(opcao, campo), teto) for campo, teto in tetos.items() if teto is not None}
    return opcao.model_copy(update=mudancas) if mudancas else opcao


def _faixa(faixa: Faixa, ajuste: AjusteLivro) -> Faixa:
    opcoes = [_limitada(o, ajuste) for o in faixa.opcoes]
    if ajuste.ordem is Ordem.INVERSA:
        opcoes.reverse()
    passo = ajuste.passo_concessao
    indices = sorted({*range(0, len(opcoes), passo), len(opcoes) - 1})  # the last option stays reachable
    return faixa.model_copy(update={"opcoes": [opcoes[i] for i in indices]})


def variar_livro(livro: LivroOfertas, ajuste: AjusteLivro) -> LivroOfertas:
    """The book a variant's debtors negotiate with: the same tiers, their options reordered, thinned and capped."""
    return livro.model_copy(update={"faixas": [_faixa(f, ajuste) for f in livro.faixas]})
