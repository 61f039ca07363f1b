"""The embedded payment provider: issues a Banco do Brasil boleto and a static PIX without calling a bank."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.boleto_pix.boleto import Boleto, campo_livre_bb_convenio7
from bot.boleto_pix.pix import pix_copia_e_cola
from bot.boleto_pix.provedor import CobrancaEmitida, ErroProvedor, PedidoCobranca
from bot.calendario import dia_util, feriado, proximo_dia_util
from bot.config.pagamentos import PagamentosConfig

_NOSSO_NUMERO = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class DocumentoEmitido:
    """A boleto and a PIX code for the same amount, due date and nosso número."""

    nosso_numero: str
    txid: str
    valor: Decimal
    vencimento: date
    boleto: Boleto
    pix: str


def emitir_documento(
    config: PagamentosConfig,
    valor: Decimal,
    vencimento: date,
    nosso_numero: str,
    descricao: str | None = None,
    uf: str | None = None,
) -> DocumentoEmitido:
    """Issue the boleto and PIX for one charge; `vencimento` must be a bank business day (national + `uf`)."""
    if not dia_util(vencimento, uf):
        motivo = feriado(vencimento, uf) or "fim de semana"
        raise ValueError(
            f"vencimento em dia sem expediente bancário: {vencimento.isoformat()} ({motivo}); "
            f"use o próximo dia útil, {proximo_dia_util(vencimento, uf).isoformat()}"
        )
    if not _NOSSO_NUMERO.fullmatch(nosso_numero):
        raise ValueError(f"nosso número inválido: {nosso_numero!r} (esperado de 1 a 10 dígitos)")
    complemento = nosso_numero.zfill(10)  # "123" and "0000000123" are the same boleto
    # BB prints convênio + complemento as the 17-digit nosso número; reusing it as txid lets a PIX
    # credit be matched to the boleto it settles.
    nosso_numero_bb = config.convenio + complemento
    campo_livre = campo_livre_bb_convenio7(config.convenio, complemento, config.carteira)
    boleto = Boleto.montar(config.banco, valor, vencimento, nosso_numero_bb, campo_livre)
    pix = pix_copia_e_cola(
        config.pix_chave, config.pix_nome, config.pix_cidade, valor, nosso_numero_bb, descricao=descricao
    )
    return DocumentoEmitido(complemento, nosso_numero_bb, valor, vencimento, boleto, pix)


@dataclass(frozen=True)
class ProvedorLocal:
    """The `local` provider behind the PSP port: the document is computed here, so a retry is the same one."""

    config: PagamentosConfig
    nome: str = "local"

    async def emitir(self, pedido: PedidoCobranca) -> CobrancaEmitida:
        try:
            doc = emitir_documento(
                self.config, pedido.valor, pedido.vencimento, pedido.nosso_numero, pedido.descricao, pedido.uf
            )
        except ValueError as erro:
            raise ErroProvedor(str(erro)) from erro
        return CobrancaEmitida(doc.txid, doc.boleto.linha_formatada, doc.boleto.codigo_barras, doc.pix)
