"""The outbox: every reminder the régua decided to send, one row per (what, step, channel).

The unique key makes planning idempotent (planning a day twice enqueues nothing new) and is handed to the
provider as `Envio.chave`, so a send interrupted by a crash can be looked up instead of repeated.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante, uma_de
from bot.dados.tipos import InstanteUTC, Json


class SituacaoSaida(StrEnum):
    PENDENTE = "pendente"  # waiting for `proxima_tentativa`
    ENVIANDO = "enviando"  # claimed by a dispatcher; not yet confirmed
    ENVIADA = "enviada"  # the provider accepted it (`id_provedor`)
    FALHOU = "falhou"  # permanent error, or out of attempts (`motivo`)
    DESCARTADA = "descartada"  # obsolete: paid, opt-out, too late (`motivo`)
    INCERTA = "incerta"  # interrupted and the provider cannot say whether it went: a person decides


class NovaSaida(TypedDict):
    """An outbox row as it is enqueued (`bot.dados.fila.inserir`): the columns of `Saida` its producers set."""

    alvo: str
    passo: str
    canal: str
    devedor_id: int
    destino: str
    texto: str
    modelo: str | None
    parametros: list[str]
    usar_modelo: bool
    canais_restantes: list[str]
    situacao: str
    tentativas: int
    proxima_tentativa: datetime
    prazo: datetime
    motivo: NotRequired[str | None]
    dados: dict[str, Any]  # JSON column: the step's variables, the document or payment it is about
    variante: NotRequired[str | None]


class MudancaSaida(TypedDict, total=False):
    """The columns a dispatcher or a reconciliation writes when it moves an outbox row on."""

    situacao: str
    motivo: str | None
    id_provedor: str
    enviada_em: datetime | None
    usar_modelo: bool
    proxima_tentativa: datetime
    tentativas: int


class Saida(SQLModel, table=True):
    __tablename__ = "saida"
    __table_args__ = (
        UniqueConstraint("alvo", "passo", "canal"),
        uma_de("situacao", SituacaoSaida),
        Index("ix_saida_fila", "situacao", "proxima_tentativa"),
        Index("ix_saida_contatos", "devedor_id", "enviada_em"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alvo: str  # "parcela:12", "acordo:7" (agreement installment), "quebra:3" (broken agreement)
    passo: str
    canal: str
    devedor_id: int = Field(foreign_key="devedor.id")
    destino: str
    texto: str
    modelo: str | None = None
    parametros: list[str] = Field(default_factory=list, sa_type=Json)
    usar_modelo: bool = False  # forced after a WhatsApp 131047 (window closed)
    canais_restantes: list[str] = Field(default_factory=list, sa_type=Json)  # fallback order
    situacao: str = Field(default=SituacaoSaida.PENDENTE.value)
    tentativas: int = 0
    proxima_tentativa: datetime = Field(sa_type=InstanteUTC)
    prazo: datetime = Field(sa_type=InstanteUTC)
    reservada_em: datetime | None = coluna_instante(nulo=True)
    enviada_em: datetime | None = coluna_instante(nulo=True)
    id_provedor: str | None = Field(default=None, index=True)
    motivo: str | None = None
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    criada_em: datetime = coluna_instante()
    # The experiments' variants this reminder carries ("experimento:variante", comma-separated): what was sent.
    variante: str | None = None

    @property
    def chave(self) -> str:
        return f"{self.alvo}|{self.passo}|{self.canal}"
