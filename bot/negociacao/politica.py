"""The manager's negotiation policy: late charges and the offer book (livro de ofertas), validated at load.

Percentages are `Decimal` percents: `2` means 2 %.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MULTA_MAXIMA = Decimal(2)  # CDC art. 52 §1


class _Politica(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Encargos(_Politica):
    """Late charges on an overdue installment (domain.md §2)."""

    multa_percentual: Decimal = Field(
        Decimal(2),
        ge=0,
        description="Multa por atraso, em % do valor da parcela; no máximo 2% (CDC art. 52 §1)",
        json_schema_extra={"maximum": 2},
    )
    juros_mensal_percentual: Decimal = Field(
        Decimal(1),
        ge=0,
        le=10,
        description="Juros de mora ao mês, em %, simples e pro rata die (30 dias por mês)",
    )
    correcao_mensal_percentual: Decimal = Field(
        Decimal(0),
        ge=0,
        le=5,
        description="Correção monetária ao mês, em %, pro rata die (30 dias por mês)",
    )

    @field_validator("multa_percentual")
    @classmethod
    def _multa_legal(cls, valor: Decimal) -> Decimal:
        # A custom check rather than `le=2` so the manager reads the law, not just a bound.
        if valor > MULTA_MAXIMA:
            raise ValueError("multa acima de 2% é proibida (CDC art. 52 §1)")
        return valor


class _Descontos(_Politica):
    """Discounts an option grants on each part of the balance; correção is never discounted."""

    rotulo: str | None = Field(None, description="Nome da opção mostrado ao devedor (ex.: 'À vista com 50% off')")
    desconto_juros: Decimal = Field(Decimal(0), ge=0, le=100, description="Desconto sobre os juros, em %")
    desconto_multa: Decimal = Field(Decimal(0), ge=0, le=100, description="Desconto sobre a multa, em %")
    desconto_principal: Decimal = Field(
        Decimal(0), ge=0, le=90, description="Desconto sobre o valor original das parcelas, em % (até 90%)"
    )


class OpcaoAVista(_Descontos):
    """Pay the whole negotiated value at once."""

    tipo: Literal["a_vista"] = Field(description="Pagamento em parcela única")


class OpcaoParcelado(_Descontos):
    """An entry followed by equal monthly installments (Price table when there is interest)."""

    tipo: Literal["parcelado"] = Field(description="Entrada mais parcelas mensais")
    parcelas_max: int = Field(ge=2, le=60, description="Número máximo de parcelas, contando a entrada")
    entrada_min_percentual: Decimal = Field(
        Decimal(0),
        ge=0,
        lt=100,
        description="Entrada mínima, em % do valor negociado (menor que 100%, senão não há parcelamento)",
    )
    parcela_min: Decimal = Field(Decimal(50), gt=0, description="Valor mínimo de cada parcela, em reais")
    juros_mensal_percentual: Decimal = Field(
        Decimal(0),
        ge=0,
        le=10,
        description="Juros do parcelamento ao mês, em % (tabela Price); 0 = sem juros",
    )


Opcao = Annotated[OpcaoAVista | OpcaoParcelado, Field(discriminator="tipo")]


class Faixa(_Politica):
    """A tier of the offer book: the balances it covers and its options, best for the creditor first."""

    nome: str = Field(min_length=1, description="Nome da faixa (único no livro de ofertas)")
    dias_atraso_min: int = Field(0, ge=0, description="Menor atraso coberto, em dias (inclusive)")
    dias_atraso_max: int | None = Field(None, ge=0, description="Maior atraso coberto, em dias (inclusive)")
    valor_min: Decimal = Field(Decimal(0), ge=0, description="Menor saldo coberto, em reais (inclusive)")
    valor_max: Decimal | None = Field(None, ge=0, description="Maior saldo coberto, em reais (inclusive)")
    segmento: str | None = Field(None, description="Segmento de clientes da faixa; vazio = todos")
    opcoes: list[Opcao] = Field(min_length=1, description="Opções oferecidas, da melhor para o credor à mais generosa")

    @model_validator(mode="after")
    def _intervalos(self) -> Faixa:
        erros = []
        if self.dias_atraso_max is not None and self.dias_atraso_min > self.dias_atraso_max:
            erros.append(f"dias_atraso_min ({self.dias_atraso_min}) maior que dias_atraso_max ({self.dias_atraso_max})")
        if self.valor_max is not None and self.valor_min > self.valor_max:
            erros.append(f"valor_min ({self.valor_min}) maior que valor_max ({self.valor_max})")
        if erros:
            raise ValueError("; ".join(erros))
        return self


class LivroOfertas(_Politica):
    """The offer book: tiers tried in order, the first that matches the balance wins."""

    dias_para_pagamento: int = Field(
        2, ge=0, le=30, description="Dias entre hoje e o primeiro vencimento proposto pelo bot"
    )
    prazo_max_dias: int = Field(
        10,
        ge=0,
        description="Maior prazo, em dias a partir de hoje, que o devedor pode pedir para o 1º vencimento",
    )
    faixas: list[Faixa] = Field(min_length=1, description="Faixas, na ordem em que são testadas")

    @model_validator(mode="after")
    def _coerente(self) -> LivroOfertas:
        erros = []
        if self.prazo_max_dias < self.dias_para_pagamento:
            erros.append(
                f"prazo_max_dias ({self.prazo_max_dias}) menor que dias_para_pagamento ({self.dias_para_pagamento})"
            )
        nomes = [faixa.nome for faixa in self.faixas]
        repetidos = sorted({nome for nome in nomes if nomes.count(nome) > 1})
        if repetidos:
            erros.append(f"nomes de faixa repetidos: {', '.join(repetidos)} (o plano guarda a faixa pelo nome)")
        if erros:
            raise ValueError("; ".join(erros))
        return self
