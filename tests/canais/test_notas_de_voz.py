"""Voice notes end to end: WhatsApp and Telegram against their fakes, transcribed by a local fake of the
OpenAI-compatible `/v1/audio/transcriptions`, answered through the same conversation as typed text."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.canais.webhooks import RECEPCAO
from bot.config.canais import ServicoTranscricao, TranscricaoConfig
from bot.dados.banco import sessao
from bot.dados.modelos import Devedor, Direcao, Mensagem, Transferencia
from bot.dados.voz import Transcricao
from bot.projeto import Projeto
from tests.apoio.ambiente_canais import Ambiente, abrir
from tests.apoio.atualizacoes import carregar
from tests.apoio.audio import mp3, ogg_opus
from tests.apoio.console import entrar
from tests.apoio.falsos.transcricao import CHAVE, FakeTranscricao
from tests.apoio.whatsapp import postar

ID_AUDIO_WA = "893041519230582"  # tests/data/updates/whatsapp_audio.json
ID_VOZ_TG = "AwACAgEAAxkBAAMFZ_voz"  # tests/data/updates/telegram_voz.json


@pytest.fixture
async def amb_canais(
    projeto: Projeto, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, voz: tuple[FakeTranscricao, str]
) -> AsyncIterator[Ambiente]:
    """The channels environment with voice notes transcribed by the fake service."""
    monkeypatch.setenv("TRANSCRICAO_API_KEY", CHAVE)
    transcricao = TranscricaoConfig(servico=ServicoTranscricao.OPENAI, url=voz[1], max_segundos=60)
    async with abrir(projeto, url, tmp_path / "anexos", monkeypatch, transcricao=transcricao) as ambiente:
        yield ambiente


async def _entradas(amb_canais: Ambiente) -> list[Mensagem]:
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        consulta = select(Mensagem).where(Mensagem.direcao == Direcao.ENTRADA.value).order_by(col(Mensagem.id))
        return list((await s.exec(consulta)).all())


async def _transcricoes(amb_canais: Ambiente) -> list[Transcricao]:
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        return list((await s.exec(select(Transcricao))).all())


async def _maria(amb_canais: Ambiente) -> Devedor:
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        return (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()


async def test_nota_de_voz_e_respondida_como_o_mesmo_texto_digitado(
    amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]
) -> None:
    servico, _ = voz
    servico.texto = "quero falar com um atendente"
    audio = ogg_opus(4)
    amb_canais.graph.midias[ID_AUDIO_WA] = (audio, "audio/ogg; codecs=opus")
    assert await postar(amb_canais.cliente, carregar("whatsapp_audio.json")) == 200
    (pedido,) = servico.pedidos
    assert (pedido["conteudo"], pedido["language"], pedido["model"]) == (audio, "pt", "whisper-1")
    assert pedido["nome"].endswith(".ogg") and pedido["tipo"] == "audio/ogg"
    falada = amb_canais.respostas()
    audio_msg, transcrita = await _entradas(amb_canais)
    assert audio_msg.texto == "[áudio]"
    assert transcrita.texto == "quero falar com um atendente" and transcrita.id_externo == f"{audio_msg.id_externo}:voz"
    (transcricao,) = await _transcricoes(amb_canais)
    assert (transcricao.situacao, transcricao.servico) == ("feita", "openai")
    assert transcricao.duracao == pytest.approx(4)
    # Understood like the typed words: the flow's hand-off to a person, with its own reply.
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        (transferencia,) = (await s.exec(select(Transferencia))).all()
    assert transferencia.motivo == "pedido"
    assert falada == ["Certo! Vou te passar para uma pessoa da nossa equipe. Ela responde por aqui mesmo, em horário "
                      "comercial. 🙂"]  # fmt: skip


async def test_intencao_custosa_ouvida_e_confirmada_antes(
    amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]
) -> None:
    servico, _ = voz
    servico.texto = "PARAR"
    amb_canais.graph.midias[ID_AUDIO_WA] = (ogg_opus(2), "audio/ogg; codecs=opus")
    await postar(amb_canais.cliente, carregar("whatsapp_audio.json"))
    assert (await _maria(amb_canais)).optout_em is None  # typed, "PARAR" stops the messages at once
    (pergunta,) = amb_canais.graph.enviadas
    assert pergunta["type"] == "interactive"
    assert "Ouvi seu áudio" in pergunta["interactive"]["body"]["text"]
    assert "parar de receber" in pergunta["interactive"]["body"]["text"]
    botoes = {b["reply"]["id"]: b["reply"]["title"] for b in pergunta["interactive"]["action"]["buttons"]}
    assert "parar" in botoes
    toque = carregar("whatsapp_botao.json")
    toque["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"] = {
        "id": "parar",
        "title": botoes["parar"],
    }
    await postar(amb_canais.cliente, toque)
    assert (await _maria(amb_canais)).optout_em is not None


async def test_audio_longo_nao_vai_para_o_servico(amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]) -> None:
    servico, _ = voz
    amb_canais.graph.midias[ID_AUDIO_WA] = (ogg_opus(75), "audio/ogg; codecs=opus")  # limit is 60 s here
    await postar(amb_canais.cliente, carregar("whatsapp_audio.json"))
    assert servico.pedidos == []
    assert "longo demais" in amb_canais.respostas()[0]
    (transcricao,) = await _transcricoes(amb_canais)
    assert transcricao.situacao == "recusada" and transcricao.motivo == "áudio de 75 s; limite 60 s"
    assert [m.texto for m in await _entradas(amb_canais)] == ["[áudio]"]  # the agent still has the note


async def test_mp3_encaminhado_longo_tambem_nao_vai_para_o_servico(
    amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]
) -> None:
    servico, _ = voz
    amb_canais.graph.midias[ID_AUDIO_WA] = (mp3(75), "audio/mpeg")
    encaminhado = carregar("whatsapp_audio.json")
    audio = encaminhado["entry"][0]["changes"][0]["value"]["messages"][0]["audio"]
    audio.update({"mime_type": "audio/mpeg", "voice": False})  # a forwarded file, not a voice note
    await postar(amb_canais.cliente, encaminhado)
    assert servico.pedidos == [] and "longo demais" in amb_canais.respostas()[0]
    (transcricao,) = await _transcricoes(amb_canais)
    assert transcricao.situacao == "recusada" and transcricao.motivo == "áudio de 75 s; limite 60 s"


@pytest.mark.parametrize("status", [400, 413, 429, 500])
async def test_falha_do_servico_pede_texto_e_guarda_o_motivo(
    amb_canais: Ambiente, voz: tuple[FakeTranscricao, str], status: int
) -> None:
    servico, _ = voz
    servico.status = status
    amb_canais.graph.midias[ID_AUDIO_WA] = (ogg_opus(3), "audio/ogg; codecs=opus")
    await postar(amb_canais.cliente, carregar("whatsapp_audio.json"))
    assert "não consegui ouvi-lo" in amb_canais.respostas()[0]
    (transcricao,) = await _transcricoes(amb_canais)
    assert transcricao.situacao == "falhou" and f"HTTP {status}" in (transcricao.motivo or "")
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "guardado" and anexo.mime == "audio/ogg"


async def test_mesma_nota_de_novo_nao_transcreve_nem_responde_duas_vezes(
    amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]
) -> None:
    servico, _ = voz
    amb_canais.graph.midias[ID_AUDIO_WA] = (ogg_opus(3), "audio/ogg; codecs=opus")
    payload = carregar("whatsapp_audio.json")
    await postar(amb_canais.cliente, payload)
    respostas = len(amb_canais.graph.enviadas)
    await postar(amb_canais.cliente, copy.deepcopy(payload))  # webhooks come at least once
    assert len(servico.pedidos) == 1 and len(amb_canais.graph.enviadas) == respostas


async def test_telegram_voz_usa_a_duracao_informada(amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]) -> None:
    servico, _ = voz
    servico.texto = "oi"
    amb_canais.bot_api.arquivos[ID_VOZ_TG] = (ogg_opus(3), "voice/file_5.oga")
    await amb_canais.maria_no_telegram()
    await amb_canais.postar_telegram(carregar("telegram_voz.json"))
    assert len(servico.pedidos) == 1
    (transcricao,) = await _transcricoes(amb_canais)
    assert transcricao.duracao == 3  # from the update's "duration", before the file was read
    entradas = await _entradas(amb_canais)
    assert [m.texto for m in entradas] == ["[áudio]", "oi"]
    assert amb_canais.bot_api.enviadas  # answered like a typed "oi"


async def test_telegram_voz_longa_pela_duracao_informada(
    amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]
) -> None:
    servico, _ = voz
    update: dict[str, Any] = carregar("telegram_voz.json")
    update["message"]["voice"]["duration"] = 600
    amb_canais.bot_api.arquivos[ID_VOZ_TG] = (ogg_opus(3), "voice/file_5.oga")
    await amb_canais.maria_no_telegram()
    await amb_canais.postar_telegram(update)
    assert servico.pedidos == []
    assert "longo demais" in amb_canais.bot_api.enviadas[-1]["text"]


async def test_console_mostra_o_player_e_a_transcricao(amb_canais: Ambiente, voz: tuple[FakeTranscricao, str]) -> None:
    servico, _ = voz
    servico.texto = "posso pagar dia 10?"
    audio = ogg_opus(5)
    amb_canais.graph.midias[ID_AUDIO_WA] = (audio, "audio/ogg; codecs=opus")
    await postar(amb_canais.cliente, carregar("whatsapp_audio.json"))
    (anexo,) = await amb_canais.anexos()
    await entrar(amb_canais.cliente, "ana")
    pagina = await (await amb_canais.cliente.get(f"/console/conversas/{anexo.conversa_id}")).text()
    endereco = f"/console/conversas/{anexo.conversa_id}/anexos/{anexo.id}"
    assert f'<audio controls preload="none" src="{endereco}"></audio>' in pagina
    assert "Transcrição: “posso pagar dia 10?”" in pagina
    resposta = await amb_canais.cliente.get(endereco)
    assert resposta.status == 200 and resposta.headers["Content-Type"] == "audio/ogg"
    assert "media-src 'self'" in resposta.headers["Content-Security-Policy"]
    assert await resposta.read() == audio


async def test_sem_transcricao_configurada_o_console_tem_o_audio(
    projeto: Projeto, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with abrir(projeto, url, tmp_path / "anexos", monkeypatch) as amb_canais:
        amb_canais.graph.midias[ID_AUDIO_WA] = (ogg_opus(3), "audio/ogg; codecs=opus")
        await postar(amb_canais.cliente, carregar("whatsapp_audio.json"))
        assert "apenas textos" in amb_canais.respostas()[0]
        (anexo,) = await amb_canais.anexos()
        assert (anexo.situacao, anexo.mime) == ("guardado", "audio/ogg")
        await entrar(amb_canais.cliente, "ana")
        pagina = await (await amb_canais.cliente.get(f"/console/conversas/{anexo.conversa_id}")).text()
        assert "<audio controls" in pagina and "Transcrição" not in pagina

