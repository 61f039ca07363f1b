"""The PSP port: who issues a charge (boleto + PIX) for a document, and the typed errors it may raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class PedidoCobranca:
    """One charge to issue; `chave` is our idempotency key (sent as the PSP's external reference)."""

    chave: str
    nosso_numero: str  # up to 10 digits: the embedded provider builds the boleto from it
    valor: Decimal
    vencimento: date
    descricao: str
    devedor_nome: str
    devedor_cpf: str
    uf: str
    parcelas: int = 1  # more than 1: one installment charge at the PSP, `valor` per installment


@dataclass(frozen=True)
class CobrancaEmitida:
    """What the debtor pays with: the PSP's charge id and the codes it generated."""

    id_externo: str
    linha_digitavel: str
    codigo_barras: str
    pix: str
    dados: dict[str, Any] = field(default_factory=dict)  # the provider's raw answer, kept for agents


class ErroProvedor(Exception):
    """The PSP could not issue the charge; `motivo` is a short pt-BR text for the agents' event."""

    def __init__(self, motivo: str, detalhes: dict[str, Any] | None = None) -> None:
        super().__init__(motivo)
        self.motivo = motivo
        self.detalhes = detalhes or {}


class ProvedorIndisponivel(ErroProvedor):
    """Timeout, connection refused or a 5xx: retrying later may work (the key keeps it single)."""


class ProvedorRecusou(ErroProvedor):
    """A 4xx: the request (or our credentials) is wrong; retrying the same request will not help."""

    def __init__(self, status: int, erros: list[dict[str, str]]) -> None:
        descricao = "; ".join(f"{e.get('code', '?')}: {e.get('description', '')}" for e in erros) or "sem detalhes"
        super().__init__(
            f"o provedor recusou a cobrança (HTTP {status}): {descricao}", {"status": status, "erros": erros}
        )
        self.status = status
        self.erros = erros


class Provedor(Protocol):
    """Issues charges; calling `emitir` twice with the same `chave` yields the same charge."""

    @property
    def nome(self) -> str: ...

    async def emitir(self, pedido: PedidoCobranca) -> CobrancaEmitida: ...
