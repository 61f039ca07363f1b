"""A payment plan as a value: its parcels, totals and the JSON form kept in the conversation memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypedDict

from bot.negociacao.saldo import ZERO

Tipo = Literal["a_vista", "parcelado"]
_TIPOS: tuple[Tipo, ...] = ("a_vista", "parcelado")


class PlanoImpossivel(ValueError):
    """The plan asked for would leave its tier; the message (pt-BR) can be shown to the debtor."""


class ParcelaDict(TypedDict):
    numero: int
    valor: str
    vencimento: str


class PlanoDict(TypedDict):
    faixa: str
    opcao: int
    tipo: Tipo
    valor_original: str
    desconto: str
    valor_negociado: str
    juros_mensal_percentual: str
    parcelas: list[ParcelaDict]


@dataclass(frozen=True)
class ParcelaPlano:
    numero: int
    valor: Decimal
    vencimento: date


@dataclass(frozen=True)
class Plano:
    """A payment plan: `opcao` is the 0-based index of the option in the tier's `opcoes`."""

    faixa: str
    opcao: int
    tipo: Tipo
    valor_original: Decimal
    desconto: Decimal
    valor_negociado: Decimal
    juros_mensal_percentual: Decimal
    parcelas: tuple[ParcelaPlano, ...]

    @property
    def total(self) -> Decimal:
        return sum((parcela.valor for parcela in self.parcelas), ZERO)

    @property
    def entrada(self) -> ParcelaPlano:
        return self.parcelas[0]

    @property
    def quantidade(self) -> int:
        return len(self.parcelas)

    @property
    def depois_da_entrada(self) -> tuple[tuple[int, Decimal], ...]:
        """The parcels after the entry as runs of equal values, in order: ((4, 52.09), (1, 52.11)).

        What a message must say to state the terms exactly (CDC art. 52): the runs add up to the total.
        """
        grupos: list[tuple[int, Decimal]] = []
        for parcela in self.parcelas[1:]:
            if grupos and grupos[-1][1] == parcela.valor:
                grupos[-1] = (grupos[-1][0] + 1, parcela.valor)
            else:
                grupos.append((1, parcela.valor))
        return tuple(grupos)

    @property
    def parcela_regular(self) -> Decimal:
        """The largest monthly parcel after the entry (the single parcel when paid at once)."""
        return max(parcela.valor for parcela in self.parcelas[1:] or self.parcelas)

    def para_dict(self) -> PlanoDict:
        """JSON-friendly form for the conversation memory: Decimals as strings, dates ISO."""
        return {
            "faixa": self.faixa,
            "opcao": self.opcao,
            "tipo": self.tipo,
            "valor_original": str(self.valor_original),
            "desconto": str(self.desconto),
            "valor_negociado": str(self.valor_negociado),
            "juros_mensal_percentual": str(self.juros_mensal_percentual),
            "parcelas": [
                {"numero": p.numero, "valor": str(p.valor), "vencimento": p.vencimento.isoformat()}
                for p in self.parcelas
            ],
        }

    @classmethod
    def de_dict(cls, dados: Mapping[str, Any]) -> Plano:
        """Read back `para_dict()`; raises ValueError naming what is wrong."""
        try:
            tipo = dados["tipo"]
            if tipo not in _TIPOS:
                raise ValueError(f"tipo {tipo!r} (esperado a_vista ou parcelado)")
            parcelas = tuple(
                ParcelaPlano(int(p["numero"]), decimal_de_texto(p["valor"]), date.fromisoformat(p["vencimento"]))
                for p in dados["parcelas"]
            )
            if not parcelas:
                raise ValueError("plano sem parcelas")
            return cls(
                faixa=str(dados["faixa"]),
                opcao=int(dados["opcao"]),
                tipo=tipo,
                valor_original=decimal_de_texto(dados["valor_original"]),
                desconto=decimal_de_texto(dados["desconto"]),
                valor_negociado=decimal_de_texto(dados["valor_negociado"]),
                juros_mensal_percentual=decimal_de_texto(dados["juros_mensal_percentual"]),
                parcelas=parcelas,
            )
        except KeyError as erro:
            raise ValueError(f"plano inválido: falta a chave {erro}") from erro
        except (TypeError, ValueError) as erro:
            raise ValueError(f"plano inválido: {erro}") from erro


def decimal_de_texto(valor: object) -> Decimal:
    """An amount as stored in JSON (`"123.45"`); raises TypeError or ValueError naming the value."""
    # Strings only: a float that slipped into the memory would carry binary noise into money.
    if not isinstance(valor, str):
        raise TypeError(f"valor {valor!r} (esperado texto como '123.45')")
    try:
        return Decimal(valor)
    except InvalidOperation as erro:
        raise ValueError(f"valor {valor!r} não é um número") from erro
