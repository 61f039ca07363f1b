"""Plans outside the offer book: build the plan an agent asks for and name the book's limits it exceeds.

Pure functions of (book, balance, request, today). The plan is built by the book's own machinery (a one-option
tier with the asked discount and parcel count), so its parcels, rounding and business-day due dates are the
ones the bot would produce.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bot.formatos import brl
from bot.negociacao.ofertas import desconto_maximo, escolher_faixa, montar_plano
from bot.negociacao.plano import Plano, PlanoImpossivel
from bot.negociacao.politica import Faixa, LivroOfertas, OpcaoAVista, OpcaoParcelado
from bot.negociacao.saldo import Saldo

DESCONTO_MAXIMO = Decimal(90)  # the same ceiling the book has on the principal
PARCELAS_MAXIMAS = 60
_CENTAVO = Decimal("0.01")


@dataclass(frozen=True)
class Pedido:
    """What the agent asks: the same discount (%) on principal, juros and multa, in `parcelas` (1 = à vista)."""

    desconto_percentual: Decimal
    parcelas: int


@dataclass(frozen=True)
class Excecao:
    plano: Plano
    limites: tuple[str, ...]  # the book's limits the plan exceeds (pt-BR); empty when the book already allows it


def avaliar_excecao(
    livro: LivroOfertas, saldo: Saldo, segmento: str | None, pedido: Pedido, hoje: date, uf: str | None
) -> Excecao:
    """The plan asked for and what it exceeds; raises PlanoImpossivel (pt-BR) for a request no plan can meet."""
    if not 0 <= pedido.desconto_percentual <= DESCONTO_MAXIMO:
        raise PlanoImpossivel(f"desconto de {pedido.desconto_percentual}%: informe de 0 a {DESCONTO_MAXIMO}%")
    if not 1 <= pedido.parcelas <= PARCELAS_MAXIMAS:
        raise PlanoImpossivel(f"{pedido.parcelas} parcelas: informe de 1 (à vista) a {PARCELAS_MAXIMAS}")
    faixa = escolher_faixa(livro, saldo, segmento)
    p = pedido.desconto_percentual
    opcao: OpcaoAVista | OpcaoParcelado
    if pedido.parcelas == 1:
        opcao = OpcaoAVista(tipo="a_vista", desconto_juros=p, desconto_multa=p, desconto_principal=p)
    else:
        opcao = OpcaoParcelado(
            tipo="parcelado",
            parcelas_max=pedido.parcelas,
            parcela_min=_CENTAVO,
            desconto_juros=p,
            desconto_multa=p,
            desconto_principal=p,
        )
    nome = faixa.nome if faixa is not None else "fora do book"
    unica = Faixa(nome=nome, opcoes=[opcao])
    plano = montar_plano(unica, 0, saldo, hoje, uf, livro, None if pedido.parcelas == 1 else pedido.parcelas)
    # Past the tier's last option: the bot then has no further concession to make from the book.
    plano = replace(plano, opcao=len(faixa.opcoes) if faixa is not None else 0)
    return Excecao(plano, excedidos(faixa, saldo, plano))


def excedidos(faixa: Faixa | None, saldo: Saldo, plano: Plano) -> tuple[str, ...]:
    """Each limit of the debtor's tier the plan goes past, said so a gestor can decide."""
    if faixa is None:
        return ("nenhuma faixa do book cobre este saldo",)
    limites = []
    maximo = desconto_maximo(faixa, saldo)
    if plano.desconto > maximo:
        limites.append(f"desconto de {brl(plano.desconto)} acima do máximo da faixa “{faixa.nome}” ({brl(maximo)})")
    parceladas = [o for o in faixa.opcoes if isinstance(o, OpcaoParcelado)]
    parcelas_max = max((o.parcelas_max for o in parceladas), default=1)
    if plano.quantidade > parcelas_max:
        limites.append(f"{plano.quantidade} parcelas, acima do máximo de {parcelas_max} da faixa “{faixa.nome}”")
    elif parceladas and plano.quantidade > 1:
        minimo = min(o.parcela_min for o in parceladas)
        menor = min(parcela.valor for parcela in plano.parcelas)
        if menor < minimo:
            limites.append(f"parcela de {brl(menor)}, abaixo do mínimo de {brl(minimo)} da faixa “{faixa.nome}”")
    return tuple(limites)
