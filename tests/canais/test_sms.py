"""SMS end to end: the Zenvia sender against a local fake of its API v2, and Zenvia's webhook events in `serve`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot.canais.aviso_sms import avisos_sms
from bot.canais.sms import RemetenteSms
from bot.canais.webhooks import RECEPCAO
from bot.config.erros import ConfigInvalida
from bot.config.regua import Modelo, Passo
from bot.dados.banco import criar_engine, sessao
from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import Devedor, Direcao, Evento, Mensagem
from bot.porta import Botao, Envio, ErroCanal, Indeliveravel, SemConfirmacao, TentarDepois, TipoCanal
from bot.projeto import Projeto, carregar_projeto
from bot.web.app import criar_app
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.zenvia import TOKEN, FalsaZenvia
from tests.apoio.projetos import RAIZ, com_sms
from tests.apoio.relogio import AGORA

DADOS = RAIZ / "tests" / "data" / "zenvia"
SEGREDO = "segredo-do-webhook-sms"
MARIA = "5511987654321"


def carregar(nome: str) -> dict[str, Any]:
    dados: dict[str, Any] = json.loads((DADOS / nome).read_text(encoding="utf-8"))
    return dados


def _remetente(url: str, max_segmentos: int = 3, remover_acentos: bool = True) -> RemetenteSms:
    return RemetenteSms("cobranca-loja", TOKEN, url, remover_acentos, max_segmentos, espera=2)


async def test_envio_no_formato_da_zenvia(zenvia: tuple[FalsaZenvia, str]) -> None:
    falsa, url = zenvia
    remetente = _remetente(url)
    envio = Envio(TipoCanal.SMS, "+" + MARIA, "Olá, Maria! Não identificamos o pagamento.",
                  (Botao("sim", "Sim"), Botao("nao", "Não")), chave="parcela:1|atraso|sms")  # fmt: skip
    try:
        assert await remetente.enviar(envio) == "zenvia-1"
    finally:
        await remetente.fechar()
    assert falsa.enviadas == [
        {
            "from": "cobranca-loja",
            "to": MARIA,
            "contents": [{"type": "text", "text": "Ola, Maria! Nao identificamos o pagamento.\n\nResponda: Sim / Nao"}],
            "externalId": "parcela:1|atraso|sms",
        }
    ]


async def test_acentos_mantidos_vao_em_ucs2(zenvia: tuple[FalsaZenvia, str]) -> None:
    falsa, url = zenvia
    remetente = _remetente(url, remover_acentos=False)
    try:
        await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, "Não identificamos o pagamento."))
    finally:
        await remetente.fechar()
    assert falsa.textos() == ["Não identificamos o pagamento."]
    assert "externalId" not in falsa.enviadas[0]


async def test_texto_longo_sai_em_varios_sms_na_ordem(zenvia: tuple[FalsaZenvia, str]) -> None:
    falsa, url = zenvia
    remetente = _remetente(url, max_segmentos=1)
    texto = " ".join(f"item{n:03d}" for n in range(70))  # 559 septets: 20 words (159) per SMS
    try:
        assert await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, texto, chave="k")) == "zenvia-1"
    finally:
        await remetente.fechar()
    assert [c.get("externalId") for c in falsa.enviadas] == ["k", "k#2", "k#3", "k#4"]
    assert all(len(t) <= 160 for t in falsa.textos())
    assert " ".join(falsa.textos()) == texto


@pytest.mark.parametrize(
    ("status", "corpo", "tipo"),
    [
        (429, {"code": "TOO_MANY_REQUESTS", "message": "Rate limit"}, TentarDepois),
        (503, {"code": "UNAVAILABLE", "message": "Try later"}, TentarDepois),
        (400, {"code": "VALIDATION_ERROR", "message": "Validation error",
               "details": [{"code": "INVALID_NUMBER", "path": "to", "message": "invalid"}]}, Indeliveravel),
        (400, {"code": "VALIDATION_ERROR", "message": "Validation error",
               "details": [{"code": "REQUIRED", "path": "from", "message": "from is required"}]}, ErroCanal),
    ],
)  # fmt: skip
async def test_erros_da_zenvia_tipados(
    zenvia: tuple[FalsaZenvia, str], status: int, corpo: dict[str, Any], tipo: type[ErroCanal]
) -> None:
    falsa, url = zenvia
    falsa.erros.append((status, corpo))
    remetente = _remetente(url)
    try:
        with pytest.raises(ErroCanal) as erro:
            await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, "Oi"))
    finally:
        await remetente.fechar()
    assert type(erro.value) is tipo and str(corpo["code"]) in str(erro.value)
    assert falsa.enviadas == []


async def test_token_errado_e_recusa(zenvia: tuple[FalsaZenvia, str]) -> None:
    remetente = RemetenteSms("cobranca-loja", "outro", zenvia[1], True, 3)
    try:
        with pytest.raises(ErroCanal, match="AUTHENTICATION_ERROR") as erro:
            await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, "Oi"))
    finally:
        await remetente.fechar()
    assert type(erro.value) is ErroCanal


async def test_conexao_caida_depois_de_aceitar_e_sem_confirmacao(zenvia: tuple[FalsaZenvia, str]) -> None:
    falsa, url = zenvia
    falsa.derrubar = 1
    remetente = _remetente(url)
    try:
        with pytest.raises(SemConfirmacao):
            await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, "Oi"))
    finally:
        await remetente.fechar()
    assert len(falsa.enviadas) == 1  # Zenvia got it: a retry could send it twice


async def test_segunda_parte_recusada_fica_sem_confirmacao(zenvia: tuple[FalsaZenvia, str]) -> None:
    """The first SMS went out: a retry would send it again, so the send is uncertain, for a person to decide."""
    falsa, url = zenvia
    falsa.falhar_na[2] = (503, {"code": "UNAVAILABLE", "message": "Try later"})
    remetente = _remetente(url, max_segmentos=1)
    try:
        with pytest.raises(SemConfirmacao, match="SMS 2/2"):
            await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, "palavra " * 30))
    finally:
        await remetente.fechar()
    assert len(falsa.enviadas) == 1


async def test_zenvia_fora_do_ar_e_tentar_depois() -> None:
    remetente = RemetenteSms("cobranca-loja", TOKEN, "http://127.0.0.1:9", True, 3, espera=2)
    try:
        with pytest.raises(TentarDepois):
            await remetente.enviar(Envio(TipoCanal.SMS, "+" + MARIA, "Oi"))
    finally:
        await remetente.fechar()


@pytest.fixture
async def cliente(
    projeto: Projeto, url: str, zenvia: tuple[FalsaZenvia, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Cliente]:
    monkeypatch.setenv("ZENVIA_TOKEN", TOKEN)
    monkeypatch.setenv("ZENVIA_WEBHOOK_SECRET", SEGREDO)
    app = criar_app(com_sms(projeto, zenvia[1]), criar_engine(url), lambda: AGORA, demo=False)
    c: Cliente = TestClient(TestServer(app))
    await c.start_server()
    yield c
    await c.close()


async def postar(cliente: Cliente, payload: Any, segredo: str | None = SEGREDO) -> int:
    cabecalhos = {"Content-Type": "application/json"} | ({"X-Webhook-Token": segredo} if segredo else {})
    corpo = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    resposta = await cliente.post("/webhooks/sms", data=corpo, headers=cabecalhos)
    await cliente.app[RECEPCAO].ocioso()
    return resposta.status


def _sms(texto: str, id_mensagem: str, de: str = MARIA) -> dict[str, Any]:
    payload = carregar("sms_recebido.json")
    payload["id"] = f"evento-{id_mensagem}"
    payload["message"] |= {"id": id_mensagem, "from": de, "contents": [{"type": "text", "text": texto}]}
    return payload


async def _maria(cliente: Cliente) -> Devedor:
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        return (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()


@pytest.mark.parametrize("palavra", ["SAIR", "parar", " Pare! "])
async def test_sair_por_sms_e_opt_out(cliente: Cliente, zenvia: tuple[FalsaZenvia, str], palavra: str) -> None:
    assert await postar(cliente, _sms(palavra, "sms-1")) == 200
    maria = await _maria(cliente)
    assert maria.optout_em == AGORA
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        eventos = (await s.exec(select(Evento).where(Evento.devedor_id == maria.id, Evento.tipo == "optout"))).all()
        entrada = (await s.exec(select(Mensagem).where(Mensagem.id_externo == "sms-1"))).one()
    assert [e.dados["canal"] for e in eventos] == ["sms"]
    # kept as typed, with the intent it stood for (as a button press is recorded)
    assert (entrada.canal, entrada.direcao, entrada.texto) == ("sms", Direcao.ENTRADA.value, f"{palavra} [parar]")
    [confirmacao] = zenvia[0].enviadas  # the opt-out confirmation, by SMS, to her number
    assert confirmacao["to"] == MARIA and confirmacao["from"] == "cobranca-loja"


async def test_mesmo_evento_duas_vezes_e_processado_uma(cliente: Cliente, zenvia: tuple[FalsaZenvia, str]) -> None:
    payload = _sms("oi", "sms-2")
    assert await postar(cliente, payload) == 200
    assert await postar(cliente, payload) == 200
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        entradas = (await s.exec(select(Mensagem).where(Mensagem.id_externo == "sms-2"))).all()
    assert len(entradas) == 1
    assert len(zenvia[0].enviadas) >= 1
    [ola] = zenvia[0].textos()  # the flow's greeting, as an SMS: plain GSM-7 text, options to answer with
    assert ola.startswith("Ola, Maria! Aqui é o assistente virtual da Loja Exemplo Comércio Ltda. (CNPJ")
    assert ola.endswith("\n\nResponda: Sim, sou eu / Nao sou eu")
    assert (await _maria(cliente)).optout_em is None  # "oi" is no stop word
    respostas = zenvia[0].pedidos
    assert await postar(cliente, payload) == 200
    assert zenvia[0].pedidos == respostas


async def test_numero_desconhecido_recebe_so_a_resposta_generica(
    cliente: Cliente, zenvia: tuple[FalsaZenvia, str]
) -> None:
    assert await postar(cliente, _sms("SAIR", "sms-3", de="5521912345678")) == 200
    [resposta] = zenvia[0].enviadas
    assert resposta["to"] == "5521912345678"
    assert "Maria" not in resposta["contents"][0]["text"]


async def test_sms_sem_texto_recebe_o_aviso_de_so_texto(cliente: Cliente, zenvia: tuple[FalsaZenvia, str]) -> None:
    payload = _sms("", "sms-4")
    payload["message"]["contents"] = [{"type": "file", "fileUrl": "https://exemplo.com/foto.jpg"}]
    assert await postar(cliente, payload) == 200
    [aviso] = zenvia[0].textos()
    assert "texto" in aviso.lower()
    assert (await _maria(cliente)).optout_em is None


async def test_relatorios_de_entrega_guardados(cliente: Cliente) -> None:
    assert await postar(cliente, carregar("sms_status_entregue.json")) == 200
    assert await postar(cliente, carregar("sms_status_falhou.json")) == 200
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        linhas = (await s.exec(select(StatusEntrega).order_by(col(StatusEntrega.id)))).all()
    assert [(st.canal, st.id_externo, st.status, st.codigo, st.detalhe) for st in linhas] == [
        ("sms", "zenvia-1", "delivered", None, "Delivered to the handset"),
        ("sms", "zenvia-1", "failed", "016", "Número inexistente na operadora"),
    ]


@pytest.mark.parametrize(
    ("corpo", "segredo", "status", "erro"),
    [
        ({"type": "MESSAGE"}, None, 401, "X-Webhook-Token ausente"),
        ({"type": "MESSAGE"}, "outro", 403, "X-Webhook-Token inválido"),
        (b"{nao e json", SEGREDO, 400, ""),
        ({"id": "e1", "type": "CONTACT"}, SEGREDO, 400, "type: esperado MESSAGE ou MESSAGE_STATUS"),
        ({"type": "MESSAGE", "message": {}}, SEGREDO, 400, "evento sem id"),
        ({"id": "e1", "type": "MESSAGE", "message": {"id": "m"}}, SEGREDO, 400, "sem id ou remetente"),
        ({"id": "e1", "type": "MESSAGE_STATUS", "messageId": "m", "messageStatus": {"code": "SENT",
          "timestamp": "ontem"}}, SEGREDO, 400, "timestamp inválido"),
        ([1, 2], SEGREDO, 400, "esperado um objeto JSON"),
    ],
)  # fmt: skip
async def test_pedidos_recusados_nada_guardado(
    cliente: Cliente, corpo: Any, segredo: str | None, status: int, erro: str
) -> None:
    cabecalhos = {"X-Webhook-Token": segredo} if segredo else {}
    dados = corpo if isinstance(corpo, bytes) else json.dumps(corpo).encode()
    resposta = await cliente.post("/webhooks/sms", data=dados, headers=cabecalhos)
    assert resposta.status == status
    assert erro in (await resposta.json())["erro"]
    async with sessao(cliente.app[RECEPCAO].engine) as s:
        assert (await s.exec(select(Mensagem).where(Mensagem.canal == "sms"))).all() == []


def test_config_do_sms_validada_com_chave_e_linha(copia: Path) -> None:
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[canais.sms]\nremetente = "com espaço"\n'
                      'acentos = "talvez"\nmax_segmentos = 0\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(config)
    textos = [str(e) for e in erro.value.erros]
    assert len(textos) == 3, textos
    chaves = ["[canais.sms.remetente]", "[canais.sms.acentos]", "[canais.sms.max_segmentos]"]
    for chave, texto in zip(chaves, textos, strict=True):
        assert chave in texto and texto.startswith(f"{config}:") and texto.split(":")[1].isdigit(), texto
    assert "'remover' ou 'manter'" in textos[1]


def test_check_avisa_passo_de_sms_longo_demais(projeto: Projeto) -> None:
    curto = Passo(
        nome="sms_curto",
        dia=-1,
        canais=(TipoCanal.SMS,),
        modelos={TipoCanal.SMS: Modelo(texto="Oi, {primeiro_nome}! Amanhã vence um pagamento com {credor}.")},
    )
    texto_longo = "Oi, {primeiro_nome}! " + "Não identificamos o pagamento. " * 20
    longo = Passo(nome="sms_longo", dia=3, canais=(TipoCanal.SMS,), modelos={TipoCanal.SMS: Modelo(texto=texto_longo)})
    regua = projeto.config.regua.model_copy(update={"passos": (curto, longo)})
    canais = projeto.config.canais.model_copy(
        update={"sms": projeto.config.canais.sms.model_copy(update={"max_segmentos": 2})}
    )
    config = projeto.config.model_copy(update={"regua": regua, "canais": canais})  # fmt: skip
    assert avisos_sms(config) == [
        "aviso: regua.passos[sms_longo].modelos.sms: com valores de exemplo o texto tem 631 caracteres (GSM7, "
        "5 segmentos) e sai em 3 SMS (canais.sms.max_segmentos = 2): encurte-o"
    ]
