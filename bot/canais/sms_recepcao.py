"""What to do with each stored SMS unit: a debtor's message or a delivery report."""

from __future__ import annotations

import logging

from bot.canais.entregas import registrar_status
from bot.canais.recepcao import Recepcao
from bot.canais.sms_webhook import pede_saida, remetente_sms, status_sms, texto_sms
from bot.canais.whatsapp_recepcao import devedor_do_numero
from bot.conversa.fatos import Entrada
from bot.dados.entrada import Atualizacao
from bot.mensagens.avisos_canal import Aviso
from bot.porta import TipoCanal

log = logging.getLogger(__name__)

CANAL = TipoCanal.SMS
INTENCAO_SAIDA = "parar"  # the opt-out intent: a stop word counts as the "Parar mensagens" button


async def processar_sms(recepcao: Recepcao, atualizacao: Atualizacao) -> None:
    if atualizacao.tipo == "status":
        await registrar_status(recepcao.engine, CANAL.value, status_sms(atualizacao.corpo))
        return
    numero = remetente_sms(atualizacao.corpo)
    destino = "+" + numero
    devedor_id = await devedor_do_numero(recepcao, numero)
    if devedor_id is None:
        await recepcao.avisar(CANAL, destino, Aviso.DESCONHECIDO)  # reveals nothing, as on WhatsApp
        return
    texto = texto_sms(atualizacao.corpo)
    if not texto.strip():
        await recepcao.avisar(CANAL, destino, Aviso.SO_TEXTO)
        return
    # "SAIR"/"PARAR" alone is an unambiguous stop on SMS: no question back, whatever the classifier reads.
    opcao = INTENCAO_SAIDA if pede_saida(texto) else None
    await recepcao.responder(CANAL, destino, devedor_id, Entrada(texto, opcao), atualizacao.id_externo)
