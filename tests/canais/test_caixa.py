"""The inbound box under several instances: one sender's updates in stored order and once, leases, the sweep."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from bot.canais.caixa import chave_trava
from bot.canais.webhooks import RECEPCAO
from bot.dados.banco import sessao
from bot.dados.entrada import Atualizacao
from bot.dados.modelos import Direcao, Mensagem
from bot.projeto import Projeto
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.relogio import AGORA
from tests.apoio.whatsapp import SEGREDO, assinar, cliente_para, engine_de, postar, texto

DEVEDOR = "551187654321"  # Maria, in the example portfolio (without the ninth digit)


@pytest.fixture
async def cliente(
    projeto: Projeto, url: str, graph: tuple[FalsoGraph, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Cliente]:
    for variavel, valor in (("WHATSAPP_TOKEN", "token-wa"), ("WHATSAPP_APP_SECRET", SEGREDO)):
        monkeypatch.setenv(variavel, valor)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "verifica")
    c = await cliente_para(projeto, url, graph[1])
    yield c
    await c.close()


async def enviar(cliente: Cliente, payload: dict[str, Any]) -> None:
    """Post a webhook and return at its 200, without waiting for the processing."""
    corpo = json.dumps(payload).encode()
    cabecalhos = {"Content-Type": "application/json", "X-Hub-Signature-256": assinar(corpo)}
    assert (await cliente.post("/webhooks/whatsapp", data=corpo, headers=cabecalhos)).status == 200


def corpo_de(mensagem: str, wamid: str, de: str = DEVEDOR) -> dict[str, Any]:
    unidade: dict[str, Any] = texto(mensagem, wamid)["entry"][0]["changes"][0]["value"]["messages"][0]
    return unidade | {"from": de}


def linha(wamid: str, situacao: str, de: str = DEVEDOR, atras: timedelta | None = None, tentativas: int = 0) -> Any:
    return Atualizacao(
        canal="whatsapp",
        tipo="mensagem",
        id_externo=wamid,
        corpo=corpo_de(wamid.lower(), wamid, de),
        remetente=f"whatsapp:{de}",
        situacao=situacao,
        recebida_em=AGORA - timedelta(minutes=10),
        reivindicada_em=None if atras is None else AGORA - atras,
        tentativas=tentativas,
    )


async def entradas(cliente: Cliente) -> list[str]:
    async with sessao(engine_de(cliente)) as s:
        consulta = select(Mensagem.texto).where(Mensagem.direcao == Direcao.ENTRADA.value).order_by(col(Mensagem.id))
        return list((await s.exec(consulta)).all())


async def atualizacoes(cliente: Cliente) -> dict[str, tuple[str, int, str | None]]:
    async with sessao(engine_de(cliente)) as s:
        linhas = (await s.exec(select(Atualizacao))).all()
    return {a.id_externo: (a.situacao, a.tentativas, a.erro) for a in linhas}


def test_chave_da_trava_estavel_em_64_bits() -> None:
    assert chave_trava("whatsapp:551187654321") == chave_trava("whatsapp:551187654321")
    assert chave_trava("whatsapp:551187654321") != chave_trava("telegram:551187654321")
    assert -(2**63) <= chave_trava("x") < 2**63


async def test_intercaladas_em_duas_instancias_em_ordem_e_uma_vez(
    cliente: Cliente, projeto: Projeto, url: str, graph: tuple[FalsoGraph, str]
) -> None:
    outra = await cliente_para(projeto, url, graph[1])
    falas = ["oi", "sim", "390", "ok", "obrigada", "tchau"]
    try:
        for numero, fala in enumerate(falas):
            await enviar((cliente, outra)[numero % 2], texto(fala, f"wamid.ORDEM{numero}"))
        await cliente.app[RECEPCAO].ocioso()
        await outra.app[RECEPCAO].ocioso()
    finally:
        await outra.close()
    assert await entradas(cliente) == falas
    assert set((await atualizacoes(cliente)).values()) == {("processada", 1, None)}
    async with sessao(engine_de(cliente)) as s:
        saidas = (await s.exec(select(Mensagem).where(Mensagem.direcao == Direcao.SAIDA.value))).all()
    assert len(graph[0].enviadas) == len(saidas) >= len(falas)  # every reply sent once


async def test_prazo_vencido_retomado_por_outra_instancia(cliente: Cliente, graph: tuple[FalsoGraph, str]) -> None:
    async with sessao(engine_de(cliente)) as s:
        s.add(linha("wamid.CAIU", "processando", atras=timedelta(minutes=3), tentativas=1))  # its instance died
        s.add(linha("wamid.DEPOIS", "pendente"))
        s.add(linha("wamid.OCUPADA", "processando", de="5511955554444", atras=timedelta(seconds=30), tentativas=1))
        s.add(linha("wamid.ATRAS", "pendente", de="5511955554444"))  # waits for the sender's row in progress
        s.add(linha("wamid.ESGOTADA", "processando", de="5511944443333", atras=timedelta(minutes=3), tentativas=5))
        await s.commit()
    recepcao = cliente.app[RECEPCAO]
    assert await recepcao.varrer() == 4  # all but the fresh claim; the row behind it is found but waits
    await recepcao.ocioso()
    estado = await atualizacoes(cliente)
    assert estado["wamid.CAIU"] == ("processada", 2, None)
    assert estado["wamid.DEPOIS"] == ("processada", 1, None)
    assert estado["wamid.OCUPADA"] == ("processando", 1, None)
    assert estado["wamid.ATRAS"] == ("pendente", 0, None)
    situacao, tentativas, erro = estado["wamid.ESGOTADA"]
    assert (situacao, tentativas) == ("falhou", 5)
    assert erro is not None and "5 tentativas" in erro
    assert await entradas(cliente) == ["wamid.caiu", "wamid.depois"]
    assert {e["to"] for e in graph[0].enviadas} == {DEVEDOR}


async def test_banco_travado_na_reivindicacao_a_varredura_termina(
    cliente: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    engine = engine_de(cliente)
    falhas = ["database is locked"]

    def travar(_c: Any, _cursor: Any, comando: str, parametros: Any, _ctx: Any, _varios: bool) -> None:
        if falhas and comando.startswith("UPDATE atualizacao") and "tentativas" in comando:
            raise OperationalError(comando, parametros, Exception(falhas.pop()))

    event.listen(engine.sync_engine, "before_cursor_execute", travar)
    try:
        assert await postar(cliente, texto("oi", "wamid.TRAVADA")) == 200
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", travar)
    assert falhas == []
    recepcao = cliente.app[RECEPCAO]
    # Left pending by the failed claim, unless the server's own start-up sweep (which runs concurrently, and on
    # PostgreSQL may finish after the post) already took it again: either way a sweep finishes it, once.
    if await atualizacoes(cliente) == {"wamid.TRAVADA": ("pendente", 0, None)}:
        assert graph[0].enviadas == []
        assert await recepcao.varrer() == 1
    await recepcao.ocioso()
    assert await atualizacoes(cliente) == {"wamid.TRAVADA": ("processada", 1, None)}
    assert [e["to"] for e in graph[0].enviadas] == [DEVEDOR]


async def test_webhooks_simultaneos_gravados_juntos_cada_id_uma_vez(
    cliente: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    repetida = texto("oi", "wamid.DUAS")
    valor = repetida["entry"][0]["changes"][0]["value"]
    valor["messages"].append(dict(valor["messages"][0]))  # the same id twice in one body
    outros = [
        texto("oi", f"wamid.JUNTO{n}") | {"entry": [json.loads(json.dumps(repetida["entry"][0]))]} for n in range(3)
    ]
    for n, payload in enumerate(outros):
        payload["entry"][0]["changes"][0]["value"]["messages"] = [corpo_de("oi", f"wamid.JUNTO{n}", f"55119{n:08d}")]
    await asyncio.gather(enviar(cliente, repetida), enviar(cliente, repetida), *(enviar(cliente, p) for p in outros))
    await cliente.app[RECEPCAO].ocioso()
    estado = await atualizacoes(cliente)
    assert sorted(estado) == ["wamid.DUAS", "wamid.JUNTO0", "wamid.JUNTO1", "wamid.JUNTO2"]
    assert set(estado.values()) == {("processada", 1, None)}
    assert sorted(e["to"] for e in graph[0].enviadas) == sorted([DEVEDOR, *(f"55119{n:08d}" for n in range(3))])


async def test_banco_fora_no_processamento_retomado_depois_do_prazo_sem_falhar(
    cliente: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    engine = engine_de(cliente)
    falhas = ["server closed the connection unexpectedly"]

    def cair(_c: Any, _cursor: Any, comando: str, parametros: Any, _ctx: Any, _varios: bool) -> None:
        if falhas and comando.startswith("INSERT INTO mensagem"):
            raise OperationalError(comando, parametros, Exception(falhas.pop()))

    event.listen(engine.sync_engine, "before_cursor_execute", cair)
    try:
        assert await postar(cliente, texto("oi", "wamid.CAIU")) == 200
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", cair)
    assert falhas == []
    assert await atualizacoes(cliente) == {"wamid.CAIU": ("processando", 1, None)}  # kept claimed, not `falhou`
    assert graph[0].enviadas == []
    async with sessao(engine) as s:  # the lease runs out
        linha_ = (await s.exec(select(Atualizacao))).one()
        linha_.reivindicada_em = AGORA - timedelta(minutes=3)
        s.add(linha_)
        await s.commit()
    recepcao = cliente.app[RECEPCAO]
    assert await recepcao.varrer() == 1
    await recepcao.ocioso()
    assert await atualizacoes(cliente) == {"wamid.CAIU": ("processada", 2, None)}
    assert [e["to"] for e in graph[0].enviadas] == [DEVEDOR]
    assert await entradas(cliente) == ["oi"]


async def test_remetentes_simultaneos_transacoes_agrupadas_no_sqlite_uma_resposta_cada(
    cliente: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    remetentes = [f"55118{n:08d}" for n in range(12)]
    recepcao = cliente.app[RECEPCAO]
    antes = recepcao.agrupados.transacoes
    payloads = []
    for n, de in enumerate(remetentes):
        payload = texto("oi", f"wamid.GRUPO{n}")
        payload["entry"][0]["changes"][0]["value"]["messages"] = [corpo_de("oi", f"wamid.GRUPO{n}", de)]
        payloads.append(payload)
    await asyncio.gather(*(enviar(cliente, p) for p in payloads))
    await recepcao.ocioso()
    assert set((await atualizacoes(cliente)).values()) == {("processada", 1, None)}
    assert sorted(e["to"] for e in graph[0].enviadas) == remetentes  # one reply each
    # Each update is claimed, then finished (the reply to an unknown number is a channel notice, not a stored one).
    passos, transacoes = 2 * len(remetentes), recepcao.agrupados.transacoes - antes
    if engine_de(cliente).dialect.name == "sqlite":
        assert transacoes < passos / 2  # the workers' steps of the moment shared commits
    else:
        assert transacoes >= passos  # PostgreSQL: each step in its own transaction, side by side
