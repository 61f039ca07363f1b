"""Three real `serve` processes take one stream of signed WhatsApp webhooks, with duplicates, while things go wrong.

A load generator posts each debtor's messages in order ("oi", "sim", the CPF's first 3 digits, "saldo") to random
instances and re-posts a fifth of them to another instance, as Meta does. One instance is SIGKILLed in the middle
and started again (a short lease hands its claimed rows to the others), the fake Graph API refuses replies with
429/500 for a while, and on PostgreSQL the database "restarts" once. In the end every update is `processada`, every
inbound message is stored once and in order, every conversation sits in a state of the flow, and no reply went out
twice.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import func, insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.conversa.carregar import carregar_fluxo
from bot.dados.banco import criar_engine, sessao
from bot.dados.entrada import Atualizacao
from bot.dados.modelos import Contrato, Conversa, Devedor, Direcao, Mensagem, Parcela
from tests.apoio.bancos import Bancos
from tests.apoio.processos import Falhas, GraphComFalhas, Instancias, esperar, esperar_async, implantacao
from tests.apoio.projetos import RAIZ

pytestmark = pytest.mark.processos  # minutes of real processes: `make test-processos`, a step of `make test`

# The size of the run (the issue asks 5,000). On SQLite the three processes share one file's write lock and
# process ~15-30 messages/s together on this shared 2-core machine: 5,000 did not finish within 240 s; measured
# whole-test times were 1,200: 96 s, 1,600: 79 s, 2,000: 77 s and 106 s, 2,400: 101 s (the machine's load
# varies); 2,000 keeps a margin under 120 s. PostgreSQL, cut included: 1,200 in 97 s, 2,000 in 124 s.
MENSAGENS = 2_000
POR_DEVEDOR = 4
DEVEDORES = MENSAGENS // POR_DEVEDOR
REPETIDAS = 0.2  # share of messages delivered again to another instance
INSTANCIAS = 3
TRABALHADORES = 8  # per instance: at most this many replies in flight when an instance dies
CONCORRENCIA = 48  # debtors writing at once
PRAZO = 10  # seconds: a dead instance's claimed rows go to the others after this
INICIO = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # a Tuesday, 10:00 in São Paulo
LIMITE_SEGUNDOS = 240
SEGREDO = "segredo"


def _config(pasta: Path, graph: int) -> Path:
    texto = (RAIZ / "config.toml").read_text(encoding="utf-8")
    texto += (f"\n[canais]\ntrabalhadores = {TRABALHADORES}\nprazo_processamento_segundos = {PRAZO}\n"
              "max_tentativas = 20\nvarredura_segundos = 1\n\n[canais.whatsapp]\n"
              f'id_telefone = "106540352242922"\napi_base_url = "http://127.0.0.1:{graph}"\n')  # fmt: skip
    (pasta / "config.toml").write_text(texto, encoding="utf-8")
    for nome in ("fluxos", "mensagens"):
        (pasta / nome).symlink_to(RAIZ / nome)
    return pasta / "config.toml"


def _wa(i: int) -> str:
    return f"55119{i:08d}"


def _cpf(i: int) -> str:
    return f"{100 + i % 900:03d}{i:08d}"


def _textos(i: int) -> list[str]:
    return ["oi", "sim", _cpf(i)[:3], "saldo"][:POR_DEVEDOR]


def _corpo(wa_id: str, numero: int, texto: str) -> bytes:
    mensagem = {"from": wa_id, "id": f"wamid.in.{wa_id}.{numero}", "timestamp": "1795442400", "type": "text",
                "text": {"body": texto}}  # fmt: skip
    valor = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
             "contacts": [{"profile": {"name": "Teste"}, "wa_id": wa_id}], "messages": [mensagem]}  # fmt: skip
    entrada = [{"id": "1", "changes": [{"value": valor, "field": "messages"}]}]
    return json.dumps({"object": "whatsapp_business_account", "entry": entrada}).encode()


async def _inserir(s: AsyncSession, tabela: type[SQLModel], linhas: list[dict[str, Any]]) -> None:
    await (await s.connection()).execute(insert(tabela), linhas)


async def _semear(url: str) -> None:
    """DEVEDORES debtors, each with one overdue installment, in a few bulk inserts."""
    engine = criar_engine(url)
    try:
        async with sessao(engine) as s:
            await _inserir(s, Devedor, [{"cpf": _cpf(i), "nome": f"Pessoa {i}", "uf": "SP", "telefone": "+" + _wa(i)}
                                        for i in range(DEVEDORES)])  # fmt: skip
            devedores = (await s.exec(select(Devedor.id))).all()
            await _inserir(s, Contrato, [{"devedor_id": d, "numero": f"C{d}"} for d in devedores])
            contratos = (await s.exec(select(Contrato.id))).all()
            vencida = (INICIO - timedelta(days=20)).date()
            await _inserir(s, Parcela, [{"contrato_id": c, "numero": 1, "valor": Decimal(100), "vencimento": vencida}
                                        for c in contratos])  # fmt: skip
            await s.commit()
    finally:
        await engine.dispose()


async def _consultar(url: str, consulta: Any) -> list[Any]:
    engine = criar_engine(url)
    try:
        async with sessao(engine) as s:
            return list((await s.exec(consulta)).all())
    finally:
        await engine.dispose()


async def _situacoes(url: str) -> Counter[str]:
    linhas = await _consultar(url, select(Atualizacao.situacao, func.count()).group_by(col(Atualizacao.situacao)))
    return Counter(dict(linhas))


class Gerador:
    """Posts signed webhooks to random live instances; a failed post (instance dead or booting) goes elsewhere."""

    def __init__(self, instancias: Instancias, http: ClientSession) -> None:
        self.instancias, self.http = instancias, http
        self.sorte = random.Random(7)
        self.postadas = 0
        self.repeticoes = 0
        self.falhas_de_post = 0

    async def postar(self, corpo: bytes, evitar: int | None = None) -> int:
        assinatura = "sha256=" + hmac.new(SEGREDO.encode(), corpo, hashlib.sha256).hexdigest()
        cabecalhos = {"Content-Type": "application/json", "X-Hub-Signature-256": assinatura}
        fim = time.monotonic() + 60
        while time.monotonic() < fim:
            vivas = self.instancias.vivas()
            indice = self.sorte.choice([i for i in vivas if i != evitar] or vivas)
            endereco = f"http://127.0.0.1:{self.instancias.portas[indice]}/webhooks/whatsapp"
            try:
                async with self.http.post(endereco, data=corpo, headers=cabecalhos) as resposta:
                    await resposta.read()
                    if resposta.status == 200:
                        return indice
            except (ClientError, TimeoutError):
                pass
            self.falhas_de_post += 1
            await asyncio.sleep(0.2)
        raise AssertionError("nenhuma instância aceitou o webhook em 60 s")

    async def devedor(self, i: int) -> None:
        for numero, texto in enumerate(_textos(i)):
            corpo = _corpo(_wa(i), numero, texto)
            indice = await self.postar(corpo)  # the next message only after this one is stored: the send order
            self.postadas += 1
            if self.sorte.random() < REPETIDAS:
                await self.postar(corpo, evitar=indice)
                self.repeticoes += 1

    async def rodar(self) -> None:
        fila = list(range(DEVEDORES))

        async def trabalhar() -> None:
            while fila:
                await self.devedor(fila.pop(0))

        await asyncio.gather(*(trabalhar() for _ in range(CONCORRENCIA)))


async def _prontas(instancias: Instancias, http: ClientSession) -> None:
    async def todas() -> bool:
        for porta in instancias.portas:
            try:
                async with http.get(f"http://127.0.0.1:{porta}/healthz") as r:
                    if r.status != 200:
                        return False
            except ClientError:
                return False
        return True

    await esperar_async(todas, 60, motivo="instâncias prontas (/healthz)")


async def test_tres_instancias_recebem_cada_mensagem_uma_vez_em_ordem(
    tmp_path: Path, banco_migrado: str | Path, bancos: Bancos
) -> None:
    url = bancos.copia(banco_migrado, "entrada")
    await _semear(url)
    graph = GraphComFalhas(Falhas(inicio=MENSAGENS // 5, quantas=MENSAGENS // 5, padrao=("429", "ok", "500", "ok")))
    ambiente = {"WHATSAPP_TOKEN": "token-wa", "WHATSAPP_APP_SECRET": SEGREDO, "WHATSAPP_VERIFY_TOKEN": "v"}
    config = functools.partial(_config, tmp_path)
    async with implantacao(graph, url, config, INICIO.isoformat(), ambiente, tmp_path) as implantada:
        instancias, proxy = implantada.instancias, implantada.proxy
        inicio = time.monotonic()
        gerador: Gerador | None = None
        try:
            async with ClientSession(timeout=ClientTimeout(total=20)) as http:
                instancias.iniciar(INSTANCIAS)
                await _prontas(instancias, http)
                inicio = time.monotonic()
                gerador = Gerador(instancias, http)
                carga = asyncio.create_task(gerador.rodar())
                g = gerador
                await esperar(lambda: g.postadas >= MENSAGENS * 3 // 10 or carga.done(), LIMITE_SEGUNDOS, motivo="30 %")
                instancias.matar(0)
                instancias.reiniciar(0)
                if proxy is not None:  # once the restarted one serves: the cut must land on running instances
                    await _prontas(instancias, http)
                    await esperar(lambda: g.postadas >= MENSAGENS // 2 or carga.done(), LIMITE_SEGUNDOS, motivo="50 %")
                    assert not carga.done(), "a carga acabou antes do corte do banco"
                    proxy.cortar(3.0)
                await carga

            async def terminou() -> bool:
                situacoes = await _situacoes(url)
                return situacoes["pendente"] + situacoes["processando"] == 0 and not await _respostas_pendentes(url)

            restante = LIMITE_SEGUNDOS - (time.monotonic() - inicio)
            await esperar_async(terminou, restante, motivo="caixa de entrada vazia")
            assert len(instancias.vivas()) == INSTANCIAS, instancias.logs()
        except AssertionError as erro:
            progresso = f"{time.monotonic() - inicio:.0f} s, {gerador.postadas if gerador else 0} postadas"
            raise AssertionError(f"{erro} ({progresso})\n{await _situacoes(url)}\n{instancias.logs()}") from erro
    duracao = time.monotonic() - inicio
    assert proxy is None or proxy.cortes == 1
    assert gerador is not None and gerador.postadas == MENSAGENS and gerador.repeticoes > MENSAGENS // 10
    await _verificar(url, graph, duracao)


async def _respostas_pendentes(url: str) -> int:
    """Replies still in the outbox (a refusal being waited out, or a dead worker's, until its lease ends)."""
    consulta = select(func.count()).where(Mensagem.direcao == Direcao.SAIDA.value, Mensagem.status == "pendente")
    return int((await _consultar(url, consulta))[0])


async def _verificar(url: str, graph: GraphComFalhas, duracao: float) -> None:
    assert await _situacoes(url) == Counter(processada=MENSAGENS), duracao  # none pending, claimed or failed

    consulta = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
            Devedor.telefone, Mensagem.direcao, Mensagem.id_externo, Conversa.estado, Mensagem.id, Mensagem.status
        )
        .join(Conversa, col(Mensagem.conversa_id) == col(Conversa.id))
        .join(Devedor, col(Conversa.devedor_id) == col(Devedor.id))
        .order_by(col(Mensagem.id))
    )
    linhas = await _consultar(url, consulta)
    entradas: dict[str, list[str]] = defaultdict(list)
    conversas: dict[str, list[str]] = defaultdict(list)  # each debtor's rows in order: "e" inbound, "s" reply
    estados: dict[str, str] = {}
    respostas: dict[str, tuple[str, str, str | None]] = {}  # key -> (recipient, status, provider id)
    for telefone, direcao, id_externo, estado, mensagem_id, status in linhas:
        wa = (telefone or "").lstrip("+")
        estados[wa] = estado
        if direcao == Direcao.ENTRADA.value:
            entradas[wa].append(id_externo)
            conversas[wa].append("e")
        else:
            respostas[f"resposta:{mensagem_id}"] = (wa, status, id_externo)
            conversas[wa].append("s")

    # Every inbound message stored once, each debtor's in the order they were sent.
    esperadas = {_wa(i): [f"wamid.in.{_wa(i)}.{n}" for n in range(POR_DEVEDOR)] for i in range(DEVEDORES)}
    assert entradas == esperadas

    fluxo, _, erros = carregar_fluxo(RAIZ / "fluxos" / "negociacao.toml")
    assert fluxo is not None and not erros
    assert Counter(estados.values()).keys() <= fluxo.estados.keys(), Counter(estados.values())

    # Every inbound message was answered: each is followed by at least one reply before the next one.
    assert all("".join(sequencia).count("es") == POR_DEVEDOR for sequencia in conversas.values())

    # Exactly once: every reply went out under its key once (the fake counts keys), refused ones (429/500) were
    # tried again until accepted; a reply is `incerta` only when an instance died (or lost the database) while
    # the provider had it, and even then it reached the fake at most once.
    assert graph.respostas["429"] > 0 and graph.respostas["500"] > 0
    chaves = {k: n for k, n in graph.por_chave.items() if k.startswith("resposta:")}
    assert set(chaves) <= set(respostas) and all(n == 1 for n in chaves.values()), Counter(chaves.values())
    situacoes = Counter(status for _, status, _ in respostas.values())
    assert situacoes.keys() <= {"enviada", "incerta"}, situacoes
    assert situacoes["incerta"] <= INSTANCIAS * TRABALHADORES, situacoes  # the replies in flight at a death
    for chave, (wa, status, id_externo) in respostas.items():
        if status == "enviada":
            assert id_externo is not None and graph.ids[id_externo] == chave and graph.destinos[id_externo] == wa
