"""The speech-to-text port: the OpenAI-compatible adapter against a local fake, and start-up checks."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.canais.config import ServicoTranscricao, TranscricaoConfig
from bot.canais.transcricao import ErroTranscricao, TranscritorOpenAI, criar_transcritor, duracao_ogg
from bot.config.erros import ConfigInvalida
from tests.fakes.transcricao import CHAVE, FakeTranscricao


def ogg_opus(segundos: float, preskip: int = 312) -> bytes:
    """A minimal Ogg Opus stream: the OpusHead page, then a last page whose granule is the sample count at 48 kHz."""
    cabeca = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", preskip, 48000, 0, 0)

    def pagina(granulo: int, dados: bytes) -> bytes:
        return b"OggS" + bytes([0, 0]) + struct.pack("<qIIIB", granulo, 1, 0, 0, 1) + bytes([len(dados)]) + dados

    return pagina(0, cabeca) + pagina(int(segundos * 48000) + preskip, b"\x00" * 40)


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeTranscricao, str]]:
    servico = FakeTranscricao()
    async with TestServer(servico.app()) as servidor:
        yield servico, str(servidor.make_url("/v1"))


async def test_envia_multipart_com_modelo_e_idioma_e_le_o_texto(fake: tuple[FakeTranscricao, str]) -> None:
    servico, url = fake
    servico.texto = "  já paguei ontem no pix  "
    transcritor = TranscritorOpenAI(url, CHAVE, "whisper-1", "pt", 5.0)
    audio = ogg_opus(4)
    try:
        assert await transcritor.transcrever(audio, "audio/ogg", "audio-1.ogg") == "já paguei ontem no pix"
    finally:
        await transcritor.fechar()
    (pedido,) = servico.pedidos
    assert pedido == {
        "conteudo": audio,
        "nome": "audio-1.ogg",
        "tipo": "audio/ogg",
        "model": "whisper-1",
        "language": "pt",
        "response_format": "json",
    }


@pytest.mark.parametrize(
    ("status", "trecho"),
    [
        (400, "recusou o áudio"),
        (413, "grande demais"),
        (429, "limite de uso"),
        (500, "fora do ar"),
    ],
)
async def test_erros_do_servico_viram_motivo_claro(fake: tuple[FakeTranscricao, str], status: int, trecho: str) -> None:
    servico, url = fake
    servico.status = status
    transcritor = TranscritorOpenAI(url, CHAVE, "whisper-1", "pt", 5.0)
    with pytest.raises(ErroTranscricao) as erro:
        await transcritor.transcrever(b"OggS", "audio/ogg", "a.ogg")
    await transcritor.fechar()
    assert erro.value.status == status
    assert trecho in erro.value.motivo and f"HTTP {status}" in erro.value.motivo


async def test_chave_errada_e_401(fake: tuple[FakeTranscricao, str]) -> None:
    _, url = fake
    transcritor = TranscritorOpenAI(url, "sk-errada", "whisper-1", "pt", 5.0)
    with pytest.raises(ErroTranscricao) as erro:
        await transcritor.transcrever(b"OggS", "audio/ogg", "a.ogg")
    await transcritor.fechar()
    assert erro.value.status == 401
    assert "recusou a chave" in erro.value.motivo and "Incorrect API key" in erro.value.motivo


async def test_servico_fora_do_ar() -> None:
    transcritor = TranscritorOpenAI("http://127.0.0.1:9/v1", CHAVE, "whisper-1", "pt", 2.0)
    with pytest.raises(ErroTranscricao, match="inacessível"):
        await transcritor.transcrever(b"OggS", "audio/ogg", "a.ogg")
    await transcritor.fechar()


def test_sem_servico_nao_ha_transcritor(tmp_path: Path) -> None:
    assert criar_transcritor(TranscricaoConfig(), tmp_path, {}, "config.toml") is None


def test_openai_sem_chave_no_ambiente_para_na_partida(tmp_path: Path) -> None:
    config = TranscricaoConfig(servico=ServicoTranscricao.OPENAI)
    with pytest.raises(ConfigInvalida) as erro:
        criar_transcritor(config, tmp_path, {"TRANSCRICAO_API_KEY": "  "}, "config.toml")
    assert "[canais.transcricao.env_chave]" in str(erro.value)
    assert "TRANSCRICAO_API_KEY não está definida" in str(erro.value)


@pytest.mark.parametrize(
    ("pasta", "criar", "trecho"),
    [
        ("", None, "precisa de pasta_modelo"),
        ("modelos/whisper-small", None, "não existe"),
        ("modelos/vazio", "pasta", "não tem model.bin"),
    ],
)
def test_local_sem_modelo_para_na_partida_com_a_razao(
    tmp_path: Path, pasta: str, criar: str | None, trecho: str
) -> None:
    if criar:
        (tmp_path / pasta).mkdir(parents=True)
    config = TranscricaoConfig(servico=ServicoTranscricao.LOCAL, pasta_modelo=pasta)
    with pytest.raises(ConfigInvalida) as erro:
        criar_transcritor(config, tmp_path, {}, str(tmp_path / "config.toml"))
    texto = str(erro.value)
    assert "[canais.transcricao.pasta_modelo]" in texto and trecho in texto


def test_local_sem_faster_whisper_instalado_diz_como_instalar(tmp_path: Path) -> None:
    (tmp_path / "modelo").mkdir()
    (tmp_path / "modelo" / "model.bin").write_bytes(b"\x00")
    config = TranscricaoConfig(servico=ServicoTranscricao.LOCAL, pasta_modelo="modelo")
    with pytest.raises(ConfigInvalida, match=r"instale o extra voz"):  # faster-whisper is not in the default install
        criar_transcritor(config, tmp_path, {}, "config.toml")


@pytest.mark.parametrize("segundos", [1.5, 3, 61])
def test_duracao_de_uma_nota_de_voz_ogg_opus(segundos: float) -> None:
    assert duracao_ogg(ogg_opus(segundos)) == pytest.approx(segundos)


def test_duracao_desconhecida_de_outros_formatos() -> None:
    assert duracao_ogg(b"ID3\x03\x00" + b"\x00" * 64) is None
    assert duracao_ogg(b"OggS") is None
