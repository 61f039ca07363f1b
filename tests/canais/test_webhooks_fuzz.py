"""Fuzzing the HTTP edge: WhatsApp, Telegram, SMS (Zenvia) and Asaas webhooks, the demo web chat and the payment page.

One real app (channels pointed at the local fakes, provider asaas, demo on) takes hypothesis-made requests:
correctly signed random bytes, invalid UTF-8, huge bodies, random JSON, and real payloads from tests/data with
fields removed or swapped for values of any type. Whatever comes in: never a 5xx, a 4xx says what was wrong in
Portuguese, every stored update ends `processada` (what cannot be processed is refused with a 4xx instead of
failing in the worker), and `/healthz` still answers 200.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.canais.webhooks import LIMITE_CORPO, RECEPCAO
from bot.dados.banco import criar_engine, sessao
from bot.dados.entrada import Atualizacao, SituacaoAtualizacao
from bot.web.app import criar_app
from tests.apoio.ambiente_asaas import AMBIENTE as AMBIENTE_ASAAS
from tests.apoio.ambiente_asaas import SEGREDO as SEGREDO_ASAAS
from tests.apoio.ambiente_asaas import Cenario, projeto_asaas
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.asaas import FakeAsaas
from tests.apoio.falsos.bot_api import FalsoBotApi
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.falsos.zenvia import FalsaZenvia
from tests.apoio.projetos import RAIZ, com_canais, com_sms
from tests.apoio.relogio import AGORA
from tests.apoio.telegram import SEGREDO as SEGREDO_TG
from tests.apoio.whatsapp import SEGREDO as SEGREDO_WA
from tests.apoio.whatsapp import assinar

UPDATES = RAIZ / "tests" / "data" / "updates"
ZENVIA = RAIZ / "tests" / "data" / "zenvia"
TOKEN_ASAAS, SEGREDO_SMS = "segredo-asaas", "segredo-sms"
AMBIENTE = {
    "WHATSAPP_TOKEN": "token-wa",
    "WHATSAPP_APP_SECRET": SEGREDO_WA,
    "WHATSAPP_VERIFY_TOKEN": "verifica",
    "TELEGRAM_TOKEN": "123:tg",
    "TELEGRAM_SECRET": SEGREDO_TG,
    "ASAAS_TOKEN": "token-asaas",
    "ASAAS_WEBHOOK_TOKEN": TOKEN_ASAAS,
    "ZENVIA_TOKEN": "token-zenvia",
    "ZENVIA_WEBHOOK_SECRET": SEGREDO_SMS,
}
PORTUGUES = re.compile(
    r"inválid|ausente|grande demais|esperad|deve|vazia|inexistente|longa demais|\bsem\b", re.IGNORECASE
)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_ids = itertools.count(1)


@pytest.fixture
async def cliente(copia: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Cliente]:
    for nome, valor in AMBIENTE.items():
        monkeypatch.setenv(nome, valor)
    graph, bot_api, zenvia = FalsoGraph(), FalsoBotApi(), FalsaZenvia()
    async with TestServer(graph.app()) as g, TestServer(bot_api.app()) as b, TestServer(zenvia.app()) as z:
        projeto = projeto_asaas(copia, "http://127.0.0.1:9/v3")  # never called: no charge is ours
        projeto = com_canais(projeto, str(g.make_url("")).rstrip("/"), str(b.make_url("")).rstrip("/"))
        projeto = com_sms(projeto, str(z.make_url("")).rstrip("/"))
        app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=True, ambiente=AMBIENTE)
        async with TestClient(TestServer(app)) as c:
            yield c


# ---------------------------------------------------------------- strategies

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda filhos: st.lists(filhos, max_size=4) | st.dictionaries(st.text(max_size=10), filhos, max_size=4),
    max_leaves=12,
)
TEXTO_QUALQUER = st.text(st.characters(codec=None), max_size=60) | st.text(  # lone surrogates included
    st.characters(categories=("Cs", "Cc", "Cf", "So")), max_size=20
)
APAGAR = object()


def _real(nome: str, pasta: Path = UPDATES) -> dict[str, Any]:
    dados: dict[str, Any] = json.loads((pasta / nome).read_text(encoding="utf-8"))
    return dados


def _caminhos(no: Any, prefixo: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    filhos = no.items() if isinstance(no, dict) else enumerate(no) if isinstance(no, list) else ()
    return [c for chave, valor in filhos for c in [(*prefixo, chave), *_caminhos(valor, (*prefixo, chave))]]


def _trocar(raiz: Any, caminho: tuple[Any, ...], valor: Any) -> None:
    """Replace (or delete) the value at `caminho`, if an earlier change left it there."""
    no = raiz
    for chave in caminho[:-1]:
        try:
            no = no[chave]
        except (KeyError, IndexError, TypeError):
            return
    existe = (
        caminho[-1] in no
        if isinstance(no, dict)
        else isinstance(no, list) and isinstance(caminho[-1], int) and caminho[-1] < len(no)
    )
    if existe:
        if valor is APAGAR:
            del no[caminho[-1]]
        else:
            no[caminho[-1]] = valor


@st.composite
def mutado(draw: st.DrawFn, prefixo: str, pasta: Path = UPDATES) -> Any:
    """A real payload of the channel with a few fields deleted or set to any JSON value."""
    nomes = sorted(p.name for p in pasta.glob(f"{prefixo}_*.json"))
    payload = _real(draw(st.sampled_from(nomes)), pasta)
    caminhos = _caminhos(payload)
    for _ in range(draw(st.integers(0, 4))):
        _trocar(payload, draw(st.sampled_from(caminhos)), draw(st.just(APAGAR) | JSON | TEXTO_QUALQUER))
    return payload


def _unico(payload: Any) -> Any:
    """New provider ids each time, so the payload is processed instead of skipped as a repeat."""
    n = next(_ids)
    texto = json.dumps(payload).replace('"wamid.', f'"wamid.f{n}-')
    dados = json.loads(texto)
    if isinstance(dados, dict) and isinstance(dados.get("update_id"), int):
        dados["update_id"] = 10_000_000 + n
    if isinstance(dados, dict) and isinstance(dados.get("id"), str):  # a Zenvia event, and its message
        dados["id"] = f"f{n}-{dados['id']}"
        if isinstance(dados.get("message"), dict) and isinstance(dados["message"].get("id"), str):
            dados["message"]["id"] = f"f{n}-{dados['message']['id']}"
    return dados


def _texto_whatsapp(texto: str) -> dict[str, Any]:
    payload = _real("whatsapp_texto.json")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = texto
    return payload


def _texto_telegram(texto: str) -> dict[str, Any]:
    payload = _real("telegram_texto.json")
    payload["message"]["text"] = texto
    return payload


def _texto_sms(texto: str) -> dict[str, Any]:
    payload = _real("sms_recebido.json", ZENVIA)
    payload["message"]["contents"][0]["text"] = texto
    return payload


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload).encode()


CORPOS_BRUTOS = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda b: b'{"object": "whatsapp_business_account", "x": "' + b + b'"}', st.binary(min_size=1)),
    st.sampled_from([b"", b"\xff\xfe", b'{"a": "\xc3\x28"}', b"NaN", b'{"object": NaN}', b"[" * 5000]),
)
CORPOS_WHATSAPP = st.one_of(
    CORPOS_BRUTOS,
    st.builds(_json_bytes, JSON),
    st.builds(lambda p: _json_bytes(_unico(p)), mutado("whatsapp")),
    st.builds(lambda t: _json_bytes(_unico(_texto_whatsapp(t))), TEXTO_QUALQUER),
)
CORPOS_TELEGRAM = st.one_of(
    CORPOS_BRUTOS,
    st.builds(_json_bytes, JSON),
    st.builds(lambda p: _json_bytes(_unico(p)), mutado("telegram")),
    st.builds(lambda t: _json_bytes(_unico(_texto_telegram(t))), TEXTO_QUALQUER),
)

CORPOS_SMS = st.one_of(
    CORPOS_BRUTOS,
    st.builds(_json_bytes, JSON),
    st.builds(lambda p: _json_bytes(_unico(p)), mutado("sms", ZENVIA)),
    st.builds(lambda t: _json_bytes(_unico(_texto_sms(t))), TEXTO_QUALQUER),
)


# ---------------------------------------------------------------- checks


async def conferir(cliente: Cliente, resposta: ClientResponse) -> None:
    """No 5xx; a 4xx explains itself in Portuguese; every stored update finished; the app still healthy."""
    assert resposta.status < 500, await resposta.text()
    if 400 <= resposta.status < 500 and resposta.content_type == "application/json":
        erro = (await resposta.json())["erro"]
        assert isinstance(erro, str) and PORTUGUES.search(erro), erro
    await cliente.app[RECEPCAO].ocioso()
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        situacoes = (await s.exec(select(Atualizacao.situacao, Atualizacao.erro))).all()
    # Stricter than "ends processada or falhou with a reason": a body the worker could not handle must be refused
    # at the door with a 4xx (the sender learns of it), not accepted with a 200 and then fail unseen.
    assert all(situacao == SituacaoAtualizacao.PROCESSADA.value for situacao, _ in situacoes), situacoes
    assert (await cliente.get("/healthz")).status == 200


# ---------------------------------------------------------------- the endpoints


STATUS_SEM_HORA = _real("whatsapp_status_falha.json")
STATUS_SEM_HORA["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"] = "ontem"


@FUZZ
@given(CORPOS_WHATSAPP)
@example(b'{"object": "whatsapp_business_account", "entry": true}')  # was a TypeError: 500
@example(b"[" * 5000)  # was a RecursionError: 500
@example(_json_bytes(_unico(_texto_whatsapp("\ud800"))))  # a lone surrogate: failed later, in the worker
@example(_json_bytes(STATUS_SEM_HORA))  # failed in the worker
async def test_webhook_whatsapp(cliente: Cliente, corpo: bytes) -> None:
    cabecalhos = {"X-Hub-Signature-256": assinar(corpo), "Content-Type": "application/json"}
    await conferir(cliente, await cliente.post("/webhooks/whatsapp", data=corpo, headers=cabecalhos))


@FUZZ
@given(CORPOS_TELEGRAM)
@example(b'{"update_id": 5, "message": "oi"}')  # PTB could not read it: failed in the worker
@example(b'{"update_id": 6, "callback_query": {"id": "1", "from": {"id": 1}}}')
@example(  # a chat id the library kept as "": failed in the worker, writing back
    b'{"update_id": 7, "message": {"message_id": 1, "date": 1795442400, "text": "oi",'
    b' "chat": {"id": "", "type": "private"}, "from": {"id": 1, "is_bot": false, "first_name": "A"}}}'
)
@example(  # text kept as a list by the library: failed in the worker, reading it
    b'{"update_id": 8, "message": {"message_id": 1, "date": 1795442400, "text": ["oi"],'
    b' "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": false, "first_name": "A"}}}'
)
@example(
    b'{"update_id": 9, "callback_query": {"id": "1", "data": 7, "chat_instance": "c", "from": {"id": 5,'
    b' "is_bot": false, "first_name": "A"}, "message": {"message_id": 1, "date": 1795442400,'
    b' "chat": {"id": 5, "type": "private"}}}}'
)
async def test_webhook_telegram(cliente: Cliente, corpo: bytes) -> None:
    cabecalhos = {"X-Telegram-Bot-Api-Secret-Token": SEGREDO_TG, "Content-Type": "application/json"}
    await conferir(cliente, await cliente.post("/webhooks/telegram", data=corpo, headers=cabecalhos))


@FUZZ
@given(CORPOS_SMS)
@example(_json_bytes(_unico(_real("sms_recebido.json", ZENVIA))))
async def test_webhook_sms(cliente: Cliente, corpo: bytes) -> None:
    cabecalhos = {"X-Webhook-Token": SEGREDO_SMS, "Content-Type": "application/json"}
    await conferir(cliente, await cliente.post("/webhooks/sms", data=corpo, headers=cabecalhos))


async def test_corpos_enormes(cliente: Cliente) -> None:
    enorme = b'{"object": "whatsapp_business_account", "entry": [' + b"{}," * LIMITE_CORPO + b"{}]}"
    rotas = {
        "/webhooks/whatsapp": {"X-Hub-Signature-256": assinar(enorme)},
        "/webhooks/telegram": {"X-Telegram-Bot-Api-Secret-Token": SEGREDO_TG},
        "/webhooks/asaas": {"asaas-access-token": TOKEN_ASAAS},
        "/api/conversas/1/mensagens": {},
    }
    for rota, cabecalhos in rotas.items():
        resposta = await cliente.post(rota, data=enorme, headers=cabecalhos)
        assert resposta.status == 413, rota
        await conferir(cliente, resposta)


PAGAMENTO_ASAAS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=12) | JSON,
        "value": st.sampled_from(["NaN", "Infinity", "-0", "1e999", "sNaN", "0.001", "10,00"]) | JSON,
        "paymentDate": st.sampled_from(["2026-11-31", "", "2026-11-24T10:00:00"]) | JSON,
        "externalReference": st.text(max_size=12) | JSON,
    },
)
EVENTOS_ASAAS = st.one_of(
    st.builds(
        _json_bytes,
        st.fixed_dictionaries(
            {"event": st.sampled_from(["PAYMENT_RECEIVED", "PAYMENT_CONFIRMED"]), "payment": PAGAMENTO_ASAAS | JSON}
        ),
    ),
    st.builds(_json_bytes, JSON),
    CORPOS_BRUTOS,
)


@FUZZ
@given(EVENTOS_ASAAS)
@example(b'{"event": "PAYMENT_RECEIVED", "payment": {"id": "pay_1", "value": "NaN"}}')  # was InvalidOperation: 500
async def test_webhook_asaas(cliente: Cliente, corpo: bytes) -> None:
    resposta = await cliente.post("/webhooks/asaas", data=corpo, headers={"asaas-access-token": TOKEN_ASAAS})
    await conferir(cliente, resposta)


ROTULOS = st.text(max_size=40).map(lambda t: quote(t, safe="")) | st.sampled_from(
    ["1", "0", "-1", "99999999999999999999999", "1e3", "%00", "%FF", "..%2F..", "a" * 32]
)


@FUZZ
@given(
    ROTULOS,
    st.one_of(
        CORPOS_BRUTOS,
        st.builds(_json_bytes, JSON),
        st.builds(
            lambda t, o: _json_bytes({"texto": t, "opcao": o}), TEXTO_QUALQUER, st.none() | TEXTO_QUALQUER | JSON
        ),
    ),
)
@example("99999999999999999999999", b'{"texto": "oi"}')  # was OverflowError in SQLite: 500
@example("1", b'{"texto": "\\ud800"}')  # a lone surrogate SQLite cannot store: 500
async def test_chat_web(cliente: Cliente, devedor: str, corpo: bytes) -> None:
    rota = f"/api/conversas/{devedor}/mensagens"
    await conferir(cliente, await cliente.post(rota, data=corpo, headers={"Content-Type": "application/json"}))
    await conferir(cliente, await cliente.get(rota))


@FUZZ
@given(ROTULOS | st.from_regex(r"[A-Za-z0-9_-]{32}", fullmatch=True))
async def test_pagina_de_pagamento(cliente: Cliente, token: str) -> None:
    await conferir(cliente, await cliente.get(f"/p/{token}"))
    await conferir(cliente, await cliente.post(f"/p/{token}/pagar", allow_redirects=False))


@pytest.fixture
async def com_cobranca(copia: Path, url: str) -> AsyncIterator[Cenario]:
    """An agreement negotiated in the web chat, charged at the fake Asaas: events can name a real payment."""
    asaas = FakeAsaas()
    async with TestServer(asaas.app()) as servidor:
        projeto = projeto_asaas(copia, str(servidor.make_url("/v3")))
        app = criar_app(projeto, criar_engine(url), lambda: AGORA, demo=True, ambiente=AMBIENTE_ASAAS)
        async with TestClient(TestServer(app)) as cliente:
            cenario = Cenario(cliente, asaas, url)
            await cenario.negociar()
            yield cenario
        asaas.liberar.set()


VALORES = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["1e20", "99999999999999999.99", "0.001", "-5", "NaN", "1E+2"]),
    st.integers(),
    st.floats(),
)


@FUZZ
@given(st.text(max_size=12) | st.just(""), VALORES, st.sampled_from(["2026-11-24", "2026-02-30", "", "amanhã"]))
@example("", "1e20", "2026-11-24")  # a huge amount of a real charge: was an OverflowError storing the cents
async def test_webhook_asaas_de_cobranca_real(com_cobranca: Cenario, sufixo: str, valor: Any, data: str) -> None:
    (pagamento,) = com_cobranca.asaas.pagamentos.values()
    corpo = {"id": pagamento["id"] + sufixo, "value": valor, "paymentDate": data}
    corpo["externalReference"] = pagamento["externalReference"]
    resposta = await com_cobranca.cliente.post(
        "/webhooks/asaas",
        data=_json_bytes({"event": "PAYMENT_RECEIVED", "payment": corpo}),
        headers={"asaas-access-token": SEGREDO_ASAAS},
    )
    await conferir(com_cobranca.cliente, resposta)
