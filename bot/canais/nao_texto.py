"""What the bot answers to a file a debtor sends: a voice note is heard, a receipt is read, the rest is kept."""

from __future__ import annotations

from bot.canais import recibos
from bot.canais.midia import resposta_ao_arquivo
from bot.canais.notas_de_voz import TIPOS_AUDIO, ouvir
from bot.canais.recebido import ArquivoRecebido, Respondedor
from bot.porta import TipoCanal


async def responder_arquivo(
    recepcao: Respondedor,
    canal: TipoCanal,
    destino: str,
    devedor_id: int,
    id_externo: str,
    arquivo: ArquivoRecebido | None,
    duracao: float | None = None,
) -> None:
    """After the message was recorded (`Recepcao.guardar_nao_texto`): answer it by what it is."""
    if arquivo is not None and arquivo.tipo in TIPOS_AUDIO:
        await ouvir(recepcao, canal, destino, devedor_id, id_externo, arquivo, duracao)
        return
    if arquivo is not None and await recibos.conferir(recepcao, canal, destino, devedor_id, arquivo):
        return
    resposta = await resposta_ao_arquivo(recepcao.anexos, canal.value, arquivo.id_midia if arquivo else None)
    await recepcao.avisar(canal, destino, resposta)
