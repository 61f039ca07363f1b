"""Three real `serve` processes dispatch one outbox while things go wrong: exactly once, nothing lost.

The fake Graph API answers 429, 500 and timeouts (some dropped, two hung past the client's timeout) for a while,
one instance is SIGKILLed in the middle and started again, and on PostgreSQL the database "restarts" once (every
connection cut, new ones refused for a few seconds). In the end every reminder is `enviada` or, where the provider
may have taken it without answering, `incerta` — and no recipient got two.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import Contrato, Devedor, Parcela
from bot.dados.saida import Saida
from tests.apoio.bancos import Bancos
from tests.apoio.processos import Falhas, GraphComFalhas, esperar, esperar_async, implantacao

pytestmark = pytest.mark.processos  # minutes of real processes: `make test-processos`, a step of `make test`

LEMBRETES = 10_000  # the size of the run; each instance sends at most TAXA per second
INSTANCIAS = 3
TAXA = 400
INICIO = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # a Tuesday, 10:00 in São Paulo, whenever the test runs
LIMITE_SEGUNDOS = 240  # the whole run, seeding excluded (measured here: 70–75 s on SQLite, 116–209 s on PostgreSQL)
RESERVA = 20  # > the client's 15 s timeout: a live sender's claim is never taken for a dead one's


def _config(pasta: Path, graph: int) -> Path:
    texto = (Path(__file__).parents[2] / "config.toml").read_text(encoding="utf-8")
    trocas = {
        r"^por_segundo = .*$": f"por_segundo = {{ whatsapp = {TAXA} }}",
        r"^tentativas_max = .*$": "tentativas_max = 20",
        r"^espera_inicial_segundos = .*$": "espera_inicial_segundos = 1",
        r"^reserva_segundos = .*$": f"reserva_segundos = {RESERVA}",
    }
    for padrao, novo in trocas.items():
        texto, quantas = re.subn(padrao, novo, texto, count=1, flags=re.MULTILINE)
        assert quantas == 1, padrao
    texto += f'\n[canais.whatsapp]\nid_telefone = "106540352242922"\napi_base_url = "http://127.0.0.1:{graph}"\n'
    (pasta / "config.toml").write_text(texto, encoding="utf-8")
    raiz = Path(__file__).parents[2]
    for nome in ("fluxos", "mensagens"):
        (pasta / nome).symlink_to(raiz / nome)
    return pasta / "config.toml"


async def _inserir(s: AsyncSession, tabela: type[SQLModel], linhas: list[dict[str, Any]]) -> None:
    await (await s.connection()).execute(insert(tabela), linhas)


async def _semear(url: str) -> None:
    """LEMBRETES debtors, each with one open installment and one due WhatsApp reminder, in a few bulk inserts."""
    vence = (INICIO + timedelta(days=100)).date()  # far from any step: `serve`'s own planning adds nothing
    engine = criar_engine(url)
    try:
        async with sessao(engine) as s:
            pessoas = [{"cpf": f"{i:011d}", "nome": f"Pessoa {i}", "uf": "SP", "telefone": f"+55119{i:08d}"}
                       for i in range(LEMBRETES)]  # fmt: skip
            await _inserir(s, Devedor, pessoas)
            devedores = (await s.exec(select(Devedor.id, Devedor.telefone))).all()
            await _inserir(s, Contrato, [{"devedor_id": d, "numero": f"C{d}"} for d, _ in devedores])
            contratos = (await s.exec(select(Contrato.id))).all()
            await _inserir(s, Parcela, [{"contrato_id": c, "numero": 1, "valor": Decimal(100), "vencimento": vence}
                                        for c in contratos])  # fmt: skip
            consulta = (
                select(Parcela.id, Contrato.devedor_id, Devedor.telefone)
                .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
                .join(Devedor, col(Contrato.devedor_id) == col(Devedor.id))
            )
            await _inserir(s, Saida, [{
                "alvo": f"parcela:{p}", "passo": "vespera", "canal": "whatsapp", "devedor_id": d, "destino": tel,
                "texto": "Oi! Amanhã vence um pagamento.", "modelo": "lembrete_amanha", "parametros": ["Pessoa"],
                "canais_restantes": [], "situacao": "pendente", "tentativas": 0, "usar_modelo": False,
                "proxima_tentativa": INICIO, "prazo": INICIO + timedelta(days=3), "dados": {},
            } for p, d, tel in (await s.exec(consulta)).all()])  # fmt: skip
            await s.commit()
    finally:
        await engine.dispose()


async def _situacoes(url: str) -> Counter[str]:
    engine = criar_engine(url)
    try:
        async with sessao(engine) as s:
            linhas = (await s.exec(select(Saida.situacao, func.count()).group_by(col(Saida.situacao)))).all()
        return Counter(dict(linhas))
    finally:
        await engine.dispose()


async def _final(url: str) -> list[Saida]:
    engine = criar_engine(url)
    try:
        async with sessao(engine) as s:
            return list((await s.exec(select(Saida))).all())
    finally:
        await engine.dispose()


async def test_tres_instancias_com_falhas_enviam_cada_lembrete_uma_vez(
    tmp_path: Path, banco_migrado: str | Path, bancos: Bancos
) -> None:
    url = bancos.copia(banco_migrado, "processos")
    await _semear(url)
    graph = GraphComFalhas(Falhas(inicio=LEMBRETES // 10, quantas=LEMBRETES // 10))
    ambiente = {"WHATSAPP_TOKEN": "token-wa", "WHATSAPP_APP_SECRET": "segredo", "WHATSAPP_VERIFY_TOKEN": "v"}
    config = functools.partial(_config, tmp_path)
    async with implantacao(graph, url, config, INICIO.isoformat(), ambiente, tmp_path) as implantada:
        instancias, proxy = implantada.instancias, implantada.proxy
        inicio = time.monotonic()
        try:
            instancias.iniciar(INSTANCIAS)
            await esperar(lambda: graph.aceitas >= LEMBRETES * 3 // 10, LIMITE_SEGUNDOS, motivo="30 % aceitos")
            instancias.matar(0)
            instancias.reiniciar(0)
            if proxy is not None:
                await esperar(lambda: graph.aceitas >= LEMBRETES // 2, LIMITE_SEGUNDOS, motivo="metade aceita")
                proxy.cortar(3.0)

            async def terminou() -> bool:
                situacoes = await _situacoes(url)
                return situacoes["pendente"] + situacoes["enviando"] == 0

            restante = LIMITE_SEGUNDOS - (time.monotonic() - inicio)
            await esperar_async(terminou, restante, motivo="fila vazia (nada pendente nem enviando)")
            assert len(instancias.vivas()) == INSTANCIAS, instancias.logs()
        except AssertionError as erro:
            progresso = f"{time.monotonic() - inicio:.0f} s, {graph.aceitas} aceitas"
            estado = f"{await _situacoes(url)}\n{graph.respostas}"
            raise AssertionError(f"{erro} ({progresso})\n{estado}\n{instancias.logs()}") from erro

    linhas = await _final(url)
    situacoes = Counter(saida.situacao for saida in linhas)
    assert situacoes["enviada"] + situacoes["incerta"] == LEMBRETES, situacoes  # nothing failed, dropped or lost
    assert max(graph.por_destino.values()) == 1  # nobody got two
    assert max(graph.por_chave.values()) == 1
    enviadas = {s.chave: s for s in linhas if s.situacao == "enviada"}
    assert all(graph.ids[s.id_provedor or ""] == chave for chave, s in enviadas.items())  # sent = the provider has it
    incertas = [s for s in linhas if s.situacao == "incerta"]
    assert graph.aceitas == len(enviadas) + sum(1 for s in incertas if graph.por_chave[s.chave])
    assert graph.respostas["derruba"] > 0 and graph.respostas["429"] > 0 and graph.respostas["500"] > 0
    assert proxy is None or proxy.cortes == 1
