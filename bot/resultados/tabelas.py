"""Core tables the outcome queries read: typed columns of many models in one select are beyond sqlmodel's `select`."""

from __future__ import annotations

from typing import Any

from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import Acordo, Contrato, Conversa, Devedor, Evento, Mensagem, Parcela
from bot.dados.saida import Saida

MENSAGEM: Any = Mensagem.__table__  # type: ignore[attr-defined]
CONVERSA: Any = Conversa.__table__  # type: ignore[attr-defined]
SAIDA: Any = Saida.__table__  # type: ignore[attr-defined]
STATUS: Any = StatusEntrega.__table__  # type: ignore[attr-defined]
EVENTO: Any = Evento.__table__  # type: ignore[attr-defined]
ACORDO: Any = Acordo.__table__  # type: ignore[attr-defined]
PAGAMENTO: Any = PagamentoRecebido.__table__  # type: ignore[attr-defined]
DEVEDOR: Any = Devedor.__table__  # type: ignore[attr-defined]
CONTRATO: Any = Contrato.__table__  # type: ignore[attr-defined]
PARCELA: Any = Parcela.__table__  # type: ignore[attr-defined]
