"""Régua benchmarks: planning a day over N open installments read from the database, end to end (the `regua`
command and `serve`'s planning job, each in a process of its own for its peak memory), and dispatching the outbox
to a fake Graph API that enforces a per-second limit and counts every second it was exceeded."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from aiohttp import web

RAIZ = Path(__file__).resolve().parent.parent


DIA_DO_PLANO = date(2026, 11, 24)  # a Tuesday
AGORA_DO_PLANO = "2026-11-24T08:00-03:00"


async def semear_parcelas(url: str, parcelas: int) -> None:
    """`parcelas` open installments, four per debtor (one contract each), due on 40 consecutive days around the
    plan's day so about one in ten is due for some step; written with Core bulk inserts, not the importer."""
    from sqlalchemy import insert

    from bot.dados.banco import criar_engine
    from bot.dados.modelos import Contrato, Devedor, Parcela

    engine = criar_engine(url)
    criado = datetime(2026, 1, 1, tzinfo=UTC)
    devedores = parcelas // 4
    try:
        for inicio in range(0, devedores, 20_000):
            ids = range(inicio + 1, min(devedores, inicio + 20_000) + 1)
            async with engine.begin() as conexao:
                await conexao.execute(insert(Devedor), [
                    {"id": i, "cpf": f"{i:011d}", "nome": f"Pessoa {i}", "telefone": f"+55119{i:08d}",
                     "uf": ("SP", "RJ", "AM", "BA")[i % 4], "telefone_invalido": False, "criado_em": criado,
                     "atualizado_em": criado} for i in ids])  # fmt: skip
                await conexao.execute(insert(Contrato), [{"id": i, "devedor_id": i, "numero": f"C{i}"} for i in ids])
                await conexao.execute(insert(Parcela), [
                    {"contrato_id": i, "numero": k + 1, "valor": Decimal("100.00"), "situacao": "aberta",
                     "vencimento": DIA_DO_PLANO - timedelta(days=(4 * i + k) % 40 - 10)}
                    for i in ids for k in range(4)])  # fmt: skip
    finally:
        await engine.dispose()


def _medir(comando: list[str]) -> dict[str, float]:
    """Wall time and the child's own peak RSS (`wait4`), its output thrown away."""
    inicio = time.perf_counter()
    processo = subprocess.Popen(comando, cwd=RAIZ, stdout=subprocess.DEVNULL)
    _pid, estado, uso = os.wait4(processo.pid, 0)
    processo.returncode = os.waitstatus_to_exitcode(estado)
    if processo.returncode != 0:
        raise RuntimeError(f"{comando} terminou com {processo.returncode}")
    return {"segundos": time.perf_counter() - inicio, "pico_mib": uso.ru_maxrss / 1024}


def planejar_do_banco(url: str) -> dict[str, float]:
    """End to end from the database: `python -m bot regua` (prints and enqueues the day's plan), then, on the
    outbox emptied again, `serve`'s planning job (`relogio.planejar_hoje`) in a process of its own."""
    asyncio.run(_esvaziar_fila(url))
    cli = _medir([sys.executable, "-m", "bot", "--db", url, "--now", AGORA_DO_PLANO, "regua", "--data",
                  DIA_DO_PLANO.isoformat()])  # fmt: skip
    enfileirados = asyncio.run(_esvaziar_fila(url))
    servidor = _medir([sys.executable, __file__, "planejar-serve", url])
    return {"cli_s": cli["segundos"], "cli_pico_mib": cli["pico_mib"], "serve_s": servidor["segundos"],
            "serve_pico_mib": servidor["pico_mib"], "enfileirados": enfileirados}  # fmt: skip


async def _esvaziar_fila(url: str) -> int:
    from sqlalchemy import text

    from bot.dados.banco import criar_engine

    engine = criar_engine(url)
    try:
        async with engine.begin() as conexao:
            return int(getattr(await conexao.execute(text("DELETE FROM saida")), "rowcount", 0))
    finally:
        await engine.dispose()


async def _planejar_como_serve(url: str) -> int:
    from bot.dados.banco import criar_engine
    from bot.disparo.relogio import planejar_hoje
    from bot.projeto import carregar_projeto

    projeto = carregar_projeto(RAIZ / "config.toml")
    engine = criar_engine(url)
    try:
        agora = datetime.fromisoformat(AGORA_DO_PLANO)
        return await planejar_hoje(engine, projeto.config.regua, projeto.config.credor.nome, agora)
    finally:
        await engine.dispose()


@dataclass
class GraphLimitado:
    """A fake Graph API allowing `limite` messages per wall-clock second; over it, 429 with code 130429."""

    limite: int
    por_segundo: Counter[int] = field(default_factory=Counter)
    recusadas: int = 0
    primeira: float = float("inf")  # the first and the last accepted arrival
    ultima: float = float("-inf")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v{versao}/{telefone}/messages", self._mensagens)
        return app

    async def _mensagens(self, request: web.Request) -> web.Response:
        corpo = await request.json()
        instante = time.time()
        segundo = int(instante)
        if self.por_segundo[segundo] >= self.limite:
            self.recusadas += 1
            erro = {"message": "rate limit", "type": "OAuthException", "code": 130429, "fbtrace_id": "x"}
            return web.json_response({"error": erro}, status=429)
        self.por_segundo[segundo] += 1
        self.primeira, self.ultima = min(self.primeira, instante), max(self.ultima, instante)
        numero = sum(self.por_segundo.values())
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": corpo["to"],
                                  "wa_id": corpo["to"]}], "messages": [{"id": f"wamid.{numero}"}]})  # fmt: skip


async def _enfileirar(url: str, quantos: int, quando: datetime) -> None:
    from sqlmodel import col, select

    from bot.dados.banco import criar_engine, sessao
    from bot.dados.modelos import Contrato, Devedor, Parcela
    from bot.dados.saida import Saida

    engine = criar_engine(url)
    async with sessao(engine) as s:
        linhas = (
            await s.exec(
                select(Parcela.id, Devedor.id, Devedor.telefone)
                .select_from(Parcela)
                .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
                .join(Devedor, col(Contrato.devedor_id) == col(Devedor.id))
            )
        ).all()
        for parcela_id, devedor_id, tel in linhas[:quantos]:
            s.add(Saida(alvo=f"parcela:{parcela_id}", passo="vespera", canal="whatsapp", devedor_id=devedor_id,
                        destino=tel or "", texto="Oi! Amanhã vence um pagamento.", modelo="lembrete_amanha",
                        parametros=["Pessoa"], proxima_tentativa=quando, prazo=quando + timedelta(days=3)))  # fmt: skip
        await s.commit()
    await engine.dispose()


async def despachar(url: str, quantos: int, taxa: int, instancias: int = 1) -> dict[str, float]:
    """Enqueue `quantos` reminders (one per debtor) and dispatch them all at `taxa`/s from `instancias` processes
    sharing the database (and so the number's rate); the rate is what the fake Graph API saw, from its first
    arrival to its last."""
    graph = GraphLimitado(taxa)
    executor = web.AppRunner(graph.app())
    await executor.setup()
    site = web.TCPSite(executor, "127.0.0.1", 0)
    await site.start()
    porta = executor.addresses[0][1]
    real0 = time.time()
    await _enfileirar(url, quantos, _base(real0))
    comando = [sys.executable, __file__, "despachar", url, str(porta), str(taxa), str(real0)]
    processos = [await asyncio.create_subprocess_exec(*comando, cwd=RAIZ) for _ in range(instancias)]
    codigos = await asyncio.gather(*(p.wait() for p in processos))
    await executor.cleanup()
    if any(codigos):
        raise RuntimeError(f"despachantes terminaram com {codigos}")
    enviadas = sum(graph.por_segundo.values())
    return {"enviadas": enviadas, "taxa": enviadas / (graph.ultima - graph.primeira),
            "max_por_segundo": max(graph.por_segundo.values()), "recusadas_429": graph.recusadas}  # fmt: skip


def _base(real0: float) -> datetime:
    """Real time shifted to a Tuesday 10:00 in São Paulo, aligned on the second so both sides count the same ones."""
    return datetime(2026, 11, 24, 13, 0, tzinfo=UTC) + timedelta(seconds=real0 % 1)


async def _uma_instancia(url: str, porta: int, taxa: int, real0: float) -> None:
    """One dispatcher process, as `serve` runs it (the ledger, the shared rate), until the outbox is drained."""
    from sqlalchemy import text

    from bot.canais.whatsapp import RemetenteWhatsapp
    from bot.dados.banco import criar_engine
    from bot.dados.registro import RemetenteRegistrado
    from bot.disparo.despacho import Despachante
    from bot.porta import TipoCanal
    from bot.projeto import carregar_projeto

    regua = carregar_projeto(RAIZ / "config.toml").config.regua
    limites = regua.limites.model_copy(update={"por_segundo": {TipoCanal.WHATSAPP: taxa}})
    regua = regua.model_copy(update={"limites": limites})
    remetente = RemetenteWhatsapp("106540352242922", "token-wa", "s", f"http://127.0.0.1:{porta}", "21.0")
    base = _base(real0)

    def agora() -> datetime:
        return base + timedelta(seconds=time.time() - real0)

    engine = criar_engine(url)
    despachante = Despachante(engine, regua, {TipoCanal.WHATSAPP: RemetenteRegistrado(engine, remetente, agora)})
    abertas = text("SELECT count(*) FROM saida WHERE situacao IN ('pendente', 'enviando')")
    inicio = time.perf_counter()
    while time.perf_counter() - inicio < 600:
        if not (await despachante.rodada(agora())).enviadas:  # another instance may hold the last rows
            async with engine.connect() as conexao:
                if not (await conexao.execute(abertas)).scalar_one():
                    break
            await asyncio.sleep(0.05)
    await remetente.fechar()
    await engine.dispose()


if __name__ == "__main__":
    sys.path.insert(0, str(RAIZ))
    if sys.argv[1:2] == ["planejar-serve"]:
        print(asyncio.run(_planejar_como_serve(sys.argv[2])))
    elif sys.argv[1:2] == ["despachar"]:
        asyncio.run(_uma_instancia(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])))
    else:
        raise SystemExit(f"uso: {sys.argv[0]} planejar-serve URL | despachar URL PORTA TAXA INSTANTE")
