"""`python -m bot regua [--data AAAA-MM-DD] [--dry-run]`: the day's plan for a manager, and enqueuing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.calendario import fuso
from bot.dados.banco import sessao
from bot.formatos import mascarar_cpf
from bot.regua import fatos
from bot.regua.config import Regua
from bot.regua.fila import enfileirar
from bot.regua.plano import Linha, planejar

_DIAS = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


async def plano_do_dia(engine: AsyncEngine, regua: Regua, credor: str, dia: date, agora: datetime) -> list[Linha]:
    """The plan for `dia` from the database; contacts already made or scheduled count against the caps."""
    async with sessao(engine) as s:
        devedores = await fatos.devedores(s, regua.politica, agora)
        itens = await fatos.cobraveis(s, dia)
        historico = await fatos.contatos(s, agora - timedelta(days=8), pendentes=True)
    hoje = agora.astimezone(fuso("SP")).date()
    return planejar(regua, devedores, itens, dia, credor, historico, agora if dia <= hoje else None)


def descrever(linha: Linha) -> str:
    """One line of the plan: who (masked CPF), step, channel, template, and when or why blocked."""
    canal = linha.pedido.canal.value if linha.pedido else "-"
    modelo = (linha.pedido.passo.modelos[linha.pedido.canal].modelo if linha.pedido else None) or "texto"
    inicio = f"{mascarar_cpf(linha.devedor.cpf)}  {linha.devedor.uf}  {linha.passo.nome:<16} {canal:<9} {modelo:<22}"
    zona = fuso(linha.devedor.uf)
    if linha.quando is None:
        return f"{inicio} descartado: {linha.motivo}"
    local = linha.quando.astimezone(zona)
    if linha.motivo is None:
        return f"{inicio} às {local:%H:%M} ({zona.key})"
    return f"{inicio} bloqueado: {linha.motivo}; adiado para {local:%d/%m %H:%M} ({zona.key})"


async def regua(
    engine: AsyncEngine, regua_cfg: Regua, credor: str, dia: date, agora: datetime, previa: bool, saida: TextIO
) -> int:
    linhas = await plano_do_dia(engine, regua_cfg, credor, dia, agora)
    imprimir(linhas, dia, saida)
    if previa:
        print("Prévia (--dry-run): nada foi enfileirado nem enviado.", file=saida)
        return 0
    async with sessao(engine) as s:
        novos = await enfileirar(s, regua_cfg, linhas)
    print(f"{novos} lembrete(s) novo(s) na fila de envio.", file=saida)
    return 0


def imprimir(linhas: Sequence[Linha], dia: date, saida: TextIO) -> None:
    print(f"Régua de {dia:%d/%m/%Y} ({_DIAS[dia.weekday()]}): {len(linhas)} lembrete(s)", file=saida)
    for linha in linhas:
        print(descrever(linha), file=saida)
