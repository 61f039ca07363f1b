"""Personal data masked in every log line (LGPD art. 6 VII, 46): CPF, phone numbers, e-mail addresses.

Installed on the log handlers by `python -m bot`; message texts are never logged by the bot itself.
"""

from __future__ import annotations

import logging
import re

_PADROES = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b"), "[cpf]"),
    (re.compile(r"(?:\+?55\s?)?\(?\b\d{2}\)?\s?9?\d{4}-\d{4}\b"), "[telefone]"),
    # CPF without punctuation, WhatsApp ids, Telegram chat ids: any long run of digits
    (re.compile(r"\b\d{9,14}\b"), "[número]"),
)


def mascarar(texto: str) -> str:
    for padrao, troca in _PADROES:
        texto = padrao.sub(troca, texto)
    return texto


class MascaraDados(logging.Filter):
    """Rewrites each record's message (and its traceback) with personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mascarar(record.getMessage()), ()
        if record.exc_info:  # another handler may have formatted the traceback already: mask that text too
            record.exc_text = mascarar(record.exc_text or logging.Formatter().formatException(record.exc_info))
        return True


def instalar(raiz: logging.Logger | None = None) -> None:
    """Add the mask to every handler of the root logger (call after `logging.basicConfig`)."""
    for manipulador in (raiz or logging.getLogger()).handlers:
        if not any(isinstance(f, MascaraDados) for f in manipulador.filters):
            manipulador.addFilter(MascaraDados())
