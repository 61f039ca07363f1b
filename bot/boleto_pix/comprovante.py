"""A payment receipt (comprovante) read and matched, without I/O: what its text says, and which open item it pays.

A receipt never marks anything paid: a match only records "pagamento informado" and holds the régua for that
installment until the bank confirms (or `pagamentos.dias_para_confirmar` pass). Reading is deliberately strict:
the PIX end-to-end id must have the Central Bank's shape, and an amount is only taken when the text says which
one is the payment (`valor`, `total`, `R$`), so a balance line or a fee elsewhere does not become the amount.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

# E + 8-digit ISPB of the payer's institution + yyyyMMddHHmm (UTC) + 11 alphanumerics: 32 characters (BCB, Manual
# de Padrões para Iniciação do Pix). The last 11 are case-sensitive; a narrow receipt splits the id across lines.
_E2E = re.compile(r"E(\d{8})(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})([A-Za-z0-9]{11})")
_TAMANHO_E2E = 32
_VALOR = re.compile(r"R\$\s*(\d{1,3}(?:\.\d{3})*,\d{2}|\d+,\d{2})")
_DATA = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
_DATA_EXTENSO = re.compile(r"\b(\d{1,2}) (?:de )?([a-z]{3})[a-z]* (?:de )?(\d{4})\b")
_CNPJ = re.compile(r"\b(\d{2})\.?(\d{3})\.?(\d{3})/?(\d{4})-?(\d{2})\b")
_MESES = {m: i for i, m in enumerate(("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov",
                                      "dez"), start=1)}  # fmt: skip
# Who got paid: "Recebedor: X", "Favorecido: X", "Para: X", or under a "Destino"/"Para"/"Quem recebeu" heading the
# "Nome" (with or without a colon, or alone with the name on the next line) or the first line that is no other field.
_ROTULO_RECEBEDOR = re.compile(r"^(?:recebedor|favorecido|destinatario|destino|para|nome do recebedor)\s*:\s*(.+)$")
_SECAO_RECEBEDOR = frozenset({"destino", "recebedor", "favorecido", "destinatario", "para", "dados do recebedor",
                              "quem recebeu", "dados de quem recebeu", "dados do favorecido", "pago para"})  # fmt: skip
_SECAO_PAGADOR = frozenset({"origem", "pagador", "de", "dados do pagador", "quem pagou", "dados de quem pagou"})
_CAMPOS = frozenset({"cpf", "cnpj", "instituicao", "banco", "agencia", "conta", "chave", "tipo", "ispb", "documento",
                     "valor", "data", "id", "cpf/cnpj"})  # fmt: skip
_PALAVRAS_FRACAS = frozenset({"ltda", "eireli", "sa", "me", "epp", "comercio", "servicos", "loja", "do", "da", "de",
                              "dos", "das", "e"})  # fmt: skip
# A receipt older than this pays no open item by itself: the bank confirms a payment in days, and a carnê's
# installments share one amount, so last month's receipt would match this month's installment.
ANTIGO = timedelta(days=30)
# Words that mark a file as a receipt when the debtor writes them in its caption.
_PALAVRAS = re.compile(r"\b(comprovante|recibo|paguei|pago|pagamento|pix|transferi|quitei|transferencia)\b")
_PAGOU = re.compile(r"\b(comprovante|recibo|paguei|transferi|quitei|(ja|esta|ta) pago|(fiz|mandei) o pix|pix feito)\b")


@dataclass(frozen=True)
class E2E:
    """A PIX end-to-end id and what its shape tells: the payer's institution (ISPB) and when it was started."""

    id: str
    ispb: str
    instante: datetime  # UTC, to the minute


@dataclass(frozen=True)
class Leitura:
    """What a receipt's text says; a field it does not say is None."""

    e2e: E2E | None
    valor: Decimal | None
    data: date | None
    cnpjs: tuple[str, ...]  # 14 digits each: the payee's, and sometimes the payer institution's
    recebedor: str | None = None  # the payee's name as printed (normalized), when the receipt says who got paid

    @property
    def vazia(self) -> bool:
        return self.e2e is None and self.valor is None and self.data is None and not self.cnpjs


@dataclass(frozen=True)
class Aberto:
    """Something the debtor owes now, as a receipt could pay it: `alvo` is the régua's target key."""

    alvo: str  # "parcela:<id>" or "acordo:<id>" (an agreement's installment)
    valor: Decimal
    vencimento: date
    atualizado: Decimal | None = None  # a late installment with today's charges: paid late, it costs up to this

    def aceita(self, valor: Decimal) -> bool:
        """This amount pays it: its value to the cent, or, late, anything up to its value with today's charges."""
        return self.valor <= valor <= (self.atualizado or self.valor)


class Resultado(StrEnum):
    CASADO = "casado"
    SEM_CASAMENTO = "sem_casamento"
    ILEGIVEL = "ilegivel"


@dataclass(frozen=True)
class Casamento:
    resultado: Resultado
    motivo: str  # for the agent, in pt-BR
    aberto: Aberto | None = None


def normalizar(texto: str) -> str:
    """Lower case without accents, whitespace collapsed: how the patterns read a receipt or a caption."""
    sem_acento = unicodedata.normalize("NFKD", texto).encode("ascii", "ignore").decode()
    return " ".join(sem_acento.lower().split())


def parece_comprovante(legenda: str | None) -> bool:
    """A caption that says the file is a receipt ("comprovante", "paguei", "segue o pix")."""
    return bool(legenda) and _PALAVRAS.search(normalizar(legenda or "")) is not None


def _candidatos_e2e(texto: str) -> Iterator[str]:
    """Each alphanumeric word, and a line's last word joined with the next line's first while shorter than an id."""
    linhas = [palavras for linha in texto.splitlines() if (palavras := re.findall(r"[A-Za-z0-9]+", linha))]
    for i, palavras in enumerate(linhas):
        yield from palavras
        partido = palavras[-1]
        for seguinte in linhas[i + 1 :]:
            if not partido.startswith("E") or len(partido) >= _TAMANHO_E2E:
                break
            partido += seguinte[0]
            yield partido
            if len(seguinte) > 1:
                break


def diz_que_pagou(texto: str) -> bool:
    """A message that says a payment was made ("já paguei", "fiz o pix", "vou mandar o comprovante"); stricter than
    a caption: "me manda o pix" or "quero fazer o pagamento" said before sending a photo do not make it a receipt."""
    return _PAGOU.search(normalizar(texto)) is not None


def ler_e2e(texto: str) -> E2E | None:
    """The first well-formed end-to-end id (a real calendar instant inside it) as printed, or None."""
    for candidato in _candidatos_e2e(texto):
        if (m := _E2E.fullmatch(candidato)) is None:
            continue
        ispb, ano, mes, dia, hora, minuto, _ = m.groups()
        try:
            instante = datetime(int(ano), int(mes), int(dia), int(hora), int(minuto))
        except ValueError:
            continue
        return E2E(candidato, ispb, instante)
    return None


def _dinheiro(bruto: str) -> Decimal | None:
    try:
        return Decimal(bruto.replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None


def _valor(texto: str) -> Decimal | None:
    """The payment's amount: the first `R$` amount on a line naming a value, else the first `R$` amount at all."""
    linhas = texto.splitlines()
    for linha in linhas:
        if re.search(r"\b(valor|total|quantia|pago)\b", normalizar(linha)) and (m := _VALOR.search(linha)):
            return _dinheiro(m.group(1))
    m = _VALOR.search(texto)
    return _dinheiro(m.group(1)) if m else None


def _data(texto: str) -> date | None:
    normal = normalizar(texto)
    for m in _DATA.finditer(normal):
        dia, mes, ano = map(int, m.groups())
        try:
            return date(ano, mes, dia)
        except ValueError:
            continue
    for m in _DATA_EXTENSO.finditer(normal):
        numero = _MESES.get(m.group(2))
        if numero is not None:
            try:
                return date(int(m.group(3)), numero, int(m.group(1)))
            except ValueError:
                continue
    return None


def _recebedor(texto: str) -> str | None:
    secao, nome_a_seguir = None, False
    for linha in (normalizar(bruta) for bruta in texto.splitlines()):
        rotulo = linha.rstrip(":").strip()
        if not rotulo:
            continue
        if rotulo in _SECAO_RECEBEDOR or rotulo in _SECAO_PAGADOR:
            secao = "recebedor" if rotulo in _SECAO_RECEBEDOR else "pagador"
            nome_a_seguir = secao == "recebedor"
        elif m := _ROTULO_RECEBEDOR.match(linha):
            return m.group(1).strip()
        elif secao == "recebedor" and (nome := _nome_na_secao(rotulo, nome_a_seguir)):
            return nome
        else:
            nome_a_seguir = secao == "recebedor" and rotulo == "nome"
    return None


def _nome_na_secao(rotulo: str, nome_a_seguir: bool) -> str | None:
    """The payee's name on this line of their section: "nome X", "nome: X", or a bare line after a heading/label."""
    primeira, _, resto = rotulo.partition(" ")
    if primeira.rstrip(":") == "nome" and resto.lstrip(": ").strip():
        return resto.lstrip(": ").strip()
    if nome_a_seguir and ":" not in rotulo and primeira not in _CAMPOS and primeira != "nome":
        return rotulo if re.search(r"[a-z]", rotulo) else None
    return None


def ler(texto: str) -> Leitura:
    """Read a receipt's text (from a PDF or an OCR): end-to-end id, amount, date, CNPJs and the payee's name."""
    cnpjs = tuple(dict.fromkeys("".join(m.groups()) for m in _CNPJ.finditer(texto)))
    return Leitura(ler_e2e(texto), _valor(texto), _data(texto), cnpjs, _recebedor(texto))


def mesmo_recebedor(recebedor: str, nomes: Sequence[str]) -> bool:
    """The printed payee shares a distinctive word with one of the creditor's names (razão social, PIX name)."""
    palavras = set(re.findall(r"[a-z0-9]+", normalizar(recebedor))) - _PALAVRAS_FRACAS
    return any(palavras & (set(re.findall(r"[a-z0-9]+", normalizar(nome))) - _PALAVRAS_FRACAS) for nome in nomes)


def casar(
    leitura: Leitura, abertos: Sequence[Aberto], cnpj_credor: str, hoje: date, nomes_credor: Sequence[str] = ()
) -> Casamento:
    """Which open item this receipt pays: same amount to the cent (a late one: up to its value with charges), paid to
    the creditor (its CNPJ when the receipt prints one, else its name), dated neither in the future nor more than
    `ANTIGO` ago.

    Several open items it could pay: one of exactly that value first, then the oldest due (the one the régua chases).
    """
    if leitura.vazia:
        return Casamento(Resultado.ILEGIVEL, "nada de um comprovante foi lido (sem valor, data, id PIX ou CNPJ)")
    if leitura.valor is None:
        return Casamento(Resultado.SEM_CASAMENTO, "valor não encontrado no comprovante")
    if (outro := _outro_recebedor(leitura, cnpj_credor, nomes_credor)) is not None:
        return Casamento(Resultado.SEM_CASAMENTO, outro)
    if (fora := _fora_de_data(leitura, hoje)) is not None:
        return Casamento(Resultado.SEM_CASAMENTO, fora)
    valor = leitura.valor
    iguais = sorted((a for a in abertos if a.aceita(valor)), key=lambda a: (a.valor != valor, a.vencimento, a.alvo))
    if not iguais:
        impresso = f"{valor:.2f}".replace(".", ",")
        return Casamento(Resultado.SEM_CASAMENTO, f"nenhuma parcela em aberto de R$ {impresso}")
    return Casamento(Resultado.CASADO, "valor e credor conferem", iguais[0])


def _fora_de_data(leitura: Leitura, hoje: date) -> str | None:
    """Why the receipt's date (or its PIX id's) rules it out: in the future, or older than `ANTIGO`."""
    data = leitura.data or (leitura.e2e.instante.date() if leitura.e2e else None)
    if data is not None and data > hoje:
        return f"data do comprovante no futuro ({data:%d/%m/%Y})"
    if data is not None and data < hoje - ANTIGO:
        return f"comprovante antigo ({data:%d/%m/%Y}): pode ser de uma parcela já paga"
    return None


def _outro_recebedor(leitura: Leitura, cnpj_credor: str, nomes_credor: Sequence[str]) -> str | None:
    """Why the receipt pays someone else, or None: by CNPJ when it prints any, else by the payee's name."""
    credor = re.sub(r"\D", "", cnpj_credor)
    if leitura.cnpjs:
        return None if credor in leitura.cnpjs else f"o comprovante não tem o CNPJ do credor ({_cnpj(credor)})"
    if leitura.recebedor is None:
        return "o comprovante não diz quem recebeu (nem o CNPJ nem o nome do recebedor foram lidos)"
    if not mesmo_recebedor(leitura.recebedor, nomes_credor):
        return f"recebedor “{leitura.recebedor}” não é o credor"
    return None


def _cnpj(digitos: str) -> str:
    if len(digitos) != 14:
        return digitos
    return f"{digitos[:2]}.{digitos[2:5]}.{digitos[5:8]}/{digitos[8:12]}-{digitos[12:]}"
