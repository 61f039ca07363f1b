"""A day's plan streamed from the database in blocks: the same plan whatever the block size, no debtor split."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import Devedor
from bot.disparo.planejamento import planejar_e_enfileirar, planos
from bot.regua.agenda import Linha
from tests.apoio.acordos import acordo_em_duas_parcelas
from tests.apoio.projetos import projeto_padrao

DIA = date(2026, 11, 23)  # Monday: the eve of 24/11
AGORA = datetime(2026, 11, 23, 3, tzinfo=UTC)
# Maria: two installments due tomorrow (two contracts) and an old one not due today; João: one due tomorrow.
# Ana (between them) and Carlos (after the last) owe only agreement installments due tomorrow.
CSV = """cpf;nome;telefone;uf;contrato;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;C-1;3;100,00;24/11/2026
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;C-1;2;100,00;01/10/2026
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;C-1;5;100,00;24/01/2027
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;C-2;1;50,00;24/11/2026
528.739.146-37;Ana Carolina Ferreira;(31) 98456-7812;MG;C-3;1;10,00;10/12/2026
719.428.367-08;João Pedro Oliveira;(21) 99812-3456;RJ;C-4;1;80,00;24/11/2026
836.172.405-26;Carlos Eduardo Souza;(71) 99234-5678;BA;C-5;1;10,00;10/12/2026
"""


async def _semear(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
        for nome in ("Ana", "Carlos"):  # agreements of 2 × R$ 100 (R$ 200 in all), due 24/11 and 24/12
            devedor = (await s.exec(select(Devedor).where(Devedor.nome.startswith(nome)))).one()
            assert devedor.id is not None
            await acordo_em_duas_parcelas(s, devedor.id, f"a-{nome}", canal="whatsapp")
        await s.commit()


def _resumo(linhas: list[Linha]) -> list[tuple[str, str, int, int, str | None, datetime | None]]:
    return sorted(
        (ln.devedor.nome.split()[0], ln.passo.nome, ln.item.total, ln.item.atraso_dias, ln.motivo, ln.quando)
        for ln in linhas
    )


async def _plano(engine: AsyncEngine, bloco: int) -> tuple[int, list[Linha]]:
    regua = projeto_padrao().config.regua
    blocos = [linhas async for linhas in planos(engine, regua, "Loja", DIA, AGORA, bloco)]
    return len(blocos), [linha for linhas in blocos for linha in linhas]


async def test_o_mesmo_plano_em_blocos_de_uma_parcela_ou_num_bloco_so(engine: AsyncEngine) -> None:
    await _semear(engine)
    blocos_pequenos, pequenos = await _plano(engine, 1)
    blocos_grandes, grandes = await _plano(engine, 5000)
    assert blocos_pequenos == blocos_grandes == 3  # Maria | Ana, João | Carlos (a partition ends a block)
    assert _resumo(pequenos) == _resumo(grandes)
    nove_em_sp = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert _resumo(pequenos) == [
        ("Ana", "acordo_vespera", 2, 0, None, nove_em_sp),
        ("Carlos", "acordo_vespera", 2, 0, None, nove_em_sp),
        ("João", "vespera", 1, -1, None, nove_em_sp),
        # Both of Maria's reminders were decided together: the second waits for the daily cap, for tomorrow.
        ("Maria", "vespera", 1, 53, "limite diário (1) atingido", datetime(2026, 11, 24, 12, tzinfo=UTC)),
        ("Maria", "vespera", 5, 53, None, nove_em_sp),
    ]


async def test_enfileirar_bloco_a_bloco_nao_duplica(engine: AsyncEngine) -> None:
    await _semear(engine)
    regua = projeto_padrao().config.regua
    assert await planejar_e_enfileirar(engine, regua, "Loja", DIA, AGORA) == 5
    assert await planejar_e_enfileirar(engine, regua, "Loja", DIA, AGORA) == 0
