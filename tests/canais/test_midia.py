"""Files debtors send, end to end: real clients against the fakes, kept by content hash, shown to agents."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.canais.midia import ANEXOS, Midia, avaliar, gravar, proxima_tentativa, tipo_do_conteudo
from bot.canais.telegram import url_de_arquivos
from bot.canais.webhooks import RECEPCAO
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, SituacaoAnexo
from bot.dados.modelos import Mensagem
from bot.mensagens.avisos_canal import Aviso
from tests.apoio.ambiente_canais import Ambiente
from tests.apoio.atualizacoes import carregar
from tests.apoio.console import csrf, entrar
from tests.apoio.relogio import Relogio
from tests.apoio.whatsapp import postar

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
ID_IMAGEM, ID_DOCUMENTO = "1003383421387256", "1180236789432577"  # as in tests/data/updates
ID_FOTO_TG = "AgACAgEAAxkBAAMEZ_grande"


def _no_disco(pasta: Path, anexo: Anexo) -> bytes:
    assert anexo.caminho is not None
    return (pasta / anexo.caminho).read_bytes()


@pytest.mark.parametrize(
    ("payload", "id_midia", "conteudo", "mime", "resposta"),
    [
        # captioned "comprovante": read as a receipt; an image has no text to read, so an agent checks it
        ("whatsapp_imagem.json", ID_IMAGEM, JPEG, "image/jpeg", "conferir com prioridade"),
        ("whatsapp_documento.json", ID_DOCUMENTO, PDF, "application/pdf", "guardei"),
    ],
)
async def test_whatsapp_baixa_o_arquivo_igual(
    amb_canais: Ambiente, payload: str, id_midia: str, conteudo: bytes, mime: str, resposta: str
) -> None:
    amb_canais.graph.midias[id_midia] = (conteudo, mime)
    assert await postar(amb_canais.cliente, carregar(payload)) == 200
    (anexo,) = await amb_canais.anexos()
    assert (anexo.situacao, anexo.mime, anexo.tamanho) == ("guardado", mime, len(conteudo))
    assert anexo.sha256 == hashlib.sha256(conteudo).hexdigest()
    assert anexo.caminho == f"{anexo.sha256[:2]}/{anexo.sha256}{'.jpg' if mime == 'image/jpeg' else '.pdf'}"
    assert _no_disco(amb_canais.pasta, anexo) == conteudo
    assert resposta in amb_canais.respostas()[0]


async def test_sha256_diferente_do_declarado_e_recusado(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_IMAGEM] = (JPEG, "image/jpeg")
    amb_canais.graph.sha256_trocado.add(ID_IMAGEM)
    await postar(amb_canais.cliente, carregar("whatsapp_imagem.json"))
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "recusado" and anexo.caminho is None
    assert "sha256" in (anexo.motivo or "")
    assert not amb_canais.pasta.exists()
    assert "Não consegui abrir" in amb_canais.respostas()[0]


async def test_grande_demais_e_recusado_e_o_devedor_sabe(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (PDF + b"0" * (1024 * 1024), "application/pdf")  # limit is 1 MB here
    await postar(amb_canais.cliente, carregar("whatsapp_documento.json"))
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "recusado" and "grande demais" in (anexo.motivo or "")
    assert amb_canais.graph.baixadas == []  # refused from the metadata, before reading a byte
    assert "grande demais" in amb_canais.respostas()[0]


async def test_tipo_nao_aceito_fica_registrado_sem_arquivo(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (b"PK\x03\x04zip", "application/zip")
    await postar(amb_canais.cliente, carregar("whatsapp_documento.json"))
    (anexo,) = await amb_canais.anexos()
    assert (anexo.situacao, anexo.caminho) == ("recusado", None)
    assert "tipo não aceito: declarado como application/zip, mas o conteúdo não é" in (anexo.motivo or "")


async def test_404_do_provedor_fica_registrado_e_e_tentado_de_novo(amb_canais: Ambiente) -> None:
    amb_canais.graph.erros_midia = [404, 500]
    amb_canais.graph.midias[ID_IMAGEM] = (JPEG, "image/jpeg")
    await postar(amb_canais.cliente, carregar("whatsapp_imagem.json"))
    (anexo,) = await amb_canais.anexos()
    assert (anexo.situacao, anexo.tentativas) == ("falhou", 1)
    assert "WhatsApp 100" in (anexo.motivo or "")
    assert anexo.tentar_em == amb_canais.relogio() + timedelta(minutes=1)
    assert "guardei" in amb_canais.respostas()[0]  # the message is kept; the file comes later
    anexos = amb_canais.cliente.app[ANEXOS]
    assert await anexos.retomar() == 0  # not due yet
    amb_canais.relogio.agora += timedelta(minutes=1)
    assert await anexos.retomar() == 1  # a 500 this time
    (anexo,) = await amb_canais.anexos()
    assert (anexo.situacao, anexo.tentativas) == ("falhou", 2)
    amb_canais.relogio.agora += timedelta(minutes=5)
    assert await anexos.retomar() == 1
    (anexo,) = await amb_canais.anexos()
    assert (anexo.situacao, anexo.tentar_em) == ("guardado", None)
    assert _no_disco(amb_canais.pasta, anexo) == JPEG
    assert len(amb_canais.graph.enviadas) == 1  # the debtor is not told twice


async def test_telegram_baixa_a_foto_igual(amb_canais: Ambiente) -> None:
    amb_canais.bot_api.arquivos[ID_FOTO_TG] = (JPEG, "photos/file_7.jpg")
    await amb_canais.foto_no_telegram()
    (anexo,) = await amb_canais.anexos()
    assert (anexo.canal, anexo.situacao, anexo.mime) == ("telegram", "guardado", "image/jpeg")
    assert _no_disco(amb_canais.pasta, anexo) == JPEG
    assert "conferir com prioridade" in amb_canais.bot_api.enviadas[-1]["text"]  # captioned "comprovante", nothing read


async def test_telegram_download_falho_fica_para_depois(amb_canais: Ambiente) -> None:
    amb_canais.bot_api.arquivos[ID_FOTO_TG] = (JPEG, "photos/file_7.jpg")
    amb_canais.bot_api.erros_arquivo = [502]
    await amb_canais.foto_no_telegram()
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "falhou" and (anexo.motivo or "").startswith("Telegram")
    assert anexo.id is not None
    assert (await amb_canais.cliente.app[ANEXOS].buscar(anexo.id)).situacao == SituacaoAnexo.GUARDADO


async def test_agente_abre_o_anexo_e_anonimo_nao(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (PDF, "application/pdf")
    await postar(amb_canais.cliente, carregar("whatsapp_documento.json"))
    (anexo,) = await amb_canais.anexos()
    caminho = f"/console/conversas/{anexo.conversa_id}/anexos/{anexo.id}"
    anonimo = await amb_canais.cliente.get(caminho, allow_redirects=False)
    assert anonimo.status == 401
    pagina_anonima = await amb_canais.cliente.get(caminho, headers={"Accept": "text/html"}, allow_redirects=False)
    assert (pagina_anonima.status, pagina_anonima.headers["Location"]) == (303, "/console/entrar")
    assert await entrar(amb_canais.cliente, "ana") == 303
    resposta = await amb_canais.cliente.get(caminho)
    assert resposta.status == 200
    assert await resposta.read() == PDF
    assert resposta.headers["Content-Type"] == "application/pdf"
    disposicao = resposta.headers["Content-Disposition"]
    assert f'filename="anexo-{anexo.id}.pdf"' in disposicao and "comprovante.pdf" in disposicao
    assert resposta.headers["X-Content-Type-Options"] == "nosniff"
    conversa = await (await amb_canais.cliente.get(f"/console/conversas/{anexo.conversa_id}")).text()
    assert caminho in conversa
    outra = f"/console/conversas/{anexo.conversa_id + 1}/anexos/{anexo.id}"  # not this attachment's conversation
    assert (await amb_canais.cliente.get(outra)).status == 404
    assert (await amb_canais.cliente.get(f"/console/conversas/{anexo.conversa_id}/anexos/..%2F..%2Fetc")).status == 404


async def test_agente_pede_o_download_de_novo(amb_canais: Ambiente) -> None:
    amb_canais.graph.erros_midia = [503]
    amb_canais.graph.midias[ID_IMAGEM] = (JPEG, "image/jpeg")
    await postar(amb_canais.cliente, carregar("whatsapp_imagem.json"))
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "falhou"
    assert await entrar(amb_canais.cliente, "ana") == 303
    pagina = await (await amb_canais.cliente.get(f"/console/conversas/{anexo.conversa_id}")).text()
    assert "Baixar de novo" in pagina and "não baixado" in pagina
    resposta = await amb_canais.cliente.post(
        f"/console/conversas/{anexo.conversa_id}/anexos/{anexo.id}/baixar",
        data={"csrf": csrf(pagina)},
        allow_redirects=False,
    )
    assert resposta.status == 303 and resposta.headers["Location"].endswith("?aviso=anexo")
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "guardado"


@pytest.mark.parametrize(
    ("conteudo", "sha256", "situacao", "aviso"),
    [
        (JPEG, None, SituacaoAnexo.GUARDADO, Aviso.ARQUIVO_GUARDADO),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, SituacaoAnexo.GUARDADO, Aviso.ARQUIVO_GUARDADO),
        (PDF, hashlib.sha256(PDF).hexdigest(), SituacaoAnexo.GUARDADO, Aviso.ARQUIVO_GUARDADO),
        (PDF, "AAAA", SituacaoAnexo.RECUSADO, Aviso.ARQUIVO_RECUSADO),
        (b"<svg onload=alert(1)>", None, SituacaoAnexo.RECUSADO, Aviso.ARQUIVO_RECUSADO),
        (b"%PDF-" + b"x" * 20_000, None, SituacaoAnexo.RECUSADO, Aviso.ARQUIVO_GRANDE),
    ],
)
def test_avaliar(conteudo: bytes, sha256: str | None, situacao: SituacaoAnexo, aviso: Aviso) -> None:
    veredito = avaliar(Midia(conteudo, "image/svg+xml", sha256), limite=20_000)
    assert (veredito.situacao, veredito.aviso) == (situacao, aviso)


def test_o_motivo_diz_que_o_conteudo_nao_e_o_tipo_declarado() -> None:
    veredito = avaliar(Midia(b"MZ\x90\x00\x03" + b"\x00" * 60, "application/pdf"), limite=20_000)  # a Windows .exe
    assert veredito.motivo == (
        "tipo não aceito: declarado como application/pdf, mas o conteúdo não é imagem JPEG, PNG, GIF ou WebP, PDF "
        "nem áudio"
    )


def test_sha256_em_base64_tambem_confere() -> None:
    declarado = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert avaliar(Midia(PDF, None, declarado), 10_000).situacao == SituacaoAnexo.GUARDADO
    assert tipo_do_conteudo(PDF) == ("application/pdf", ".pdf")


@pytest.mark.parametrize(
    ("inicio", "tipo"),
    [
        (b"OggS\x00\x02" + b"\x00" * 20, ("audio/ogg", ".ogg")),  # WhatsApp and Telegram voice notes (Opus)
        (b"\x00\x00\x00\x1cftypM4A " + b"\x00" * 16, ("audio/mp4", ".m4a")),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16, ("audio/mp4", ".m4a")),
        (b"\xff\xf1\x50\x80" + b"\x00" * 16, ("audio/aac", ".aac")),  # ADTS
        (b"ID3\x04\x00" + b"\x00" * 16, ("audio/mpeg", ".mp3")),
        (b"\xff\xfb\x90\x64" + b"\x00" * 16, ("audio/mpeg", ".mp3")),
        (b"#!AMR\n" + b"\x00" * 16, ("audio/amr", ".amr")),
        (b"\x00\x00\x00\x1cftypqt  " + b"\x00" * 16, None),  # a QuickTime video is not kept
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_audios_reconhecidos_pelos_bytes(inicio: bytes, tipo: tuple[str, str] | None) -> None:
    assert tipo_do_conteudo(inicio) == tipo
    veredito = avaliar(Midia(inicio, "audio/ogg; codecs=opus"), limite=1000)
    assert veredito.situacao == (SituacaoAnexo.GUARDADO if tipo else SituacaoAnexo.RECUSADO)


def test_gravar_pelo_conteudo_uma_vez(tmp_path: Path) -> None:
    primeiro = gravar(tmp_path, PDF, ".pdf")
    assert gravar(tmp_path, PDF, ".pdf") == primeiro
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{primeiro[1]}.pdf"]


def test_esperas_crescem_e_acabam() -> None:
    agora = Relogio()()
    esperas = [proxima_tentativa(n, agora) for n in range(1, 7)]
    assert esperas[0] == agora + timedelta(minutes=1) and esperas[4] == agora + timedelta(hours=12)
    assert esperas[5] is None


async def test_telegram_grande_demais_pelo_get_file(amb_canais: Ambiente) -> None:
    amb_canais.bot_api.arquivos[ID_FOTO_TG] = (JPEG * 100, "photos/file_8.jpg")  # ~1.6 MB, limit 1 MB
    await amb_canais.foto_no_telegram()
    (anexo,) = await amb_canais.anexos()
    assert anexo.situacao == "recusado" and "1.6 MB" in (anexo.motivo or "")
    assert "grande demais" in amb_canais.bot_api.enviadas[-1]["text"]


@pytest.mark.parametrize(
    ("base", "arquivos"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/file/bot"),
        ("http://botapi.interno", "http://botapi.interno/file/bot"),
    ],
)
def test_url_dos_arquivos_do_telegram(base: str, arquivos: str) -> None:
    assert url_de_arquivos(base) == arquivos


async def test_o_mesmo_arquivo_de_novo_guarda_a_mensagem_e_responde(amb_canais: Ambiente) -> None:
    """A photo forwarded again (same Telegram file_id, new message): one file, both messages, both answered."""
    amb_canais.bot_api.arquivos[ID_FOTO_TG] = (JPEG, "photos/file_7.jpg")
    await amb_canais.foto_no_telegram()
    de_novo = carregar("telegram_foto.json")
    de_novo["update_id"] += 1
    de_novo["message"]["message_id"] += 1
    await amb_canais.postar_telegram(de_novo)
    assert len(await amb_canais.anexos()) == 1
    assert [e["text"] for e in amb_canais.bot_api.enviadas].count(amb_canais.bot_api.enviadas[-1]["text"]) == 2
    assert "conferir com prioridade" in amb_canais.bot_api.enviadas[-1]["text"]
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        textos = (await s.exec(select(Mensagem.texto).where(Mensagem.canal == "telegram"))).all()
    assert len([t for t in textos if t.startswith("[imagem]")]) == 2
