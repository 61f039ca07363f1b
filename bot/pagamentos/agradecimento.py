"""The thank-you for a payment, as an outbox row: the régua's dispatcher sends it within the contact rules.

The row's key (`pagamento:<id>`, `agradecimento`, channel) is unique, so a redelivered confirmation, or a
second worker, never queues it twice. The channel is the one the debtor negotiated on when the dispatcher can
reach them there, else the first channel of the régua's order they have an address for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.config.regua import CANAIS_DA_REGUA, Regua
from bot.dados.modelos import Devedor
from bot.dados.saida import NovaSaida, SituacaoSaida
from bot.formatos import brl, primeiro_nome
from bot.porta import TipoCanal
from bot.regua.agenda import DevedorRegua

PASSO = "agradecimento"
ALVO = "pagamento"  # known to the dispatcher (`regua.fatos.abertos`): a thank-you is never obsolete
ASSUNTO_EMAIL = "Recebemos seu pagamento"
VALIDADE = timedelta(days=7)  # a thank-you deferred by the contact policy beyond a week is dropped


def ordem_dos_canais(regua: Regua) -> list[TipoCanal]:
    """The régua's channels in the order its steps try them (first appearance), then any the steps never use."""
    ordem: list[TipoCanal] = []
    for passo in regua.passos:
        ordem += [c for c in passo.canais if c not in ordem]
    return ordem + [c for c in CANAIS_DA_REGUA if c not in ordem]


def escolher_canal(regua: Regua, devedor: Devedor, canal_conversa: str) -> tuple[TipoCanal, str] | None:
    """The channel and address for the thank-you; None when the dispatcher cannot reach the debtor at all."""
    alvo = DevedorRegua(devedor.id or 0, devedor.cpf, devedor.nome, devedor.uf, telefone=devedor.telefone,
                        telegram_id=devedor.telegram_id, email=devedor.email,
                        telefone_invalido=devedor.telefone_invalido)  # fmt: skip
    candidatos = ordem_dos_canais(regua)
    if canal_conversa in candidatos:
        candidatos.remove(TipoCanal(canal_conversa))
        candidatos.insert(0, TipoCanal(canal_conversa))
    for canal in candidatos:
        destino = alvo.destino(canal)
        if destino:
            return canal, destino
    return None


@dataclass(frozen=True)
class Agradecimento:
    """What to say: the rendered text for the channel and the approved WhatsApp template's name."""

    pagamento_id: int
    devedor: Devedor
    texto: str
    valor: Decimal
    modelo_whatsapp: str


def linha_agradecimento(a: Agradecimento, canal: TipoCanal, destino: str, agora: datetime) -> NovaSaida:
    """The outbox row; outside the 24 h window WhatsApp sends the template with (first name, amount)."""
    assert a.devedor.id is not None  # a stored debtor
    modelo = {TipoCanal.WHATSAPP: a.modelo_whatsapp, TipoCanal.EMAIL: ASSUNTO_EMAIL}.get(canal)
    parametros = [primeiro_nome(a.devedor.nome), brl(a.valor)] if canal == TipoCanal.WHATSAPP else []
    return {
        "alvo": f"{ALVO}:{a.pagamento_id}",
        "passo": PASSO,
        "canal": canal.value,
        "devedor_id": a.devedor.id,
        "destino": destino,
        "texto": a.texto,
        "modelo": modelo,
        "parametros": parametros,
        "usar_modelo": False,
        "canais_restantes": [],  # the dispatcher's fallback follows régua steps; this is not one
        "situacao": SituacaoSaida.PENDENTE.value,
        "tentativas": 0,
        "proxima_tentativa": agora,
        "prazo": agora + VALIDADE,
        "motivo": None,
        "dados": {"pagamento": a.pagamento_id},
    }
