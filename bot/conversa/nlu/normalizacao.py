"""Chat Portuguese made comparable: lower case, no accents or stray signs, slang spelled out."""

from __future__ import annotations

import re
import unicodedata

# WhatsApp users answer with these alone; dropping them like other emojis would lose the answer.
_EMOJIS_COM_SENTIDO = {
    "👍": " ok ", "👌": " ok ", "✅": " sim ", "👎": " nao ", "❌": " nao ", "🤝": " fechado ", "👋": " oi ",
    "🙏": " obrigado ", "😡": " affs ", "🤬": " affs ", "😠": " affs ", "🙄": " affs ",
}  # fmt: skip

_GIRIAS: dict[str, str] = {
    "vc": "voce", "vcs": "voces", "ce": "voce", "q": "que", "oq": "o que", "pq": "porque", "pk": "porque",
    "porq": "porque", "n": "nao", "naum": "nao", "s": "sim", "tb": "tambem", "tbm": "tambem", "tmb": "tambem",
    "blz": "beleza", "blza": "beleza", "msg": "mensagem", "msgs": "mensagens", "mto": "muito", "mt": "muito",
    "mta": "muita", "mtos": "muitos", "hj": "hoje", "amn": "amanha", "amnh": "amanha", "td": "tudo",
    "tds": "todos", "obg": "obrigado", "obgd": "obrigado", "obgda": "obrigada", "vlw": "valeu",
    "flw": "falou", "pfv": "por favor", "pf": "por favor", "pfvr": "por favor", "pls": "por favor",
    "p": "pra", "c": "com", "cmg": "comigo", "ctz": "certeza", "dps": "depois", "agr": "agora",
    "qnd": "quando", "qdo": "quando", "qndo": "quando", "qto": "quanto", "qnto": "quanto", "qt": "quanto",
    "qts": "quantos", "qtas": "quantas", "to": "estou", "tou": "estou", "ta": "esta", "tava": "estava",
    "eh": "e", "vdd": "verdade", "nd": "nada", "ngm": "ninguem", "aki": "aqui", "dnv": "de novo",
    "qlq": "qualquer", "qq": "qualquer", "sla": "sei la", "fds": "fim de semana", "cel": "celular",
    "zap": "whatsapp", "wpp": "whatsapp", "whats": "whatsapp", "zapzap": "whatsapp", "qro": "quero",
    "qero": "quero", "kero": "quero", "axo": "acho", "okay": "ok", "okey": "ok", "oks": "ok",
    "msm": "mesmo", "kd": "cade", "qm": "quem", "vo": "vou", "d": "de", "pd": "pode", "hr": "hora",
    "hrs": "horas", "jah": "ja", "fzr": "fazer", "tbem": "tambem",
}  # fmt: skip
_RE_RISADA = re.compile(r"^(?:k{2,}|(?:ha){2,}h?|(?:he){2,}|(?:rs){2,}|(?:hue){2,})$")
_RE_FORA_DO_ALFABETO = re.compile(r"[^a-z0-9 .,/$-]")
_RE_SINAL_SOLTO = re.compile(r"(?<![0-9])[.,/-]|[.,/-](?![0-9])|(?<!r)\$")
_RE_LETRA_DIGITO = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])|(?<=\$)(?=[0-9])")
_RE_TRIPLA = re.compile(r"([a-z])\1{2,}")
# Stretched vowels ("siim", "naao") and doubled last letters ("okk", "oii"): no pt-BR word has them.
_RE_DUPLA = re.compile(r"([aiu])\1+|([a-z])\2$")


def normalizar(texto: str) -> str:
    """Lower-case, unaccented, emoji-free text, slang spelled out; `, . / -` survive only between digits."""
    for emoji, palavra in _EMOJIS_COM_SENTIDO.items():
        texto = texto.replace(emoji, palavra)
    decomposto = unicodedata.normalize("NFKD", texto.casefold())
    limpo = "".join(c for c in decomposto if not unicodedata.combining(c))
    limpo = _RE_FORA_DO_ALFABETO.sub(" ", limpo)
    limpo = _RE_SINAL_SOLTO.sub(" ", limpo)
    limpo = _RE_LETRA_DIGITO.sub(" ", limpo)
    palavras: list[str] = []
    for bruto in limpo.split():
        if _RE_RISADA.match(bruto):
            continue
        token = _RE_DUPLA.sub(lambda m: m.group(1) or m.group(2), _RE_TRIPLA.sub(r"\1", bruto))
        palavras.append(_GIRIAS.get(token, token))
    return " ".join(palavras)
