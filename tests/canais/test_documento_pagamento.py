"""The boleto PDF goes with the payment link as a real document message: WhatsApp (upload + document) and Telegram."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

from pypdf import PdfReader
from sqlmodel import select

from bot.boleto_pix.boleto import formatar_linha
from bot.canais.documento_pagamento import anexo_do_documento
from bot.canais.webhooks import RECEPCAO
from bot.dados.banco import sessao
from bot.dados.modelos import DocumentoPagamento
from bot.formatos import brl
from bot.porta import TipoCanal
from tests.apoio.ambiente_canais import Ambiente
from tests.apoio.atualizacoes import carregar
from tests.apoio.telegram import escrito
from tests.apoio.whatsapp import com_id, postar, texto


async def _documento(amb_canais: Ambiente) -> DocumentoPagamento:
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        return (await s.exec(select(DocumentoPagamento))).one()


def _confere(pdf: bytes, documento: DocumentoPagamento) -> None:
    texto_pdf = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert formatar_linha(documento.linha_digitavel) in texto_pdf
    assert brl(documento.valor) in texto_pdf


async def test_whatsapp_manda_o_pdf_depois_do_link(amb_canais: Ambiente) -> None:
    passos = [texto("oi", "wamid.E1"), com_id(carregar("whatsapp_botao.json"), "wamid.E2")]
    passos += [texto(t, f"wamid.E{n}") for n, t in enumerate(["390", "esqueci", "sim", "sim"], 3)]
    for passo in passos:
        assert await postar(amb_canais.cliente, passo) == 200
    documentos = [e for e in amb_canais.graph.enviadas if e.get("type") == "document"]
    assert len(documentos) == 1
    assert amb_canais.graph.enviadas[-1] is documentos[0]  # right after the text with the link
    anterior = amb_canais.graph.enviadas[-2]
    corpo = anterior["text"]["body"] if "text" in anterior else anterior["interactive"]["body"]["text"]
    assert "/p/" in corpo
    enviado = documentos[0]["document"]
    assert enviado["filename"] == "boleto-acordo-1-parcela-1.pdf"
    nome, mime, conteudo = amb_canais.graph.enviados[enviado["id"]]
    assert (nome, mime) == ("boleto-acordo-1-parcela-1.pdf", "application/pdf")
    _confere(conteudo, await _documento(amb_canais))


async def test_telegram_manda_o_pdf_com_send_document(amb_canais: Ambiente) -> None:
    await amb_canais.maria_no_telegram()
    for numero, frase in enumerate(["oi", "sim", "390", "esqueci", "sim", "sim"], 1):
        await amb_canais.postar_telegram(escrito(frase, numero))
    assert "/p/" in amb_canais.bot_api.enviadas[-1]["text"]
    (documento,) = amb_canais.bot_api.documentos
    assert documento["chat_id"] == 777000111
    assert (documento["nome"], documento["mime"]) == ("boleto-acordo-1-parcela-1.pdf", "application/pdf")
    _confere(documento["conteudo"], await _documento(amb_canais))


async def test_o_pdf_segue_o_documento_da_resposta(amb_canais: Ambiente) -> None:
    """Only a reply that carries a document gets its PDF (not one without, nor a channel without files, nor an
    expired page), whatever its text says."""
    await amb_canais.maria_no_telegram()
    for numero, frase in enumerate(["oi", "sim", "390", "esqueci", "sim", "sim"], 1):
        await amb_canais.postar_telegram(escrito(frase, numero))
    documento = await _documento(amb_canais)
    recepcao = amb_canais.cliente.app[RECEPCAO]
    engine, config = recepcao.engine, recepcao.atendimento.motor.config
    assert documento.id is not None
    com_link = [e["text"] for e in amb_canais.bot_api.enviadas if "/p/" in e.get("text", "")]
    assert len(com_link) == 1 and len(amb_canais.bot_api.documentos) == 1  # "Acordo registrado" has no link, no PDF
    assert await anexo_do_documento(engine, config, amb_canais.relogio, TipoCanal.TELEGRAM, None) is None
    assert await anexo_do_documento(engine, config, amb_canais.relogio, TipoCanal.WEB, documento.id) is None
    pdf = await anexo_do_documento(engine, config, amb_canais.relogio, TipoCanal.WHATSAPP, documento.id)
    assert pdf is not None and pdf.conteudo.startswith(b"%PDF-")
    validade = config.pagamentos.dias_validade_documento
    depois = datetime.combine(documento.vencimento + timedelta(days=validade + 1), time(15), UTC)
    assert await anexo_do_documento(engine, config, lambda: depois, TipoCanal.WHATSAPP, documento.id) is None
