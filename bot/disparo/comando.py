"""`python -m bot regua [--data AAAA-MM-DD] [--dry-run]`: the day's plan for a manager, and enqueuing it.

The plan is printed and enqueued block by block as it streams from the database (`regua.planejamento`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.calendario import fuso
from bot.config.regua import Regua
from bot.dados.banco import sessao
from bot.dados.fila import enfileirar
from bot.disparo.planejamento import Variantes, planos
from bot.formatos import mascarar_cpf
from bot.regua.agenda import Linha

_DIAS = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


async def plano_do_dia(
    engine: AsyncEngine,
    regua: Regua,
    credor: str,
    dia: date,
    agora: datetime,
    variantes: Variantes | None = None,
) -> list[Linha]:
    """The whole plan for `dia` in one list (the console's preview); the command itself streams it."""
    blocos = planos(engine, regua, credor, dia, agora, variantes=variantes)
    return [linha async for linhas in blocos for linha in linhas]


def descrever(linha: Linha) -> str:
    """One line of the plan: who (masked CPF), step, channel, template, and when or why blocked."""
    canal = linha.pedido.canal.value if linha.pedido else "-"
    modelo = (linha.pedido.modelo.modelo if linha.pedido else None) or "texto"
    inicio = f"{mascarar_cpf(linha.devedor.cpf)}  {linha.devedor.uf}  {linha.passo.nome:<16} {canal:<9} {modelo:<22}"
    zona = fuso(linha.devedor.uf)
    if linha.quando is None:
        return f"{inicio} descartado: {linha.motivo}"
    local = linha.quando.astimezone(zona)
    if linha.motivo is None:
        return f"{inicio} às {local:%H:%M} ({zona.key})"
    return f"{inicio} bloqueado: {linha.motivo}; adiado para {local:%d/%m %H:%M} ({zona.key})"


async def regua(
    engine: AsyncEngine,
    regua_cfg: Regua,
    credor: str,
    dia: date,
    agora: datetime,
    previa: bool,
    saida: TextIO,
    variantes: Variantes | None = None,
) -> int:
    """Print the plan block by block as it is decided and, unless `previa`, enqueue each block as it is printed."""
    print(f"Régua de {dia:%d/%m/%Y} ({_DIAS[dia.weekday()]}):", file=saida)
    total = novos = 0
    async for linhas in planos(engine, regua_cfg, credor, dia, agora, variantes=variantes):
        for linha in linhas:
            print(descrever(linha), file=saida)
        total += len(linhas)
        if not previa:
            async with sessao(engine) as s:
                novos += await enfileirar(s, regua_cfg, linhas)
    print(f"{total} lembrete(s) no plano.", file=saida)
    if previa:
        print("Prévia (--dry-run): nada foi enfileirado nem enviado.", file=saida)
    else:
        print(f"{novos} lembrete(s) novo(s) na fila de envio.", file=saida)
    return 0
