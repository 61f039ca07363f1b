"""Brazilian formats: money, dates, CPF and phone numbers, parsed strictly and shown in pt-BR."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_currency
from validate_docbr import CPF

CENTAVO = Decimal("0.01")
_CPF = CPF()


def centavos(valor: Decimal) -> Decimal:
    """Round to the cent, half up (the rule banks print on boletos)."""
    return valor.quantize(CENTAVO, rounding=ROUND_HALF_UP)


def brl(valor: Decimal) -> str:
    """`Decimal("1234.5")` → `R$ 1.234,50` (with the no-break space Babel uses)."""
    return str(format_currency(centavos(valor), "BRL", locale="pt_BR"))


def data_br(dia: date) -> str:
    """`date(2026, 3, 5)` → `05/03/2026`."""
    return dia.strftime("%d/%m/%Y")


def data_extenso(dia: date) -> str:
    """`date(2026, 3, 5)` → `5 de março de 2026`."""
    return str(format_date(dia, format="long", locale="pt_BR"))


_VALOR_BR = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+(,\d{1,2})?$")
_VALOR_PONTO = re.compile(r"^\d+(\.\d{1,2})?$")


def parse_valor(texto: str) -> Decimal:
    """Read an amount as people and spreadsheets write it: `1234.56`, `1.234,56`, `1234,5`, `R$ 50`.

    Raises ValueError with the text when it is not an amount.
    """
    limpo = texto.strip().replace("R$", "").replace("r$", "").replace("\xa0", "").replace(" ", "")
    if _VALOR_PONTO.match(limpo) and not re.match(r"^\d{1,3}\.\d{3}$", limpo):
        numero = limpo
    elif _VALOR_BR.match(limpo):
        numero = limpo.replace(".", "").replace(",", ".")
    else:
        raise ValueError(f"valor inválido: {texto!r} (esperado como 1234.56 ou 1.234,56)")
    try:
        return centavos(Decimal(numero))
    except InvalidOperation as erro:  # pragma: no cover - the regexes admit only digits
        raise ValueError(f"valor inválido: {texto!r}") from erro


def parse_data(texto: str) -> date:
    """Read `2026-03-05` or `05/03/2026`; raises ValueError naming the text otherwise."""
    limpo = texto.strip()
    for formato in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(limpo, formato).date()
        except ValueError:
            continue
    raise ValueError(f"data inválida: {texto!r} (esperado AAAA-MM-DD ou dd/mm/aaaa)")


def so_digitos(texto: str) -> str:
    return re.sub(r"\D", "", texto)


def cpf_valido(cpf: str) -> bool:
    """Check digits and no repeated-digit CPFs (validate-docbr does both)."""
    digitos = so_digitos(cpf)
    return len(digitos) == 11 and bool(_CPF.validate(digitos))


def normalizar_cpf(cpf: str) -> str:
    """`390.533.447-05` → `39053344705`; raises ValueError when invalid."""
    digitos = so_digitos(cpf)
    if not cpf_valido(digitos):
        raise ValueError(f"CPF inválido: {cpf!r}")
    return digitos


def mascarar_cpf(cpf: str) -> str:
    """`39053344705` → `***.533.447-**`, the form shown in logs and screens (LGPD)."""
    d = so_digitos(cpf).rjust(11, "0")
    return f"***.{d[3:6]}.{d[6:9]}-**"


# Area codes in use (Anatel); a number with another DDD is a typo, not a phone.
DDDS = frozenset(
    {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43, 44, 45, 46}
    | {47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84}
    | {85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99}
)


def normalizar_telefone(telefone: str) -> str:
    """A Brazilian phone in E.164 (`+5511987654321`).

    Accepts `(11) 98765-4321`, `11987654321`, `+55 11 98765-4321`, `5511987654321` and mobiles written
    without the ninth digit (`11 8765-4321` → `+5511987654321`). Raises ValueError otherwise.
    """
    digitos = so_digitos(telefone)
    if digitos.startswith("55") and len(digitos) in (12, 13):
        digitos = digitos[2:]
    digitos = digitos.lstrip("0")
    if len(digitos) not in (10, 11) or int(digitos[:2]) not in DDDS:
        raise ValueError(f"telefone inválido: {telefone!r} (esperado DDD + número, ex. (11) 98765-4321)")
    ddd, numero = digitos[:2], digitos[2:]
    if len(numero) == 8 and numero[0] in "6789":
        numero = "9" + numero  # mobile written before the ninth digit (2012-2016)
    if len(numero) == 9 and numero[0] != "9":
        raise ValueError(f"telefone inválido: {telefone!r} (celular com 9 dígitos começa com 9)")
    return f"+55{ddd}{numero}"


def primeiro_nome(nome: str) -> str:
    partes = nome.strip().split()
    return partes[0].capitalize() if partes else ""


# WhatsApp's own markers, as it reads them: a run of text inside the marker, touching it, not inside a word
# (`a_b_c` in a link token and the `***` of a PIX code stay as they are).
_MARCAS = [
    (re.compile(rf"(?<![\w{m}]){re.escape(m)}(?=\S)([^{m}\n]*?\S){re.escape(m)}(?![\w{m}])"), tag)
    for m, tag in (("*", "b"), ("_", "i"), ("~", "s"))
]


def marcas_em_html(texto: str) -> str:
    """WhatsApp-formatted text (`*negrito*`, `_itálico_`, `~riscado~`) as HTML: everything else escaped first,
    so nothing in the text can become markup. Telegram's HTML parse mode and the console both read it."""
    resultado = html.escape(texto, quote=False)
    for padrao, tag in _MARCAS:
        resultado = padrao.sub(rf"<{tag}>\1</{tag}>", resultado)
    return resultado


def sem_marcas(texto: str) -> str:
    """The same text without WhatsApp's markers (`*negrito*` → `negrito`), for channels that show plain text (SMS)."""
    for padrao, _tag in _MARCAS:
        texto = padrao.sub(r"\1", texto)
    return texto
