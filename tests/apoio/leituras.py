"""Reading the database back in the tests: what the app left in a table, in the order it was written."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.dados.banco import sessao
from bot.dados.modelos import Devedor, DocumentoPagamento
from bot.dados.saida import Saida

CPF_MARIA = "39053344705"  # the first line of the example portfolio


async def saidas_gravadas(engine: AsyncEngine) -> list[Saida]:
    async with sessao(engine) as s:
        return list((await s.exec(select(Saida).order_by(col(Saida.id)))).all())


async def documentos_gravados(engine: AsyncEngine) -> list[DocumentoPagamento]:
    async with sessao(engine) as s:
        return list((await s.exec(select(DocumentoPagamento).order_by(col(DocumentoPagamento.id)))).all())


async def id_de_maria(engine: AsyncEngine) -> int:
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.cpf == CPF_MARIA))).one()
    assert devedor.id is not None
    return devedor.id
