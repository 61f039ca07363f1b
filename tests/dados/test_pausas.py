"""An opt-out (through the conversation service) drops the debtor's pending reminders in the same transaction.

A confirmed payment drops the paid installment's reminders in `bot.pagamentos.confirmacao` (test_pagamentos_regua).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.atendimento.servico import Atendimento
from bot.conversa.fatos import Entrada
from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.fila import enfileirar
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import Devedor
from bot.dados.saida import Saida
from bot.disparo.comando import plano_do_dia
from tests.apoio.projetos import projeto_padrao

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;varejo;C-1;Carnê;1;100;24/11/2026
529.982.247-25;João Pereira;(21) 99876-5432;RJ;02/02/1970;;varejo;C-2;Carnê;1;80;24/11/2026
"""
AGORA = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # Monday 8h in São Paulo: planned for 9h, still pending


async def _semear(engine: AsyncEngine) -> dict[str, int]:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
    regua = projeto_padrao().config.regua
    linhas = await plano_do_dia(engine, regua, "Loja", date(2026, 11, 23), AGORA)
    async with sessao(engine) as s:
        assert await enfileirar(s, regua, linhas) == 2
        maria = (await s.exec(select(Devedor).where(Devedor.nome.startswith("Maria")))).one()
        assert maria.id is not None
        s.add(Saida(alvo="acordo:41", passo="parcela_amanha", canal="whatsapp", devedor_id=maria.id, destino="+55",
                    texto="t", proxima_tentativa=AGORA, prazo=AGORA + timedelta(days=3)))  # fmt: skip
        await s.commit()
        return {d.nome.split()[0]: d.id for d in (await s.exec(select(Devedor))).all() if d.id is not None}


async def _situacoes(engine: AsyncEngine) -> dict[tuple[int, str], tuple[str, str | None]]:
    async with sessao(engine) as s:
        return {(x.devedor_id, x.alvo.split(":")[0]): (x.situacao, x.motivo) for x in (await s.exec(select(Saida)))}


async def test_optout_na_conversa_descarta_os_pendentes_do_devedor_na_mesma_transacao(engine: AsyncEngine) -> None:
    ids = await _semear(engine)
    atendimento = Atendimento(projeto_padrao().motor, engine, lambda: AGORA)
    await atendimento.receber(ids["Maria"], "whatsapp", Entrada("PARAR"))
    situacoes = await _situacoes(engine)
    assert situacoes[(ids["Maria"], "parcela")] == ("descartada", "opt-out pelo canal whatsapp")
    assert situacoes[(ids["Maria"], "acordo")][0] == "descartada"
    assert situacoes[(ids["João"], "parcela")] == ("pendente", None)
    async with sessao(engine) as s:
        maria = await s.get(Devedor, ids["Maria"])
    assert maria is not None and maria.optout_em == AGORA
