"""What the bot made of a debtor's voice notes and receipts: one row per stored file (`anexo`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Field, SQLModel

from bot.dados.modelos import coluna_instante, uma_de
from bot.dados.tipos import Dinheiro


class SituacaoTranscricao(StrEnum):
    FEITA = "feita"
    FALHOU = "falhou"  # the service refused or was away: the agent listens to the audio
    RECUSADA = "recusada"  # longer or bigger than `canais.transcricao` allows


class Transcricao(SQLModel, table=True):
    """A voice note's transcript; unique per file, so a retried update transcribes (and pays) once."""

    __tablename__ = "transcricao"
    __table_args__ = (uma_de("situacao", SituacaoTranscricao),)

    id: int | None = Field(default=None, primary_key=True)
    anexo_id: int = Field(foreign_key="anexo.id", unique=True)
    situacao: str
    texto: str = ""
    motivo: str | None = None
    servico: str  # openai, local
    duracao: float | None = None  # seconds, when the file or the provider said it
    criada_em: datetime = coluna_instante()


class SituacaoComprovante(StrEnum):
    CASADO = "casado"  # matched an open item: "pagamento informado", the régua holds it until `ate`
    SEM_CASAMENTO = "sem_casamento"  # read, but no open item fits: an agent checks it
    ILEGIVEL = "ilegivel"  # nothing read (an image without OCR, a scanned PDF): an agent checks it


class Comprovante(SQLModel, table=True):
    """A receipt a debtor sent and what was read from it. `e2e` is unique: one PIX cannot inform two payments."""

    __tablename__ = "comprovante"
    __table_args__ = (uma_de("situacao", SituacaoComprovante),)

    id: int | None = Field(default=None, primary_key=True)
    anexo_id: int = Field(foreign_key="anexo.id", unique=True)
    devedor_id: int = Field(foreign_key="devedor.id", index=True)
    situacao: str
    motivo: str
    alvo: str | None = Field(default=None, index=True)  # the régua's target it pays: parcela:<id>, acordo:<id>
    e2e: str | None = Field(default=None, unique=True)
    valor: Decimal | None = Field(default=None, sa_type=Dinheiro)
    data_pagamento: date | None = None
    cnpjs: str = ""  # the CNPJs read, comma-separated
    ate: datetime | None = coluna_instante(nulo=True)  # the régua holds `alvo` until then (bank confirmation due)
    criado_em: datetime = coluna_instante()
