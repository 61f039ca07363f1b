"""`check`'s warning about régua SMS texts that, filled with example values, no longer fit one SMS message."""

from __future__ import annotations

from bot.canais.sms_texto import medir, mensagens, transliterar
from bot.config.arquivo import Config
from bot.mensagens.catalogo import EXEMPLOS
from bot.porta import TipoCanal


def avisos_sms(config: Config) -> list[str]:
    """One line per SMS step whose text, with example values, goes out as more than one message (pure)."""
    sms = config.canais.sms
    exemplos = EXEMPLOS | {"credor": config.credor.nome}
    linhas = []
    for passo in config.regua.passos:
        modelo = passo.modelos.get(TipoCanal.SMS)
        if modelo is None:
            continue
        texto = modelo.texto.format_map(exemplos)
        texto = transliterar(texto) if sms.acentos == "remover" else texto
        partes = mensagens(texto, sms.max_segmentos)
        if len(partes) > 1:
            medida = medir(texto)
            linhas.append(
                f"aviso: regua.passos[{passo.nome}].modelos.sms: com valores de exemplo o texto tem {medida.unidades} "
                f"caracteres ({medida.codificacao.value.upper()}, {medida.segmentos} segmentos) e sai em {len(partes)} "
                f"SMS (canais.sms.max_segmentos = {sms.max_segmentos}): encurte-o"
            )
    return linhas
