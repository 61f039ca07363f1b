"""Tables: debtors and their debts, conversations and their audit trail, agreements, payment documents.

Closed vocabularies are `StrEnum`s stored as plain strings and guarded by CHECK constraints; open ones
(event types, hand-off reasons) are `StrEnum`s too, without a constraint, so a new kind needs no migration.
No ORM relationships: lazy loads do not work under asyncio, so `repositorio` joins explicitly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dados.tipos import Dinheiro, InstanteUTC, Json

# Named constraints let alembic alter them later (SQLite batch mode needs names to drop them).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Canal(StrEnum):
    WEB = "web"
    CLI = "cli"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    SMS = "sms"


class Dono(StrEnum):
    """Who answers a conversation; an agent is `agente:<id>` (see `PREFIXO_AGENTE`)."""

    BOT = "bot"
    FILA = "fila"


PREFIXO_AGENTE = "agente:"


class SituacaoParcela(StrEnum):
    ABERTA = "aberta"
    NEGOCIADA = "negociada"
    PAGA = "paga"


class Direcao(StrEnum):
    ENTRADA = "entrada"
    SAIDA = "saida"


class TipoEvento(StrEnum):
    IDENTIDADE_OK = "identidade_ok"
    IDENTIDADE_FALHA = "identidade_falha"
    MOTIVO = "motivo"
    OPTOUT = "optout"
    NUMERO_ERRADO = "numero_errado"
    TRANSFERENCIA = "transferencia"
    ACORDO = "acordo"
    PAUSA = "pausa"


class SituacaoAcordo(StrEnum):
    ATIVO = "ativo"
    PAGO = "pago"
    QUEBRADO = "quebrado"
    CANCELADO = "cancelado"


class SituacaoAcordoParcela(StrEnum):
    ABERTA = "aberta"
    PAGA = "paga"


class MotivoTransferencia(StrEnum):
    PEDIDO = "pedido"
    CONTESTACAO = "contestacao"
    IDENTIDADE = "identidade"
    PROPOSTA = "proposta"
    INCOMPREENSAO = "incompreensao"
    JA_PAGUEI = "ja_paguei"


class SituacaoTransferencia(StrEnum):
    AGUARDANDO = "aguardando"
    EM_ATENDIMENTO = "em_atendimento"
    ENCERRADA = "encerrada"


def agora_utc() -> datetime:
    return datetime.now(UTC)


def uma_de(coluna: str, valores: type[StrEnum]) -> CheckConstraint:
    """CHECK that `coluna` holds one of the enum's values, named after the column."""
    lista = ", ".join(f"'{v.value}'" for v in valores)
    return CheckConstraint(f"{coluna} IN ({lista})", name=coluna)


def coluna_instante(*, nulo: bool = False, **kwargs: Any) -> Any:
    """A timezone-aware instant column (stored in UTC); defaults to now unless `nulo`."""
    if nulo:
        return Field(default=None, sa_type=InstanteUTC, **kwargs)
    return Field(default_factory=agora_utc, sa_type=InstanteUTC, **kwargs)


class Devedor(SQLModel, table=True):
    __tablename__ = "devedor"

    id: int | None = Field(default=None, primary_key=True)
    cpf: str = Field(max_length=11, unique=True)
    nome: str
    telefone: str | None = Field(default=None, index=True)
    telegram_id: str | None = Field(default=None, unique=True)
    email: str | None = None
    nascimento: date | None = None
    uf: str = Field(max_length=2)
    segmento: str | None = None
    telefone_invalido: bool = False
    optout_em: datetime | None = coluna_instante(nulo=True)
    # LGPD (bot.titular): contact data and texts anonymised at the data subject's request; then, past the
    # retention period with nothing open, the name and CPF as well (`expurgado_em`).
    anonimizado_em: datetime | None = coluna_instante(nulo=True)
    expurgado_em: datetime | None = coluna_instante(nulo=True)
    criado_em: datetime = coluna_instante()
    atualizado_em: datetime = coluna_instante(sa_column_kwargs={"onupdate": agora_utc})

    def endereco_de_chat(self, canal: str) -> str | None:
        """Where a chat message to this debtor goes on `canal` (None: no address there, or not a chat channel)."""
        return {"whatsapp": self.telefone, "telegram": self.telegram_id, "sms": self.telefone}.get(canal)


class Contrato(SQLModel, table=True):
    __tablename__ = "contrato"

    id: int | None = Field(default=None, primary_key=True)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    numero: str = Field(unique=True)
    descricao: str | None = None


class Parcela(SQLModel, table=True):
    __tablename__ = "parcela"
    __table_args__ = (UniqueConstraint("contrato_id", "numero"), uma_de("situacao", SituacaoParcela))

    id: int | None = Field(default=None, primary_key=True)
    contrato_id: int = Field(foreign_key="contrato.id")
    numero: int
    valor: Decimal = Field(sa_type=Dinheiro)
    vencimento: date
    situacao: str = SituacaoParcela.ABERTA.value
    pago_em: datetime | None = coluna_instante(nulo=True)
    valor_pago: Decimal | None = Field(default=None, sa_type=Dinheiro)  # paid so far (a broken agreement's part)

    @property
    def em_aberto(self) -> Decimal:
        """What is still owed of the installment's value (before late fees)."""
        return self.valor - (self.valor_pago or Decimal("0.00"))


_versao = Column("versao", Integer, nullable=False)


class Conversa(SQLModel, table=True):
    """One row per (debtor, channel), reused across sessions.

    `versao` is SQLAlchemy's version counter: every ORM flush of a changed row checks and bumps it, and a
    concurrent writer gets `sqlalchemy.orm.exc.StaleDataError`. Never set it by hand.
    """

    __tablename__ = "conversa"
    __table_args__ = (
        UniqueConstraint("devedor_id", "canal"),
        uma_de("canal", Canal),
        CheckConstraint(f"dono IN ('bot', 'fila') OR dono LIKE '{PREFIXO_AGENTE}%'", name="dono"),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _versao}

    id: int | None = Field(default=None, primary_key=True)
    devedor_id: int = Field(foreign_key="devedor.id")
    canal: str
    estado: str
    dono: str = Dono.BOT.value
    memoria: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    iniciada_em: datetime = coluna_instante()
    atualizada_em: datetime = coluna_instante(sa_column_kwargs={"onupdate": agora_utc})
    versao: int = Field(default=1, sa_column=_versao)


class Mensagem(SQLModel, table=True):
    """Every message in or out; the unique key makes a redelivered webhook a no-op."""

    __tablename__ = "mensagem"
    __table_args__ = (
        UniqueConstraint("canal", "direcao", "id_externo"),
        uma_de("direcao", Direcao),
        uma_de("canal", Canal),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    direcao: str
    canal: str
    texto: str
    opcoes: list[str] = Field(default_factory=list, sa_type=Json)
    id_externo: str | None = None
    status: str
    criada_em: datetime = coluna_instante()
    # The payment document sent with this message (its PDF on WhatsApp and Telegram).
    documento_id: int | None = Field(default=None, foreign_key="documento_pagamento.id")
    # The buttons' intents, in the order of `opcoes` (their titles): a reply sent later still has its buttons.
    intencoes: list[str] = Field(default_factory=list, sa_type=Json)
    # A bot reply waiting to leave (status "pendente"): the outbox sweep sends it again from this instant.
    tentar_em: datetime | None = coluna_instante(nulo=True, index=True)
    tentativas: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A bot reply's experiment variants ("experimento:variante", comma-separated): what the debtor was shown.
    variante: str | None = None


# Channels whose replies go back in the request itself (the web chat's HTTP answer, the terminal): stored as
# sent. Every other channel's replies are an outbox: stored "pendente" with the decision, then sent by key.
CANAIS_SINCRONOS = frozenset({"web", "cli"})


def status_de_saida(canal: str) -> str:
    """The status a bot reply is stored with on `canal`."""
    return "enviada" if canal in CANAIS_SINCRONOS else "pendente"


class Evento(SQLModel, table=True):
    __tablename__ = "evento"

    id: int | None = Field(default=None, primary_key=True)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    conversa_id: int | None = Field(default=None, foreign_key="conversa.id", index=True)
    tipo: str = Field(index=True)
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    criado_em: datetime = coluna_instante()


class Acordo(SQLModel, table=True):
    """A confirmed agreement; `chave` makes storing the same confirmation twice yield one row."""

    __tablename__ = "acordo"
    __table_args__ = (uma_de("situacao", SituacaoAcordo),)

    id: int | None = Field(default=None, primary_key=True)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    faixa: str
    opcao: int
    tipo: str
    valor_original: Decimal = Field(sa_type=Dinheiro)
    desconto: Decimal = Field(sa_type=Dinheiro)
    valor_negociado: Decimal = Field(sa_type=Dinheiro)
    total: Decimal = Field(sa_type=Dinheiro)
    juros_mensal_percentual: str
    situacao: str = SituacaoAcordo.ATIVO.value
    chave: str = Field(unique=True)
    criado_em: datetime = coluna_instante()
    variante: str | None = None  # the experiments' variants of the conversation that made it (offer book)


class AcordoParcela(SQLModel, table=True):
    __tablename__ = "acordo_parcela"
    __table_args__ = (UniqueConstraint("acordo_id", "numero"), uma_de("situacao", SituacaoAcordoParcela))

    id: int | None = Field(default=None, primary_key=True)
    acordo_id: int = Field(foreign_key="acordo.id")
    numero: int
    valor: Decimal = Field(sa_type=Dinheiro)
    vencimento: date
    situacao: str = SituacaoAcordoParcela.ABERTA.value


class AcordoOrigem(SQLModel, table=True):
    """Which original installments an agreement replaces."""

    __tablename__ = "acordo_origem"

    acordo_id: int = Field(foreign_key="acordo.id", primary_key=True)
    parcela_id: int = Field(foreign_key="parcela.id", primary_key=True, index=True)


class DocumentoPagamento(SQLModel, table=True):
    """A boleto + PIX issued for one installment of an agreement (`bot.pagamentos.documentos` issues them all).

    `emissao` counts an installment's documents (1, then each renewal): two callers renewing the same document
    at once collide on (acordo_id, acordo_parcela_numero, emissao) and one of them finds the other's.
    """

    __tablename__ = "documento_pagamento"
    __table_args__ = (UniqueConstraint("acordo_id", "acordo_parcela_numero", "emissao"),)

    id: int | None = Field(default=None, primary_key=True)
    acordo_id: int = Field(foreign_key="acordo.id", index=True)
    acordo_parcela_numero: int
    emissao: int = 1
    nosso_numero: str = Field(unique=True)
    txid: str = Field(unique=True)
    valor: Decimal = Field(sa_type=Dinheiro)
    vencimento: date
    codigo_barras: str
    linha_digitavel: str
    pix: str
    criado_em: datetime = coluna_instante()


class Transferencia(SQLModel, table=True):
    """The hand-off queue to human agents."""

    __tablename__ = "transferencia"
    __table_args__ = (uma_de("situacao", SituacaoTransferencia),)

    id: int | None = Field(default=None, primary_key=True)
    conversa_id: int = Field(foreign_key="conversa.id", index=True)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    motivo: str
    dados: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    situacao: str = Field(default=SituacaoTransferencia.AGUARDANDO.value, index=True)
    criada_em: datetime = coluna_instante()
    atendida_em: datetime | None = coluna_instante(nulo=True)
