"""Boleto bancário (FEBRABAN): barcode, linha digitável, check digits and the due-date factor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MOEDA_REAL = "9"
VALOR_MAXIMO = Decimal("99999999.99")  # 10 digits of cents in the barcode

_BASE_ORIGINAL = date(1997, 10, 7)
_BASE_RESET = date(2025, 2, 22)  # FEBRABAN reset: factor 1000 again on this day
# Each cycle starts at factor 1000, so it spans 9000 days: one base per cycle, oldest first.
_BASES = (_BASE_ORIGINAL, _BASE_RESET - timedelta(days=1000))
_PRIMEIRA_DATA = _BASE_ORIGINAL + timedelta(days=1000)  # 2000-07-03
_ULTIMA_DATA = _BASE_RESET + timedelta(days=8999)  # 2049-10-13, factor 9999 before the next wrap

_SEPARADORES = re.compile(r"[\s.]")
_DIGITOS = re.compile(r"[0-9]+")


def _exigir_digitos(nome: str, valor: str, tamanho: int | None = None) -> None:
    if not _DIGITOS.fullmatch(valor) or (tamanho is not None and len(valor) != tamanho):
        esperado = f"{tamanho} dígitos" if tamanho is not None else "somente dígitos"
        raise ValueError(f"{nome} inválido: {valor!r} (esperado {esperado})")


def fator_vencimento(vencimento: date) -> int:
    """The 4-digit due-date factor, with the FEBRABAN reset of 2025-02-22."""
    if not _PRIMEIRA_DATA <= vencimento <= _ULTIMA_DATA:
        raise ValueError(
            f"vencimento fora do intervalo do fator: {vencimento.isoformat()} "
            f"(esperado entre {_PRIMEIRA_DATA.isoformat()} e {_ULTIMA_DATA.isoformat()})"
        )
    base = _BASES[1] if vencimento >= _BASE_RESET else _BASES[0]
    return (vencimento - base).days


def data_do_fator(fator: int, hoje: date) -> date:
    """The due date a factor stands for: of the candidate cycles, the one nearest `hoje`."""
    if not 1000 <= fator <= 9999:
        raise ValueError(f"fator de vencimento inválido: {fator} (esperado de 1000 a 9999)")
    candidatas = [base + timedelta(days=fator) for base in _BASES]
    return min(candidatas, key=lambda dia: (abs((dia - hoje).days), dia))


def mod10(digitos: str) -> int:
    """Mod-10 check digit of the linha digitável fields (weights 2,1,2,1… from the right)."""
    _exigir_digitos("número", digitos)
    soma = 0
    for posicao, digito in enumerate(reversed(digitos)):
        produto = int(digito) * (2 if posicao % 2 == 0 else 1)
        soma += produto // 10 + produto % 10
    return (10 - soma % 10) % 10


def mod11_dv_geral(digitos: str) -> int:
    """Mod-11 general check digit of the barcode (weights 2..9 from the right; 0, 10, 11 → 1)."""
    _exigir_digitos("número", digitos)
    soma = sum(int(digito) * (2 + posicao % 8) for posicao, digito in enumerate(reversed(digitos)))
    dv = 11 - soma % 11
    return 1 if dv in (0, 10, 11) else dv


def _valor_em_centavos(valor: Decimal) -> str:
    if not valor.is_finite() or valor <= 0 or valor > VALOR_MAXIMO:
        raise ValueError(f"valor inválido: {valor} (esperado de 0,01 a 99.999.999,99)")
    centavos = valor * 100
    if centavos != centavos.to_integral_value():
        # Rounding is the caller's decision (interest, discounts); never round silently here.
        raise ValueError(f"valor inválido: {valor} (esperado no máximo 2 casas decimais)")
    return f"{int(centavos):010d}"


def montar_codigo_barras(banco: str, valor: Decimal, vencimento: date, campo_livre: str) -> str:
    """The 44-digit barcode: bank, currency 9, general DV, factor, amount in cents, campo livre."""
    _exigir_digitos("código do banco", banco, 3)
    _exigir_digitos("campo livre", campo_livre, 25)
    sem_dv = f"{banco}{MOEDA_REAL}{fator_vencimento(vencimento):04d}{_valor_em_centavos(valor)}{campo_livre}"
    return f"{sem_dv[:4]}{mod11_dv_geral(sem_dv)}{sem_dv[4:]}"


def _validar_codigo_barras(codigo_barras: str) -> None:
    _exigir_digitos("código de barras", codigo_barras, 44)
    if int(codigo_barras[4]) != mod11_dv_geral(codigo_barras[:4] + codigo_barras[5:]):
        raise ValueError(f"código de barras inválido: {codigo_barras!r} (dígito verificador geral não confere)")


def _com_dv(campo: str) -> str:
    return f"{campo}{mod10(campo)}"


def linha_digitavel(codigo_barras: str) -> str:
    """The 47-digit linha digitável of a valid barcode."""
    _validar_codigo_barras(codigo_barras)
    return (
        _com_dv(codigo_barras[0:4] + codigo_barras[19:24])
        + _com_dv(codigo_barras[24:34])
        + _com_dv(codigo_barras[34:44])
        + codigo_barras[4]
        + codigo_barras[5:19]
    )


def _limpar_linha(linha: str) -> str:
    digitos = _SEPARADORES.sub("", linha)
    _exigir_digitos("linha digitável", digitos, 47)
    return digitos


def formatar_linha(linha: str) -> str:
    """`AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE`, as printed on the boleto."""
    d = _limpar_linha(linha)
    return f"{d[0:5]}.{d[5:10]} {d[10:15]}.{d[15:21]} {d[21:26]}.{d[26:32]} {d[32]} {d[33:47]}"


def codigo_barras_da_linha(linha: str) -> str:
    """The barcode a typed linha digitável (digits or formatted) stands for; checks every DV."""
    d = _limpar_linha(linha)
    campos = (("campo 1", d[0:9], d[9]), ("campo 2", d[10:20], d[20]), ("campo 3", d[21:31], d[31]))
    for nome, corpo, dv in campos:
        if mod10(corpo) != int(dv):
            raise ValueError(f"linha digitável inválida: dígito verificador do {nome} não confere ({corpo}-{dv})")
    codigo = d[0:4] + d[32] + d[33:47] + d[4:9] + d[10:20] + d[21:31]
    if mod11_dv_geral(codigo[:4] + codigo[5:]) != int(d[32]):
        raise ValueError(f"linha digitável inválida: dígito verificador geral (campo 4) não confere ({d[32]})")
    return codigo


def campo_livre_bb_convenio7(convenio: str, nosso_numero: str, carteira: str) -> str:
    """Banco do Brasil campo livre for 7-digit convênios: zeros(6), convênio, nosso número(10), carteira."""
    _exigir_digitos("convênio", convenio, 7)
    _exigir_digitos("carteira", carteira, 2)
    if not _DIGITOS.fullmatch(nosso_numero) or len(nosso_numero) > 10:
        raise ValueError(f"nosso número inválido: {nosso_numero!r} (esperado de 1 a 10 dígitos)")
    return f"000000{convenio}{nosso_numero:0>10}{carteira}"


@dataclass(frozen=True)
class Boleto:
    """An issued boleto; the barcode and linha are checked against amount and due date on creation."""

    banco: str
    valor: Decimal
    vencimento: date
    nosso_numero: str
    codigo_barras: str
    linha_digitavel: str

    def __post_init__(self) -> None:
        _validar_codigo_barras(self.codigo_barras)
        esperado = montar_codigo_barras(self.banco, self.valor, self.vencimento, self.codigo_barras[19:])
        if self.codigo_barras != esperado:
            raise ValueError(f"código de barras não confere com banco, valor e vencimento: {self.codigo_barras!r}")
        if self.linha_digitavel != linha_digitavel(self.codigo_barras):
            raise ValueError(f"linha digitável não confere com o código de barras: {self.linha_digitavel!r}")

    @classmethod
    def montar(cls, banco: str, valor: Decimal, vencimento: date, nosso_numero: str, campo_livre: str) -> Boleto:
        """Build a boleto from its parts, computing barcode and linha digitável."""
        codigo = montar_codigo_barras(banco, valor, vencimento, campo_livre)
        return cls(banco, valor, vencimento, nosso_numero, codigo, linha_digitavel(codigo))

    @property
    def linha_formatada(self) -> str:
        return formatar_linha(self.linha_digitavel)
