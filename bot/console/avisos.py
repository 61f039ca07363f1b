"""What the console tells the person after an action: one pt-BR sentence per outcome, and whether it is good news.

Actions return a fixed code (never the person's or the debtor's words, since it travels in the URL of a page
reloaded without script); the page, or the script that posted the form in the background, shows its sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.arquivo import Config
from bot.console import anexos, pagamento_manual

_TEXTOS = (
    {
        "assumida": "Conversa assumida: agora ela é sua e o bot não responde nela.",
        "reatribuida": "Conversa reatribuída.",
        "resposta": "Resposta enviada.",
        "devolvida": "Conversa devolvida ao bot.",
        "nota": "Nota registrada.",
        "promessa": "Promessa de pagamento registrada.",
        "link": "Link de pagamento da próxima parcela enviado ao devedor.",
        "aprovacao": "Pedido de aprovação enviado aos gestores. Quando aprovado, o plano aparece aqui para oferecer.",
    }
    | pagamento_manual.AVISOS
    | anexos.AVISOS
)
_ATENCAO = {"janela", "pagamento_repetido", "anexo_falhou"}  # done, but the person should read what happened


@dataclass(frozen=True)
class Aviso:
    texto: str
    tipo: str  # "sucesso" or "atencao": the page's colour for it


def aviso(config: Config, codigo: str) -> Aviso | None:
    """The sentence for `codigo`, or None for a code the console does not know (a stale or edited URL)."""
    if codigo == "janela":
        modelo = config.console.modelo_whatsapp
        return Aviso(
            f"A janela de 24 h do WhatsApp está fechada (o devedor não escreve há mais de 24 h): no lugar do "
            f"texto foi enviado o modelo aprovado “{modelo}”. Quando o devedor responder, escreva livremente.",
            "atencao",
        )
    texto = _TEXTOS.get(codigo)
    return None if texto is None else Aviso(texto, "atencao" if codigo in _ATENCAO else "sucesso")
