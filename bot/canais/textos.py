"""Fixed answers of the channels themselves (the conversation's words live in mensagens/)."""

from __future__ import annotations

DESCONHECIDO = (
    "Olá! Este é o canal de atendimento de {credor}. Não encontramos um cadastro ligado a este contato. "
    "Se você recebeu uma mensagem nossa, responda pelo mesmo canal em que ela chegou. Obrigado!"
)
SO_TEXTO = "Obrigado pela mensagem! Por aqui eu consigo ler apenas textos e os botões. Pode me escrever o que precisa?"
ARQUIVO_GUARDADO = (
    "Recebi seu arquivo e guardei para a nossa equipe conferir. Por aqui eu leio textos e botões: "
    "se quiser, me escreva o que precisa."
)
CONVITE_INVALIDO = "Este link não é mais válido. Peça um novo link pelo canal em que recebeu o convite."

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
