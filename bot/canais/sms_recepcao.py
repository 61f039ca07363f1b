"""What to do with each stored SMS unit: a debtor's message or a delivery report."""

from __future__ import annotations

import logging

from bot.canais.entregas import registrar_status
from bot.canais.recebido import AvisoDoCanal, Contexto, Fala, Recebido
from bot.canais.sms_webhook import pede_saida, remetente_sms, status_sms, texto_sms
from bot.canais.whatsapp_recepcao import devedor_do_numero
from bot.conversa.fatos import Entrada
from bot.dados.entrada import Atualizacao
from bot.mensagens.avisos_canal import Aviso
from bot.porta import TipoCanal

log = logging.getLogger(__name__)

CANAL = TipoCanal.SMS
INTENCAO_SAIDA = "parar"  # the opt-out intent: a stop word counts as the "Parar mensagens" button


async def processar_sms(contexto: Contexto, atualizacao: Atualizacao) -> Recebido:
    if atualizacao.tipo == "status":
        await registrar_status(contexto.engine, CANAL.value, status_sms(atualizacao.corpo))
        return None
    numero = remetente_sms(atualizacao.corpo)
    destino = "+" + numero
    devedor_id = await devedor_do_numero(contexto, numero)
    if devedor_id is None:
        return AvisoDoCanal(CANAL, destino, Aviso.DESCONHECIDO)  # reveals nothing, as on WhatsApp
    texto = texto_sms(atualizacao.corpo)
    if not texto.strip():
        return AvisoDoCanal(CANAL, destino, Aviso.SO_TEXTO)
    # "SAIR"/"PARAR" alone is an unambiguous stop on SMS: no question back, whatever the classifier reads.
    opcao = INTENCAO_SAIDA if pede_saida(texto) else None
    return Fala(CANAL, destino, devedor_id, Entrada(texto, opcao), atualizacao.id_externo)
