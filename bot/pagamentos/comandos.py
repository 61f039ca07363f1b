"""`python -m bot pagar` and `python -m bot import-pagamentos`: confirmations typed or imported by the company."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from sqlmodel import select

from bot.calendario import fuso
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import Acordo, Devedor
from bot.pagamentos.confirmacao import Confirmacao, Confirmador, Desfecho, documento_por_codigo
from bot.pagamentos.retorno import ler_retorno
from bot.planilha import PlanilhaIlegivel, ler_planilha


async def pagar(
    confirmador: Confirmador,
    codigo: str,
    valor: Decimal | None,
    dia: date | None,
    relogio: Callable[[], datetime],
    saida: TextIO,
) -> int:
    """Simulate the local provider confirming a payment of a document (the rest of it, unless `valor`)."""
    agora = relogio()
    async with sessao(confirmador.engine) as s:
        documento = await documento_por_codigo(s, codigo)
        if documento is None:
            print(f"documento não encontrado: {codigo!r} (use o nosso número ou o txid)", file=sys.stderr)
            return 1
        pagos = await s.exec(select(PagamentoRecebido).where(PagamentoRecebido.documento_id == documento.id))
        restante = documento.valor - sum((p.valor for p in pagos.all()), Decimal("0.00"))
        acordo = await s.get(Acordo, documento.acordo_id)
        devedor = await s.get(Devedor, acordo.devedor_id) if acordo else None
    if valor is None and restante <= 0:
        print(f"documento {documento.nosso_numero} já está pago: nada mudou", file=saida)
        return 0
    valor = valor if valor is not None else restante
    uf = devedor.uf if devedor else confirmador.config.regua.politica.uf_padrao
    dia = dia or agora.astimezone(fuso(uf)).date()
    id_provedor = f"simulado-{documento.txid}-{valor}-{dia.isoformat()}"
    confirmacao = Confirmacao("local", id_provedor, "simulado", documento.txid, valor, dia)
    print(await confirmador.confirmar(confirmacao, agora), file=saida)
    return 0


async def importar_pagamentos(
    confirmador: Confirmador, arquivo: Path, relogio: Callable[[], datetime], saida: TextIO
) -> int:
    """Apply a return CSV: all lines valid or nothing applied; a re-import changes nothing twice."""
    try:
        texto = ler_planilha(arquivo)
    except PlanilhaIlegivel as erro:
        print(erro, file=sys.stderr)
        return 1
    linhas, erros = ler_retorno(texto, str(arquivo))
    for erro_linha in erros:
        print(erro_linha, file=sys.stderr)
    if erros:
        print(f"Nada foi importado: {len(erros)} erro(s).", file=sys.stderr)
        return 1
    contagem = dict.fromkeys(Desfecho, 0)
    for linha in linhas:
        confirmacao = Confirmacao("retorno", linha.id_pagamento, "retorno", linha.documento, linha.valor, linha.data)
        resultado = await confirmador.confirmar(confirmacao, relogio())
        contagem[resultado.desfecho] += 1
        if resultado.desfecho is Desfecho.DOCUMENTO_DESCONHECIDO:
            print(f"{arquivo}:{linha.linha}: documento não encontrado: {linha.documento}", file=sys.stderr)
    print(
        f"{contagem[Desfecho.REGISTRADO]} pagamento(s) registrado(s), {contagem[Desfecho.DUPLICADO]} já conhecido(s), "
        f"{contagem[Desfecho.DOCUMENTO_DESCONHECIDO]} sem documento",
        file=saida,
    )
    return 1 if contagem[Desfecho.DOCUMENTO_DESCONHECIDO] else 0
