"""The channels' own messages, as templates in mensagens/ that managers edit and `python -m bot check` validates.

They go out before anyone proved who they are (an unknown number, a sticker from a number in the portfolio), so
they may use only `credor`: nothing about the debt, not even the debtor's name (the phone may be recycled).
The e-mail reminder frame (`lembrete.email.j2`) wraps the régua step's text, given as `lembrete`.
"""

from __future__ import annotations

from enum import StrEnum

from bot.config.arquivo import Credor
from bot.config.erros import ErroConfig
from bot.mensagens.textos import Textos


class Aviso(StrEnum):
    DESCONHECIDO = "contato_desconhecido"  # a number or chat that matches no debtor
    SO_TEXTO = "so_texto"  # audio, sticker, location...: the bot reads text and buttons
    ARQUIVO_GUARDADO = "arquivo_guardado"  # an image or document kept for an agent
    ARQUIVO_GRANDE = "arquivo_grande"  # bigger than canais.anexo_max_mb: not kept
    ARQUIVO_RECUSADO = "arquivo_recusado"  # not an image or PDF (or damaged on the way): not kept
    CONVITE_INVALIDO = "convite_invalido"  # a used or unknown Telegram invitation
    PEDIR_CPF = "pedir_cpf"  # Telegram: an unknown chat is asked for the CPF
    PEDIR_NASCIMENTO = "pedir_nascimento"  # Telegram: after any well-formed CPF, in the portfolio or not
    CPF_NAO_CONFERE = "cpf_nao_confere"  # CPF and birth date match no debtor: the same answer whatever failed
    AUDIO_FALHOU = "audio_falhou"  # a voice note not transcribed (service away, refused): please write
    AUDIO_LONGO = "audio_longo"  # longer or bigger than canais.transcricao allows: not transcribed
    COMPROVANTE_A_CONFERIR = "comprovante_a_conferir"  # a receipt that matched nothing: an agent checks it


LEMBRETE_EMAIL = "lembrete"
VARIAVEIS_AVISO = frozenset({"credor"})
VARIAVEIS_LEMBRETE = frozenset({"credor", "lembrete"})
# A receipt that matched an open item: thanks, and the day the bank's confirmation is due (nothing about the debt).
COMPROVANTE_RECEBIDO = "comprovante_recebido"
VARIAVEIS_COMPROVANTE = frozenset({"credor", "prazo"})
EXEMPLOS = {
    "lembrete": "Olá, Maria. Amanhã (24/11/2026) vence um pagamento com a Loja.",
    "prazo": "10/12/2026",
}  # for check's rehearsal

ROTULOS_MIDIA = {
    "image": "imagem",
    "document": "documento",
    "audio": "áudio",
    "voice": "áudio",
    "video": "vídeo",
    "sticker": "figurinha",
    "location": "localização",
    "contacts": "contato",
    "contact": "contato",
}


def aviso(textos: Textos, nome: Aviso, credor: Credor, canal: str) -> str:
    """`mensagens/NOME.CANAL.j2` (or `NOME.j2`), with the creditor only."""
    return textos.renderizar(nome.value, {"credor": credor}, canal=canal)


def verificar(textos: Textos) -> list[ErroConfig]:
    """Every channel message exists and uses only what it is given (all errors at once)."""
    exigidas = {a.value: VARIAVEIS_AVISO for a in Aviso} | {LEMBRETE_EMAIL: VARIAVEIS_LEMBRETE}
    exigidas[COMPROVANTE_RECEBIDO] = VARIAVEIS_COMPROVANTE
    erros = []
    for nome, permitidas in sorted(exigidas.items()):
        arquivos = sorted(a for a in textos.fontes if a.split(".")[0] == nome)
        if not arquivos:
            erros.append(ErroConfig(str(textos.pasta / f"{nome}.j2"), "", "mensagem dos canais ausente"))
        for arquivo in arquivos:
            proibidas = textos.variaveis(arquivo) - permitidas
            if proibidas:
                erros.append(
                    ErroConfig(
                        str(textos.pasta / f"{arquivo}.j2"),
                        "",
                        f"usa {', '.join(sorted(proibidas))}; esta mensagem dos canais só recebe: "
                        f"{', '.join(sorted(permitidas))}",
                    )
                )
    return erros
