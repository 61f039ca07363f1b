"""Benchmark of the outcome reports: the experiment report and the liquidation curves over 1 M installments.

    python scripts/bench_resultados.py [--devedores 100000] [--parcelas-por-devedor 10] [--rodadas 3]
                                       [--servidor postgresql+asyncpg://...]

Seeds a scratch database (SQLite in a temporary folder, or a new database on the PostgreSQL server given) with
Core bulk inserts: debtors placed over twelve months in three segments, ten installments each, one reminder sent
to each (labelled with the experiment's variant, as the régua records it), conversations with replies for 40 %,
agreements for 20 %, a payment for 15 % and opt-outs for 2 %. Then times, median of `--rodadas`, what the
console and the CLI run: `experimentos relatorio` for an experiment that changes what is sent (debtors counted by
the recorded variant) and for one that only measures (by the hash), and the curves by safra, segment and step.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

AGORA = datetime(2026, 12, 3, 15, tzinfo=UTC)
INICIO = datetime(2026, 1, 1, 12, tzinfo=UTC)
BLOCO = 20_000


def _experimentos() -> tuple[object, object]:
    from bot.config.regua import Modelo
    from bot.config.resultados import Experimento, Variante
    from bot.porta import TipoCanal

    modelo = {TipoCanal.WHATSAPP: Modelo(texto="{primeiro_nome}, vence amanhã", modelo="curto")}
    aplicado = Experimento(nome="bench", inicio=date(2026, 1, 1), fim=date(2026, 12, 31),
                           variantes=(Variante(nome="a"), Variante(nome="b", passos={"vespera": modelo})))  # fmt: skip
    so_mede = Experimento(nome="mede", inicio=date(2026, 1, 1), fim=date(2026, 12, 31),
                          variantes=(Variante(nome="a"), Variante(nome="b")))  # fmt: skip
    return aplicado, so_mede


async def semear(url: str, devedores: int, por_devedor: int) -> None:
    from sqlalchemy import insert

    from bot.dados.banco import criar_engine
    from bot.dados.cobrancas import PagamentoRecebido
    from bot.dados.modelos import (
        Acordo,
        Contrato,
        Conversa,
        Devedor,
        DocumentoPagamento,
        Evento,
        Mensagem,
        Parcela,
    )
    from bot.dados.saida import Saida
    from bot.resultados.sorteio import variante_de

    aplicado, _ = _experimentos()
    engine = criar_engine(url)
    passos = ("antes_5", "vespera", "atraso_3")
    try:
        for inicio in range(1, devedores + 1, BLOCO):
            ids = range(inicio, min(devedores, inicio + BLOCO - 1) + 1)
            entrada = {i: INICIO + timedelta(days=(i * 7) % 330) for i in ids}
            async with engine.begin() as c:
                await c.execute(insert(Devedor), [
                    {"id": i, "cpf": f"{i:011d}", "nome": f"Pessoa {i}", "telefone": f"+55119{i:08d}", "uf": "SP",
                     "segmento": ("varejo", "servicos", None)[i % 3], "telefone_invalido": False,
                     "criado_em": entrada[i], "atualizado_em": entrada[i]} for i in ids])  # fmt: skip
                await c.execute(insert(Contrato), [{"id": i, "devedor_id": i, "numero": f"C{i}"} for i in ids])
                await c.execute(insert(Parcela), [
                    {"contrato_id": i, "numero": k + 1, "valor": Decimal("100.00"), "situacao": "aberta",
                     "vencimento": (entrada[i] + timedelta(days=30 * k)).date()}
                    for i in ids for k in range(por_devedor)])  # fmt: skip
                enviada = {i: entrada[i] + timedelta(days=3) for i in ids}
                await c.execute(insert(Saida), [
                    {"alvo": f"parcela:{i}", "passo": passos[i % 3], "canal": "whatsapp", "devedor_id": i,
                     "destino": f"+55119{i:08d}", "texto": "x", "parametros": [], "usar_modelo": False,
                     "canais_restantes": [], "situacao": "enviada", "tentativas": 1, "proxima_tentativa": enviada[i],
                     "prazo": enviada[i], "enviada_em": enviada[i], "id_provedor": f"w{i}", "dados": {},
                     "criada_em": enviada[i], "variante": f"bench:{variante_de(aplicado, i)}"}  # type: ignore[arg-type]
                    for i in ids])  # fmt: skip
                conversam = [i for i in ids if i % 5 < 2]
                await c.execute(insert(Conversa), [
                    {"id": i, "devedor_id": i, "canal": "whatsapp", "estado": "saldo", "dono": "bot",
                     "memoria": {}, "iniciada_em": enviada[i], "atualizada_em": enviada[i], "versao": 1}
                    for i in conversam])  # fmt: skip
                await c.execute(insert(Mensagem), [
                    {"conversa_id": i, "direcao": direcao, "canal": "whatsapp", "texto": "oi", "opcoes": [],
                     "intencoes": [], "status": "enviada", "tentativas": 0, "id_externo": f"{direcao}{i}",
                     "criada_em": enviada[i] + timedelta(hours=1 + (direcao == "saida"))}
                    for i in conversam for direcao in ("entrada", "saida")])  # fmt: skip
                fecham = [i for i in conversam if i % 10 < 4]
                await c.execute(insert(Acordo), [
                    {"id": i, "devedor_id": i, "conversa_id": i, "faixa": "f", "opcao": 0, "tipo": "a_vista",
                     "valor_original": Decimal(300), "desconto": Decimal(0), "valor_negociado": Decimal(300),
                     "total": Decimal(300), "juros_mensal_percentual": "0", "situacao": "ativo", "chave": f"k{i}",
                     "criado_em": enviada[i] + timedelta(days=1)} for i in fecham])  # fmt: skip
                pagam = [i for i in fecham if i % 4 != 3]
                await c.execute(insert(DocumentoPagamento), [
                    {"id": i, "acordo_id": i, "acordo_parcela_numero": 1, "emissao": 1, "nosso_numero": f"{i:010d}",
                     "txid": f"t{i}", "valor": Decimal(300), "vencimento": (enviada[i] + timedelta(days=3)).date(),
                     "codigo_barras": "0", "linha_digitavel": "0", "pix": "0", "criado_em": enviada[i]}
                    for i in pagam])  # fmt: skip
                await c.execute(insert(PagamentoRecebido), [
                    {"provedor": "local", "id_provedor": f"p{i}", "origem": "simulado", "documento_id": i,
                     "acordo_id": i, "acordo_parcela_numero": 1, "valor": Decimal(300),
                     "pago_em": (enviada[i] + timedelta(days=2 + i % 60)).date(), "criado_em": enviada[i]}
                    for i in pagam])  # fmt: skip
                await c.execute(insert(Evento), [
                    {"devedor_id": i, "tipo": "optout", "dados": {}, "criado_em": enviada[i] + timedelta(hours=5)}
                    for i in ids if i % 50 == 0])  # fmt: skip
    finally:
        await engine.dispose()


async def _medir(url: str, rodadas: int) -> dict[str, float]:
    from bot.dados.banco import criar_engine, sessao
    from bot.resultados.colocacao import Agrupamento, carregar
    from bot.resultados.curvas import curvas
    from bot.resultados.relatorio_experimentos import relatorio_de

    aplicado, so_mede = _experimentos()
    engine = criar_engine(url)

    async def tempo(trabalho: Callable[[], Awaitable[object]]) -> float:
        medidas = []
        for _ in range(rodadas):
            inicio = time.perf_counter()
            await trabalho()
            medidas.append(time.perf_counter() - inicio)
        return statistics.median(medidas)

    async def relatorio(experimento: object) -> None:
        async with sessao(engine) as s:
            await relatorio_de(s, experimento)  # type: ignore[arg-type]

    async def curva(por: Agrupamento) -> None:
        async with sessao(engine) as s:
            curvas(await carregar(s, por, AGORA), 180)

    try:
        resultado = {"relatorio (variante gravada)": await tempo(lambda: relatorio(aplicado)),
                     "relatorio (sorteio, só mede)": await tempo(lambda: relatorio(so_mede))}  # fmt: skip
        for por in Agrupamento:
            resultado[f"curvas por {por.value}"] = await tempo(lambda por=por: curva(por))  # type: ignore[misc]
        return resultado
    finally:
        await engine.dispose()


def main() -> None:
    leitor = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    leitor.add_argument("--devedores", type=int, default=100_000)
    leitor.add_argument("--parcelas-por-devedor", type=int, default=10)
    leitor.add_argument("--rodadas", type=int, default=3)
    leitor.add_argument("--servidor", default=None, help="PostgreSQL (postgresql+asyncpg://...); padrão: SQLite")
    args = leitor.parse_args()
    from scripts.bench_comum import apagar, banco_novo

    with tempfile.TemporaryDirectory() as pasta:
        url = banco_novo(Path(pasta), args.servidor)
        try:
            inicio = time.perf_counter()
            asyncio.run(semear(url, args.devedores, args.parcelas_por_devedor))
            banco = "PostgreSQL" if args.servidor else "SQLite"
            parcelas = args.devedores * args.parcelas_por_devedor
            print(f"{banco}: {args.devedores} devedores, {parcelas} parcelas semeados em "
                  f"{time.perf_counter() - inicio:.0f} s; mediana de {args.rodadas} rodadas")  # fmt: skip
            print("| medida | segundos |\n|---|---|")
            for nome, segundos in asyncio.run(_medir(url, args.rodadas)).items():
                print(f"| {nome} | {segundos:.2f} |".replace(".", ","))
        finally:
            apagar(url, args.servidor)


if __name__ == "__main__":
    main()
