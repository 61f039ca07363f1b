"""Régua benchmarks: planning a day over N open installments (own process, for its peak memory), and dispatching
the outbox to a fake Graph API that enforces a per-second limit and counts every second it was exceeded."""

from __future__ import annotations

import json
import resource
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


def _planejar_aqui(parcelas: int) -> dict[str, float]:
    from bot.projeto import carregar_projeto
    from bot.regua.config import Alvo
    from bot.regua.plano import Cobravel, DevedorRegua, planejar

    regua = carregar_projeto(RAIZ / "config.toml").config.regua
    dia = date(2026, 11, 24)  # a Tuesday
    inicio = time.perf_counter()
    devedores = {
        i: DevedorRegua(i, f"{i:011d}", f"Pessoa {i}", ("SP", "RJ", "AM", "BA")[i % 4], telefone=f"+55119{i:08d}")
        for i in range(parcelas // 4)
    }
    itens = [
        Cobravel(Alvo.PARCELA, n, n // 4, dia - timedelta(days=n % 40 - 10), Decimal("100.00"), n % 4 + 1, 4, f"C{n}")
        for n in range(parcelas)
    ]
    montagem = time.perf_counter() - inicio
    inicio = time.perf_counter()
    linhas = planejar(regua, devedores, itens, dia, "Credor", {})
    planejamento = time.perf_counter() - inicio
    pico_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"montagem_s": montagem, "planejamento_s": planejamento, "pico_mib": pico_kib / 1024,
            "linhas": len(linhas), "enviaveis": sum(1 for ln in linhas if ln.quando)}  # fmt: skip


def planejar_em_processo(parcelas: int) -> dict[str, float]:
    """Run planning in a fresh interpreter so its peak RSS is planning's alone."""
    comando = [sys.executable, __file__, "planejar", str(parcelas)]
    saida = subprocess.run(comando, cwd=RAIZ, capture_output=True, text=True, check=True).stdout
    resultado: dict[str, float] = json.loads(saida)
    return resultado


@dataclass
class GraphLimitado:
    """A fake Graph API allowing `limite` messages per wall-clock second; over it, 429 with code 130429."""

    limite: int
    por_segundo: Counter[int] = field(default_factory=Counter)
    recusadas: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v{versao}/{telefone}/messages", self._mensagens)
        return app

    async def _mensagens(self, request: web.Request) -> web.Response:
        corpo = await request.json()
        segundo = int(time.time())
        if self.por_segundo[segundo] >= self.limite:
            self.recusadas += 1
            erro = {"message": "rate limit", "type": "OAuthException", "code": 130429, "fbtrace_id": "x"}
            return web.json_response({"error": erro}, status=429)
        self.por_segundo[segundo] += 1
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


async def despachar(url: str, quantos: int, taxa: int, simultaneos: int | None = None) -> dict[str, float]:
    """Enqueue `quantos` reminders (one per debtor) and dispatch them all at `taxa`/s; the clock is real time
    shifted to a Tuesday 10:00 in São Paulo, aligned on the second so both sides count the same seconds."""
    from bot.canais.porta import TipoCanal
    from bot.canais.registro import RemetenteRegistrado
    from bot.canais.whatsapp import RemetenteWhatsapp
    from bot.projeto import carregar_projeto
    from bot.regua.despacho import Despachante

    graph = GraphLimitado(taxa)
    executor = web.AppRunner(graph.app())
    await executor.setup()
    site = web.TCPSite(executor, "127.0.0.1", 0)
    await site.start()
    porta = executor.addresses[0][1]
    regua = carregar_projeto(RAIZ / "config.toml").config.regua
    regua = regua.model_copy(
        update={
            "limites": regua.limites.model_copy(
                update={
                    "por_segundo": {TipoCanal.WHATSAPP: taxa},
                    "simultaneos": simultaneos or regua.limites.simultaneos,
                }
            )
        }
    )
    remetente = RemetenteWhatsapp("106540352242922", "token-wa", "s", f"http://127.0.0.1:{porta}", "21.0")
    real0 = time.time()
    base = datetime(2026, 11, 24, 13, 0, tzinfo=UTC) + timedelta(seconds=real0 % 1)
    await _enfileirar(url, quantos, base)

    def agora() -> datetime:
        return base + timedelta(seconds=time.time() - real0)

    from bot.dados.banco import criar_engine

    engine = criar_engine(url)
    registrado = RemetenteRegistrado(engine, remetente, agora)  # the ledger, as `serve` dispatches
    despachante = Despachante(engine, regua, {TipoCanal.WHATSAPP: registrado})
    inicio, enviadas = time.perf_counter(), 0
    while enviadas < quantos and time.perf_counter() - inicio < 600:
        enviadas += (await despachante.rodada(agora())).enviadas
    duracao = time.perf_counter() - inicio
    await remetente.fechar()
    await engine.dispose()
    await executor.cleanup()
    return {"enviadas": enviadas, "taxa": enviadas / duracao, "max_por_segundo": max(graph.por_segundo.values()),
            "recusadas_429": graph.recusadas}  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(RAIZ))
    if sys.argv[1] == "planejar":
        print(json.dumps(_planejar_aqui(int(sys.argv[2]))))
    else:
        raise SystemExit(f"uso: {sys.argv[0]} planejar N")
