"""The optional LLM adviser against a local fake of an OpenAI-compatible API, alone and through the service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import select

from bot.atendimento.llm import ConselheiroLLM, criar_conselheiro
from bot.atendimento.servico import Atendimento
from bot.config.arquivo import Llm
from bot.config.erros import ConfigInvalida
from bot.conversa.fatos import Entrada
from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import Devedor
from bot.projeto import Projeto
from tests.apoio.falsos.openai import CHAVE, FakeOpenAI
from tests.apoio.leituras import id_de_maria
from tests.apoio.relogio import AGORA

INTENCOES = ("pergunta_golpe", "parar", "sim")
DESCRICOES = {"pergunta_golpe": "Desconfia: é golpe?", "parar": "Pede para parar", "sim": "Concorda"}
# Gibberish the local model cannot place, so the adviser is asked.
OBSCURA = "zuzu blorf quimbo"


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeOpenAI, Llm]]:
    openai = FakeOpenAI()
    async with TestServer(openai.app()) as servidor:
        yield openai, Llm(url=str(servidor.make_url("/v1")), tempo_limite_segundos=0.5)


async def test_pergunta_so_as_intencoes_permitidas_e_le_a_resposta(fake: tuple[FakeOpenAI, Llm]) -> None:
    openai, config = fake
    openai.responder("pergunta_golpe")
    conselheiro = ConselheiroLLM(config, CHAVE, DESCRICOES)
    assert await conselheiro.sugerir("isso eh treta?", INTENCOES) == "pergunta_golpe"
    (pedido,) = openai.pedidos
    assert pedido["model"] == "gpt-4o-mini" and pedido["temperature"] == 0
    assert pedido["response_format"] == {"type": "json_object"}
    sistema, usuario = pedido["messages"]
    assert usuario == {"role": "user", "content": "isso eh treta?"}
    assert "- pergunta_golpe: Desconfia: é golpe?" in sistema["content"] and "- parar:" in sistema["content"]
    assert "motivo_doenca" not in sistema["content"]


@pytest.mark.parametrize(
    ("conteudo", "status", "pendurar"),
    [
        ('{"intencao": "apagar_tudo"}', 200, False),  # outside the list
        ("isto nao e json", 200, False),
        ('["pergunta_golpe"]', 200, False),
        ('{"intencao": null}', 200, False),
        ('{"intencao": "sim"}', 500, False),
        ('{"intencao": "sim"}', 200, True),  # no answer in time
    ],
)
async def test_qualquer_falha_vale_a_leitura_local(
    fake: tuple[FakeOpenAI, Llm], conteudo: str, status: int, pendurar: bool
) -> None:
    openai, config = fake
    openai.conteudo, openai.status, openai.pendurar = conteudo, status, pendurar
    assert await ConselheiroLLM(config, CHAVE, DESCRICOES).sugerir("hmm", INTENCOES) is None


async def test_chave_errada_e_servidor_fora_do_ar(fake: tuple[FakeOpenAI, Llm]) -> None:
    openai, config = fake
    openai.responder("sim")
    assert await ConselheiroLLM(config, "sk-errada", DESCRICOES).sugerir("hmm", INTENCOES) is None
    fora = config.model_copy(update={"url": "http://127.0.0.1:9/v1"})
    assert await ConselheiroLLM(fora, CHAVE, DESCRICOES).sugerir("hmm", INTENCOES) is None


def test_desligado_por_padrao_e_chave_ausente_e_erro_claro() -> None:
    assert criar_conselheiro(Llm(), DESCRICOES, {}, "config.toml") is None
    with pytest.raises(ConfigInvalida) as erro:
        criar_conselheiro(Llm(url="http://x/v1"), DESCRICOES, {}, "config.toml")
    assert "[conversa.llm.chave_env] a variável de ambiente COBRANCA_LLM_CHAVE não está definida" in str(
        erro.value.erros[0]
    )
    assert criar_conselheiro(Llm(url="http://x/v1"), DESCRICOES, {"COBRANCA_LLM_CHAVE": "k"}, "c") is not None


async def _optout(atendimento: Atendimento, devedor_id: int) -> object:
    async with sessao(atendimento.engine) as s:
        return (await s.exec(select(Devedor.optout_em).where(Devedor.id == devedor_id))).one()


async def test_sugestao_usada_quando_o_modelo_local_tem_duvida(
    projeto: Projeto, url: str, fake: tuple[FakeOpenAI, Llm]
) -> None:
    openai, config = fake
    descricoes = {n: i.descricao for n, i in projeto.intencoes.items()}
    atendimento = Atendimento(
        projeto.motor, criar_engine(url), lambda: AGORA, conselheiro=ConselheiroLLM(config, CHAVE, descricoes)
    )
    devedor_id = await id_de_maria(atendimento.engine)
    await atendimento.receber(devedor_id, "web", Entrada("oi"))
    assert openai.pedidos == []  # "oi" is clear: the adviser is not asked
    openai.responder("pergunta_golpe")
    respostas = await atendimento.receber(devedor_id, "web", Entrada(OBSCURA))
    assert "CNPJ" in respostas[0].texto
    assert "- sim:" in openai.pedidos[-1]["messages"][0]["content"]  # the greeting's intents, nothing else
    assert "- motivo_doenca:" not in openai.pedidos[-1]["messages"][0]["content"]
    await atendimento.engine.dispose()


async def test_sugestao_de_parar_nunca_registra_optout_sozinha(
    projeto: Projeto, url: str, fake: tuple[FakeOpenAI, Llm]
) -> None:
    openai, config = fake
    atendimento = Atendimento(
        projeto.motor, criar_engine(url), lambda: AGORA, conselheiro=ConselheiroLLM(config, CHAVE, {})
    )
    devedor_id = await id_de_maria(atendimento.engine)
    await atendimento.receber(devedor_id, "web", Entrada("oi"))
    openai.responder("parar")
    respostas = await atendimento.receber(devedor_id, "web", Entrada(OBSCURA))
    assert "parar de receber" in respostas[0].texto
    assert "Parar mensagens" in [o.titulo for o in respostas[0].opcoes]
    assert await _optout(atendimento, devedor_id) is None
    await atendimento.receber(devedor_id, "web", Entrada("Parar mensagens", "parar"))
    assert await _optout(atendimento, devedor_id) == AGORA
    await atendimento.engine.dispose()
