"""The scheduler hook: two jobs that only tick; running them plans and dispatches through the database."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.importacao import importar_carteira
from bot.disparo.despacho import Despachante
from bot.disparo.relogio import instalar
from bot.porta import TipoCanal
from tests.apoio.falsos.remetente import RemetenteFalso
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import Relogio

CSV = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;;varejo;C-1;Carnê;1;100;24/11/2026
"""


async def test_os_trabalhos_planejam_e_despacham(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CSV))
    relogio = Relogio(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # 8h in São Paulo: before the window
    zap = RemetenteFalso()
    agendador = AsyncIOScheduler(timezone=UTC)
    instalar(agendador, Despachante(engine, projeto_padrao().config.regua, {TipoCanal.WHATSAPP: zap}), "Loja",
             relogio)  # fmt: skip
    trabalhos = {t.id: t for t in agendador.get_jobs()}
    assert set(trabalhos) == {"regua-planejar", "regua-despachar"}
    assert await trabalhos["regua-planejar"].func() == 1
    assert await trabalhos["regua-planejar"].func() == 0
    assert (await trabalhos["regua-despachar"].func()).enviadas == 0
    relogio.agora = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert (await trabalhos["regua-despachar"].func()).enviadas == 1
    assert len(zap.enviados) == 1
