"""The steps of a debtor's outcome trail: what the bot records and the results read."""

from __future__ import annotations

from enum import StrEnum


class TipoPasso(StrEnum):
    ENVIADA = "enviada"
    ENTREGUE = "entregue"
    LIDA = "lida"
    RESPONDIDA = "respondida"
    PAGINA_ABERTA = "pagina_aberta"
    PDF_BAIXADO = "pdf_baixado"
    ACORDO = "acordo"
    PAGAMENTO = "pagamento"
    ACORDO_QUEBRADO = "acordo_quebrado"
    OPTOUT = "optout"
    TRANSFERENCIA = "transferencia"
    CONTESTACAO = "contestacao"
