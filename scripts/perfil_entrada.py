"""Profile of the inbound path in one process: ms of CPU and SQL statements per WhatsApp message.

Signed webhooks → stored → engine → reply at a fake Graph API, everything on this process's loop (bot, load and
fake API), so the CPU figure is an upper bound of the bot's own cost. A warm-up round runs first (imports, caches,
first connections), then the measured round; with `--perfil` the measured round runs under cProfile and the
heaviest functions are printed.

    python scripts/perfil_entrada.py --mensagens 300 --concorrencia 64 [--perfil] [--db URL-do-servidor-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RAIZ = Path(__file__).resolve().parent.parent


class Contador:
    """Counts the SQL statements the engine sends (a `before_cursor_execute` listener), by first words."""

    def __init__(self) -> None:
        self.total = 0
        self.tipos: Counter[str] = Counter()

    def __call__(self, _conexao: Any, _cursor: Any, comando: str, *_resto: Any) -> None:
        self.total += 1
        palavras = comando.split()
        chave = " ".join(palavras[:1])
        if palavras and palavras[0] in ("SELECT", "UPDATE", "INSERT", "DELETE"):
            alvo = next((palavras[i + 1] for i, p in enumerate(palavras[:-1]) if p in ("FROM", "INTO", "UPDATE")), "")
            chave = f"{palavras[0]} {alvo}"
        self.tipos[chave] += 1

    def zerar(self) -> None:
        self.total = 0
        self.tipos.clear()


async def rodar(argumentos: argparse.Namespace) -> None:
    from aiohttp import web
    from sqlalchemy import event

    from bot.dados.banco import criar_engine
    from bot.projeto import carregar_projeto
    from bot.web.app import criar_app
    from scripts.bench_comum import apagar, banco_novo, semear, telefone
    from scripts.bench_entrada import SEGREDO, GraphMedidor, carga, porta_livre
    from tests.apoio.projetos import com_canais

    os.environ.update(WHATSAPP_TOKEN="token-wa", WHATSAPP_APP_SECRET=SEGREDO, WHATSAPP_VERIFY_TOKEN="v")
    total = argumentos.aquecimento + argumentos.mensagens
    pasta = Path(tempfile.mkdtemp(prefix="perfil-"))
    url = await asyncio.to_thread(banco_novo, pasta, argumentos.db)
    await semear(url, total)
    numeros = [telefone(i) for i in range(total)]
    aquecimento, medidos = numeros[: argumentos.aquecimento], numeros[argumentos.aquecimento :]

    graph = GraphMedidor(esperados=len(aquecimento))
    executores = [web.AppRunner(graph.app())]
    await executores[0].setup()
    porta_graph, porta = porta_livre(), porta_livre()
    await web.TCPSite(executores[0], "127.0.0.1", porta_graph).start()
    projeto = com_canais(carregar_projeto(RAIZ / "config.toml"), graph_url=f"http://127.0.0.1:{porta_graph}")
    engine = criar_engine(url)
    contador = Contador()
    perfil = cProfile.Profile() if argumentos.perfil else None
    event.listen(engine.sync_engine, "before_cursor_execute", contador)
    executores.append(web.AppRunner(criar_app(projeto, engine, lambda: datetime.now(UTC), demo=False)))
    await executores[1].setup()
    await web.TCPSite(executores[1], "127.0.0.1", porta).start()
    try:
        await carga(porta, aquecimento, argumentos.concorrencia, graph)
        graph.pronto.clear()
        graph.esperados = total
        contador.zerar()
        cpu, parede = time.process_time(), time.perf_counter()
        if perfil:
            perfil.enable()
        medida = await carga(porta, medidos, argumentos.concorrencia, graph)
        if perfil:
            perfil.disable()
        cpu, parede = time.process_time() - cpu, time.perf_counter() - parede
    finally:
        for executor in reversed(executores):
            await executor.cleanup()
        await engine.dispose()
        await asyncio.to_thread(apagar, url, argumentos.db)
    relatorio(argumentos, engine.dialect.name, cpu, parede, medida, contador, perfil)


def relatorio(argumentos: argparse.Namespace, banco: str, cpu: float, parede: float, medida: Any,
              contador: Contador, perfil: cProfile.Profile | None) -> None:  # fmt: skip
    n = argumentos.mensagens
    print(f"{n} mensagens, {argumentos.concorrencia} conexões, banco {banco}")
    print(f"CPU por mensagem: {cpu * 1000 / n:.2f} ms  (parede {parede:.2f} s, {medida.taxa:.0f} msg/s,"
          f" p50 {medida.p50_ms:.0f} ms, p99 {medida.p99_ms:.0f} ms, perdidas {medida.perdidas})")  # fmt: skip
    print(f"comandos SQL por mensagem: {contador.total / n:.2f}")
    for tipo, quantos in contador.tipos.most_common():
        print(f"  {quantos / n:6.2f}  {tipo}")
    if perfil:
        if argumentos.saida:
            perfil.dump_stats(argumentos.saida)
        pstats.Stats(perfil).sort_stats(argumentos.ordem).print_stats(argumentos.linhas)


if __name__ == "__main__":
    sys.path.insert(0, str(RAIZ))
    leitor = argparse.ArgumentParser()
    leitor.add_argument("--mensagens", type=int, default=300)
    leitor.add_argument("--aquecimento", type=int, default=50)
    leitor.add_argument("--concorrencia", type=int, default=64)
    leitor.add_argument("--db", help="servidor PostgreSQL (URL); sem ele, um arquivo SQLite temporário")
    leitor.add_argument("--perfil", action="store_true")
    leitor.add_argument("--ordem", default="tottime")
    leitor.add_argument("--linhas", type=int, default=40)
    leitor.add_argument("--saida", help="arquivo .prof para o pstats (com --perfil)")
    leitor.add_argument("--log", default="WARNING")
    args = leitor.parse_args()
    logging.basicConfig(level=args.log)
    asyncio.run(rodar(args))
