"""Tables of the company's integration: API tokens, outbound events (the outbox) and their deliveries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint, event, insert
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import Field, SQLModel

from bot.config.integracoes import TipoEventoSaida
from bot.dados.modelos import Evento, MotivoTransferencia, coluna_instante, uma_de
from bot.dados.tipos import Json


class TokenApi(SQLModel, table=True):
    """A client of `/api/v1`. Only the SHA-256 of the token is stored: the token is 256 random bits, so a hash
    is enough (no slow hash needed) and a leaked table opens nothing."""

    __tablename__ = "token_api"

    id: int | None = Field(default=None, primary_key=True)
    nome: str = Field(unique=True, max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    escopos: list[str] = Field(default_factory=list, sa_type=Json)
    criado_em: datetime = coluna_instante()
    revogado_em: datetime | None = coluna_instante(nulo=True)


class EventoSaida(SQLModel, table=True):
    """A fact the company's systems hear about, written in the transaction that records the fact."""

    __tablename__ = "evento_saida"
    __table_args__ = (UniqueConstraint("evento", "chave"),)

    id: int | None = Field(default=None, primary_key=True)
    evento: str
    chave: str
    devedor_id: int | None = Field(default=None, foreign_key="devedor.id", index=True)
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    distribuido: bool = Field(default=False, index=True)  # deliveries created for the destinations of the day
    criado_em: datetime = coluna_instante()


class SituacaoEntrega(StrEnum):
    PENDENTE = "pendente"
    ENTREGUE = "entregue"
    DESISTIDA = "desistida"  # every attempt failed: shown to gestores, retried only by hand


class EntregaEvento(SQLModel, table=True):
    """One event to one destination: the delivery log gestores see, and the retry schedule."""

    __tablename__ = "entrega_evento"
    __table_args__ = (UniqueConstraint("evento_saida_id", "destino"), uma_de("situacao", SituacaoEntrega))

    id: int | None = Field(default=None, primary_key=True)
    evento_saida_id: int = Field(foreign_key="evento_saida.id", index=True)
    destino: str
    situacao: str = SituacaoEntrega.PENDENTE.value
    tentativas: int = 0
    tentar_em: datetime | None = coluna_instante(nulo=True, index=True)
    ultimo_status: int | None = None
    ultimo_erro: str | None = None
    entregue_em: datetime | None = coluna_instante(nulo=True)
    criado_em: datetime = coluna_instante()


# The `evento` rows (the bot's own trail, written with each fact) that the company hears about, and which of
# their fields go out: never the debtor's words (`texto`), only what a system acts on.
_SAIDAS: dict[str, tuple[TipoEventoSaida, tuple[str, ...]]] = {
    "acordo": (TipoEventoSaida.ACORDO_CRIADO, ("acordo_id", "total")),
    "acordo_quebrado": (TipoEventoSaida.ACORDO_QUEBRADO, ("acordo", "abatido", "dias_para_quebra")),
    "pagamento": (
        TipoEventoSaida.PAGAMENTO_CONFIRMADO,
        ("acordo", "parcela", "valor", "data", "restante", "quitado", "provedor", "id_provedor"),
    ),
    "optout": (TipoEventoSaida.OPTOUT, ("canal", "origem", "motivo")),  # motivo: the API caller's own words
    "transferencia": (TipoEventoSaida.TRANSFERENCIA, ("motivo",)),
}


def saida_do_evento(
    evento_id: int, devedor_id: int | None, tipo: str, dados: dict[str, Any], criado_em: datetime
) -> dict[str, Any] | None:
    """The outbox row an `evento` row makes, with the fields that go out; None for the bot's inner steps. Keyed by
    the `evento` row's id, so the unique (evento, chave) holds."""
    saida = _SAIDAS.get(tipo)
    if saida is None:
        return None
    tipo_saida, campos = saida
    if tipo_saida is TipoEventoSaida.TRANSFERENCIA and dados.get("motivo") == MotivoTransferencia.CONTESTACAO:
        tipo_saida = TipoEventoSaida.CONTESTACAO
    return {"evento": tipo_saida.value, "chave": str(evento_id), "devedor_id": devedor_id, "distribuido": False,
            "dados": {campo: dados[campo] for campo in campos if campo in dados}, "criado_em": criado_em}  # fmt: skip


@event.listens_for(Session, "after_flush")
def _capturar(session: Session, _flush: UOWTransaction) -> None:
    """Each new `evento` row of an outbound kind writes its outbox row in the same flush, so in the same
    transaction: the fact and its event are committed together or not at all (none lost, none invented). The
    hot conversation step, which writes without the ORM, does the same (`bot/atendimento/rapido.py`)."""
    linhas = [
        linha
        for objeto in session.new
        if isinstance(objeto, Evento) and objeto.id is not None
        and (linha := saida_do_evento(objeto.id, objeto.devedor_id, objeto.tipo, objeto.dados, objeto.criado_em))
    ]  # fmt: skip
    if linhas:
        session.connection().execute(insert(EventoSaida), linhas)
