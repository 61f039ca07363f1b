"""The speech-to-text port: the OpenAI-compatible adapter against a local fake, and start-up checks."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.canais.transcricao import (
    ErroTranscricao,
    TranscritorLocal,
    TranscritorOpenAI,
    criar_transcritor,
    duracao_audio,
)
from bot.config.canais import ServicoTranscricao, TranscricaoConfig
from bot.config.erros import ConfigInvalida
from tests.apoio.audio import mp3, ogg_opus
from tests.apoio.bancos import Bancos
from tests.apoio.cli import rodar
from tests.apoio.falsos.transcricao import CHAVE, FakeTranscricao
from tests.apoio.processos import porta_livre


async def test_envia_multipart_com_modelo_e_idioma_e_le_o_texto(voz: tuple[FakeTranscricao, str]) -> None:
    servico, url = voz
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
async def test_erros_do_servico_viram_motivo_claro(voz: tuple[FakeTranscricao, str], status: int, trecho: str) -> None:
    servico, url = voz
    servico.status = status
    transcritor = TranscritorOpenAI(url, CHAVE, "whisper-1", "pt", 5.0)
    with pytest.raises(ErroTranscricao) as erro:
        await transcritor.transcrever(b"OggS", "audio/ogg", "a.ogg")
    await transcritor.fechar()
    assert erro.value.status == status
    assert trecho in erro.value.motivo and f"HTTP {status}" in erro.value.motivo


async def test_chave_errada_e_401(voz: tuple[FakeTranscricao, str]) -> None:
    _, url = voz
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
    assert duracao_audio(ogg_opus(segundos)) == pytest.approx(segundos)


@pytest.mark.parametrize("arquivo", ["nota_de_voz.opus", "encaminhado.mp3"])
def test_duracao_de_arquivos_gravados_por_codificadores_reais(arquivo: str) -> None:
    """libopus and LAME output (through libsndfile), 3.2 s of a 440 Hz tone each."""
    conteudo = (Path(__file__).parents[1] / "data" / "audio" / arquivo).read_bytes()
    assert duracao_audio(conteudo) == pytest.approx(3.2, abs=0.05)


def test_duracao_de_um_mp3_e_de_um_wav_encaminhados() -> None:
    assert duracao_audio(mp3(400)) == pytest.approx(400, rel=0.01)  # a CBR length: size over bit rate
    arquivo = io.BytesIO()
    with wave.open(arquivo, "wb") as gravacao:
        gravacao.setnchannels(1)
        gravacao.setsampwidth(2)
        gravacao.setframerate(8000)
        gravacao.writeframes(b"\x00" * 16000 * 5)
    assert duracao_audio(arquivo.getvalue()) == pytest.approx(5)


def test_duracao_de_uma_nota_de_voz_fora_da_especificacao() -> None:
    """Pages without the beginning-of-stream flag (mutagen refuses them): the last granule still gives the length."""
    nota = bytearray(ogg_opus(75))
    nota[5] = 0
    assert duracao_audio(bytes(nota)) == pytest.approx(75)


@pytest.mark.parametrize("conteudo", [b"ID3\x03\x00" + b"\x00" * 64, b"OggS", b"\x00" * 100, b""])
def test_duracao_desconhecida_de_arquivos_ilegiveis(conteudo: bytes) -> None:
    assert duracao_audio(conteudo) is None


@pytest.mark.parametrize(
    ("bloco", "mensagem"),
    [
        ('servico = "local"\npasta_modelo = "modelos/whisper-small"\n', "modelos/whisper-small não existe"),
        ('servico = "openai"\nenv_chave = "CHAVE_QUE_NAO_EXISTE"\n', "CHAVE_QUE_NAO_EXISTE não está definida"),
    ],
)
def test_serve_nao_sobe_sem_o_modelo_ou_a_chave(copia: Path, bancos: Bancos, bloco: str, mensagem: str) -> None:
    """Said once, at start-up, naming the key of config.toml: never at the first voice note."""
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[canais.transcricao]\n" + bloco, encoding="utf-8")
    feito = rodar("--config", str(config), "--db", bancos.vazio("serve"), "serve", "--porta", str(porta_livre()))
    assert feito.returncode == 1
    assert f"{config}: [canais.transcricao." in feito.stderr and mensagem in feito.stderr
    assert "Servidor em" not in feito.stdout


def test_check_recusa_servico_local_sem_pasta(copia: Path) -> None:
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[canais.transcricao]\nservico = "local"\n',
                      encoding="utf-8")  # fmt: skip
    feito = rodar("--config", str(config), "check")
    assert feito.returncode == 1
    assert "[canais.transcricao]" in feito.stderr and 'servico = "local" precisa de pasta_modelo' in feito.stderr


@dataclass
class _Segmento:
    text: str


@dataclass
class _ModeloWhisper:
    """faster-whisper's `WhisperModel.transcribe` contract: (a lazy iterator of segments, info)."""

    falha: Exception | None = None
    pedidos: list[tuple[bytes, str]] = field(default_factory=list)

    def transcribe(self, audio: io.BytesIO, language: str) -> tuple[Iterator[_Segmento], object]:
        self.pedidos.append((audio.read(), language))
        if self.falha is not None:
            raise self.falha
        return iter([_Segmento(" já paguei"), _Segmento(" ontem. ")]), object()


async def test_local_junta_os_segmentos_numa_thread() -> None:
    modelo = _ModeloWhisper()
    transcritor = TranscritorLocal(modelo, "pt")
    assert await transcritor.transcrever(b"OggS123", "audio/ogg", "a.ogg") == "já paguei ontem."
    assert modelo.pedidos == [(b"OggS123", "pt")]


async def test_local_erro_do_decodificador_vira_motivo() -> None:
    transcritor = TranscritorLocal(_ModeloWhisper(falha=RuntimeError("Invalid data found when processing input")), "pt")
    with pytest.raises(ErroTranscricao, match="faster-whisper não transcreveu: RuntimeError: Invalid data"):
        await transcritor.transcrever(b"lixo", "audio/ogg", "a.ogg")
