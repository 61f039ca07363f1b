"""Understand a debtor's message: normalise chat Portuguese, read money, instalments and dates, guess intent."""

from bot.conversa.nlu.classificador import DATA_PAGAMENTO, LIMIAR, PROPOSTA, Classificador, Interpretacao
from bot.conversa.nlu.entidades import Entidades, extrair_entidades
from bot.conversa.nlu.normalizacao import normalizar
from bot.conversa.nlu.vocabulario import Intencao

__all__ = [
    "DATA_PAGAMENTO",
    "LIMIAR",
    "PROPOSTA",
    "Classificador",
    "Entidades",
    "Intencao",
    "Interpretacao",
    "extrair_entidades",
    "normalizar",
]
