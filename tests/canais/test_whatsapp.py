"""WhatsApp webhooks end to end: real pywa client against a local Graph API, payloads from tests/data/updates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import col, select

from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, Atualizacao, StatusEntrega
from bot.dados.modelos import Acordo, Conversa, Direcao, Mensagem
from bot.projeto import Projeto
from tests.apoio.atualizacoes import UPDATES, carregar
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.whatsapp import SEGREDO, assinar, cliente_para, com_id, engine_de, postar, texto


async def test_desafio_de_verificacao(cliente_whatsapp: Cliente) -> None:
    ok = await cliente_whatsapp.get(
        "/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "verifica", "hub.challenge": "42"}
    )
    assert (ok.status, await ok.text()) == (200, "42")
    errado = await cliente_whatsapp.get(
        "/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "outro", "hub.challenge": "42"}
    )
    assert errado.status == 403


@pytest.mark.parametrize(
    ("corpo", "cabecalho", "status"),
    [
        (b'{"object": "whatsapp_business_account", "entry": []}', None, 401),
        (b'{"object": "whatsapp_business_account", "entry": []}', "sha256=" + "0" * 64, 403),
        (b'{"object": "whatsapp_business_account", "entry": []}', "assinado-com-outro", 403),
        (b"{nao e json", "assinar", 400),
        (b'{"object": "page", "entry": []}', "assinar", 400),
        (b'{"object": "whatsapp_business_account", "entry": []}', "assinar", 200),
        (b"x" * 300_000, "assinar", 413),
    ],
)
async def test_pedidos_recusados(cliente_whatsapp: Cliente, corpo: bytes, cabecalho: str | None, status: int) -> None:
    cabecalhos = {}
    if cabecalho == "assinar":
        cabecalhos["X-Hub-Signature-256"] = assinar(corpo)
    elif cabecalho == "assinado-com-outro":
        cabecalhos["X-Hub-Signature-256"] = assinar(corpo, "outro-segredo")
    elif cabecalho is not None:
        cabecalhos["X-Hub-Signature-256"] = cabecalho
    resposta = await cliente_whatsapp.post("/webhooks/whatsapp", data=corpo, headers=cabecalhos)
    assert resposta.status == status
    async with sessao(engine_de(cliente_whatsapp)) as s:
        assert (await s.exec(select(Atualizacao))).all() == []


async def test_texto_de_numero_sem_nono_digito_vira_conversa(
    cliente_whatsapp: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    assert await postar(cliente_whatsapp, carregar("whatsapp_texto.json")) == 200
    enviada = graph[0].enviadas[0]
    assert enviada["to"] == "551187654321"
    assert enviada["type"] == "interactive"
    botoes = enviada["interactive"]["action"]["buttons"]
    assert botoes[0]["reply"] == {"id": "sim", "title": "Sim, sou eu"}
    async with sessao(engine_de(cliente_whatsapp)) as s:
        saida = (await s.exec(select(Mensagem).where(Mensagem.direcao == Direcao.SAIDA.value))).one()
        atualizacao = (await s.exec(select(Atualizacao))).one()
    assert saida.id_externo == "wamid.SAIDA1"
    assert atualizacao.situacao == "processada"


async def test_mesma_mensagem_duas_vezes_e_em_duas_instancias(
    cliente_whatsapp: Cliente, projeto: Projeto, url: str, graph: tuple[FalsoGraph, str]
) -> None:
    payload = carregar("whatsapp_texto.json")
    outra = await cliente_para(projeto, url, graph[1])
    try:
        assert [
            await postar(cliente_whatsapp, payload),
            await postar(cliente_whatsapp, payload),
            await postar(outra, payload),
        ] == [
            200,
            200,
            200,
        ]
    finally:
        await outra.close()
    assert len(graph[0].enviadas) == 1
    async with sessao(engine_de(cliente_whatsapp)) as s:
        entradas = (await s.exec(select(Mensagem).where(Mensagem.direcao == Direcao.ENTRADA.value))).all()
    assert len(entradas) == 1


async def test_status_em_lote_fora_de_ordem_ficam_no_mais_avancado(
    cliente_whatsapp: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    await postar(cliente_whatsapp, carregar("whatsapp_texto.json"))
    lote = json.loads(json.dumps(carregar("whatsapp_status_lote.json")).replace("wamid.SAIDA", "wamid.SAIDA1"))
    assert await postar(cliente_whatsapp, lote) == 200
    assert await postar(cliente_whatsapp, lote) == 200  # redelivered: nothing new
    async with sessao(engine_de(cliente_whatsapp)) as s:
        saida = (await s.exec(select(Mensagem).where(Mensagem.id_externo == "wamid.SAIDA1"))).one()
        historico = (await s.exec(select(StatusEntrega.status).order_by(col(StatusEntrega.instante)))).all()
    assert saida.status == "read"
    assert historico == ["sent", "delivered", "read"]


async def test_status_antes_do_envio_ser_registrado_e_falha_com_codigo(cliente_whatsapp: Cliente) -> None:
    falha = json.loads(json.dumps(carregar("whatsapp_status_falha.json")).replace("wamid.SAIDA", "wamid.SAIDA1"))
    await postar(cliente_whatsapp, falha)  # arrives before we know wamid.SAIDA1 is ours
    await postar(cliente_whatsapp, carregar("whatsapp_texto.json"))
    async with sessao(engine_de(cliente_whatsapp)) as s:
        saida = (await s.exec(select(Mensagem).where(Mensagem.id_externo == "wamid.SAIDA1"))).one()
        status = (await s.exec(select(StatusEntrega))).one()
    assert saida.status == "failed"
    assert status.codigo == "131047"
    assert "24 hours" in (status.detalhe or "")


async def test_numero_desconhecido_recebe_resposta_generica(
    cliente_whatsapp: Cliente, graph: tuple[FalsoGraph, str]
) -> None:
    payload = json.loads(json.dumps(carregar("whatsapp_texto.json")).replace("551187654321", "5511955554444"))
    await postar(cliente_whatsapp, payload)
    assert len(graph[0].enviadas) == 1
    enviada = graph[0].enviadas[0]
    assert enviada["to"] == "5511955554444"
    assert "não encontramos um cadastro" in enviada["text"]["body"]
    assert "Maria" not in enviada["text"]["body"]
    async with sessao(engine_de(cliente_whatsapp)) as s:
        assert (await s.exec(select(Conversa))).all() == []


@pytest.mark.parametrize(
    ("arquivo", "resposta", "anexo"),
    [
        ("whatsapp_imagem.json", "guardei", ("image", "1003383421387256", "comprovante")),
        ("whatsapp_documento.json", "guardei", ("document", "1180236789432577", None)),
        # no transcriber configured: today's polite answer, and the voice note is kept for the agent
        ("whatsapp_audio.json", "apenas textos", ("audio", "893041519230582", None)),
        ("whatsapp_figurinha.json", "apenas textos", None),
        ("whatsapp_localizacao.json", "apenas textos", None),
        ("whatsapp_contato.json", "apenas textos", None),
        ("whatsapp_nao_suportada.json", "apenas textos", None),
        ("whatsapp_reacao.json", None, None),
        ("whatsapp_editada.json", None, None),  # the Cloud API's edit and revoke shapes (pywa MessageType.EDIT/REVOKE)
        ("whatsapp_apagada.json", None, None),
    ],
)
async def test_o_que_nao_e_texto(
    cliente_whatsapp: Cliente,
    graph: tuple[FalsoGraph, str],
    arquivo: str,
    resposta: str | None,
    anexo: tuple[str, str, str | None] | None,
) -> None:
    assert await postar(cliente_whatsapp, carregar(arquivo)) == 200
    corpos = [e["text"]["body"] for e in graph[0].enviadas]
    assert len(corpos) == (0 if resposta is None else 1)
    assert resposta is None or resposta in corpos[0]
    async with sessao(engine_de(cliente_whatsapp)) as s:
        anexos = (await s.exec(select(Anexo))).all()
        falhas = (await s.exec(select(Atualizacao).where(Atualizacao.situacao != "processada"))).all()
    assert [(a.tipo, a.id_midia, a.legenda) for a in anexos] == ([anexo] if anexo else [])
    assert falhas == []


async def test_negociacao_inteira_pelo_whatsapp(cliente_whatsapp: Cliente, graph: tuple[FalsoGraph, str]) -> None:
    botao = carregar("whatsapp_botao.json")
    passos: list[dict[str, Any]] = [
        texto("oi", "wamid.E1"),
        com_id(botao, "wamid.E2"),
        texto("390", "wamid.E3"),
        texto("esqueci", "wamid.E4"),
        texto("sim", "wamid.E5"),
        texto("sim", "wamid.E6"),
    ]
    for passo in passos:
        assert await postar(cliente_whatsapp, passo) == 200
    ultimas = " ".join(
        e.get("text", {}).get("body", "") or e.get("interactive", {}).get("body", {}).get("text", "")
        for e in graph[0].enviadas[-3:]
    )
    assert "Acordo registrado" in ultimas
    async with sessao(engine_de(cliente_whatsapp)) as s:
        assert len((await s.exec(select(Acordo))).all()) == 1
        sem_id = (
            await s.exec(
                select(Mensagem).where(Mensagem.direcao == Direcao.SAIDA.value, col(Mensagem.id_externo).is_(None))
            )
        ).all()
    assert sem_id == []


def test_payloads_guardados_sao_lidos() -> None:
    """Every stored WhatsApp payload splits into units with their provider ids."""
    from bot.canais.whatsapp_webhook import ler_mensagem, unidades

    for arquivo in sorted(UPDATES.glob("whatsapp_*.json")):
        for unidade in unidades(json.loads(arquivo.read_text(encoding="utf-8"))):
            assert unidade.id_externo.startswith("wamid.")
            if unidade.tipo == "mensagem":
                assert ler_mensagem(unidade.corpo).de == "551187654321"


@pytest.mark.parametrize(
    ("status", "codigo", "erro"),
    [
        (400, 131047, "JanelaFechada"),
        (400, 131026, "Indeliveravel"),
        (429, 130429, "TentarDepois"),
        (400, 131056, "TentarDepois"),
        (500, 1, "TentarDepois"),
        (400, 100, "ErroCanal"),
    ],
)
async def test_erros_do_graph_viram_erros_tipados(
    graph: tuple[FalsoGraph, str], status: int, codigo: int, erro: str
) -> None:
    from bot.canais.whatsapp import RemetenteWhatsapp
    from bot.porta import Botao, Envio, ErroCanal, TipoCanal

    graph[0].erros.append((status, codigo))
    remetente = RemetenteWhatsapp("106540352242922", "token-wa", SEGREDO, graph[1], "23.0")
    try:
        with pytest.raises(ErroCanal) as capturado:
            await remetente.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "oi"))
        lista = await remetente.enviar(
            Envio(
                TipoCanal.WHATSAPP, "+5511987654321", "escolha", tuple(Botao(f"o{i}", f"Opção {i}") for i in range(5))
            )
        )
    finally:
        await remetente.fechar()
    assert type(capturado.value).__name__ == erro
    assert capturado.value.codigo == str(codigo)
    assert lista == "wamid.SAIDA1"
    secoes = graph[0].enviadas[0]["interactive"]["action"]["sections"]
    assert [r["id"] for r in secoes[0]["rows"]] == ["o0", "o1", "o2", "o3", "o4"]


async def test_modelo_aprovado_vai_como_template_com_parametros(graph: tuple[FalsoGraph, str]) -> None:
    from bot.canais.whatsapp import RemetenteWhatsapp
    from bot.porta import Envio, ErroCanal, TipoCanal

    remetente = RemetenteWhatsapp("106540352242922", "token-wa", SEGREDO, graph[1], "23.0")
    lembrete = Envio(TipoCanal.WHATSAPP, "+5511987654321", "texto livre", modelo="lembrete_vencimento",
                     parametros=("Maria", "24/11/2026"), chave="parcela:1|antes_5|whatsapp")  # fmt: skip
    try:
        wamid = await remetente.enviar(lembrete)
        with pytest.raises(ErroCanal) as recusado:
            await remetente.enviar(Envio(TipoCanal.WHATSAPP, "+5511987654321", "x", modelo="nao_aprovado"))
    finally:
        await remetente.fechar()
    assert wamid == "wamid.SAIDA1"
    enviada = graph[0].enviadas[0]
    assert (enviada["type"], enviada["to"]) == ("template", "5511987654321")
    assert enviada["template"]["name"] == "lembrete_vencimento"
    assert enviada["template"]["language"] == {"code": "pt_BR"}
    [corpo] = enviada["template"]["components"]
    assert corpo["type"].lower() == "body"
    assert corpo["parameters"] == [{"type": "text", "text": "Maria"}, {"type": "text", "text": "24/11/2026"}]
    assert enviada["biz_opaque_callback_data"] == "parcela:1|antes_5|whatsapp"
    assert "texto livre" not in json.dumps(enviada)
    assert recusado.value.codigo == "132001"
    assert type(recusado.value) is ErroCanal  # permanent: the régua falls back to the next channel
