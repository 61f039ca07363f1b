"""What a channel's processor makes of one stored update: a neutral value, carried out by the reception.

A processor reads its update, and the database where it must (whose number, whose chat), and says what came in;
it never answers by itself. `Recepcao.atender` is the one place that answers, the same way for every channel:
through the conversation, with one of the channels' own messages, or by keeping a file and answering it by kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.atendimento.servico import Atendimento
from bot.canais.midia import Anexos
from bot.conversa.fatos import Entrada
from bot.dados.entrada import Atualizacao
from bot.mensagens.avisos_canal import Aviso
from bot.porta import Cliente, TipoCanal


@dataclass(frozen=True)
class ArquivoRecebido:
    """A file a debtor sent: its kind (`image`, `document`, `audio`...), the media id and what came with it."""

    tipo: str
    id_midia: str
    mime: str | None
    nome: str | None
    legenda: str | None


@dataclass(frozen=True)
class Fala:
    """A known debtor's words (typed, or a button's title and id): answered through the conversation."""

    canal: TipoCanal
    destino: str
    devedor_id: int
    entrada: Entrada
    id_externo: str


@dataclass(frozen=True)
class Arquivo:
    """A known debtor's message without words (a photo, a document, a voice note, a sticker): kept in the
    conversation for an agent, with the file when there is one, then answered by kind."""

    canal: TipoCanal
    destino: str
    devedor_id: int
    id_externo: str
    descricao: str
    arquivo: ArquivoRecebido | None
    duracao: float | None = None  # a voice note's length, when the channel says it


@dataclass(frozen=True)
class AvisoDoCanal:
    """One of the channels' own messages to the sender (an unknown number, a question of identification)."""

    canal: TipoCanal
    destino: str
    aviso: Aviso


# None: nothing to answer (a delivery status, a template's new status, an edit, a group chat).
Recebido = Fala | Arquivo | AvisoDoCanal | None


@dataclass(frozen=True)
class Contexto:
    """What a processor may use: the database, the clock, the channels' clients (Telegram acknowledges a button
    press) and the flow's first state (a chat identified on Telegram starts its conversation there)."""

    engine: AsyncEngine
    relogio: Callable[[], datetime]
    remetentes: Mapping[TipoCanal, Cliente]
    inicio: str

    def agora(self) -> datetime:
        return self.relogio()


Processador = Callable[[Contexto, Atualizacao], Awaitable[Recebido]]


class Respondedor(Protocol):
    """What answers a debtor's file (a voice note heard, a receipt read): the reception, seen from those helpers."""

    atendimento: Atendimento
    anexos: Anexos | None

    @property
    def engine(self) -> AsyncEngine: ...

    def agora(self) -> datetime: ...

    async def avisar(self, canal: TipoCanal, destino: str, nome: Aviso) -> str | None: ...

    async def enviar(self, canal: TipoCanal, destino: str, texto: str) -> str | None: ...

    async def responder(
        self, canal: TipoCanal, destino: str, devedor_id: int, entrada: Entrada, id_externo: str
    ) -> None: ...
