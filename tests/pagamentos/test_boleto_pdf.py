"""The boleto PDF at /p/<token>.pdf: real text read back with pypdf, the page's token rules, the barcode drawn."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from bot.boleto_pix.boleto import formatar_linha
from bot.boleto_pix.desenho import larguras_itf
from bot.config.arquivo import Credor
from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import DocumentoPagamento
from bot.formatos import brl
from bot.pagamentos.boleto_pdf import DadosBoleto, gerar
from tests.apoio.chat_web import fechar_acordo
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import Relogio


def texto_do_pdf(conteudo: bytes) -> str:
    leitor = PdfReader(io.BytesIO(conteudo))
    assert len(leitor.pages) == 1
    return leitor.pages[0].extract_text()


async def test_pdf_tem_linha_digitavel_valor_e_pix(cliente_demo: Cliente, url: str) -> None:
    caminho = await fechar_acordo(cliente_demo)
    resposta = await cliente_demo.get(f"{caminho}.pdf")
    assert resposta.status == 200
    assert resposta.headers["Content-Type"] == "application/pdf"
    assert resposta.headers["Content-Disposition"] == 'inline; filename="boleto-acordo-1-parcela-1.pdf"'
    assert resposta.headers["Cache-Control"] == "no-store"
    conteudo = await resposta.read()
    assert conteudo.startswith(b"%PDF-")
    engine = criar_engine(url)
    async with sessao(engine) as s:
        documento = (await s.exec(select(DocumentoPagamento))).one()
    await engine.dispose()
    texto = texto_do_pdf(conteudo)
    assert formatar_linha(documento.linha_digitavel) in texto
    assert brl(documento.valor) in texto
    assert documento.vencimento.strftime("%d/%m/%Y") in texto
    assert "Loja Exemplo Comércio Ltda." in texto and "11.222.333/0001-81" in texto
    assert "***.533.447-**" in texto and "Maria" in texto
    assert "Silva" not in texto  # first name only, as on the page
    assert re.sub(r"\s", "", documento.pix) in re.sub(r"\s", "", texto)
    assert (await (await cliente_demo.get(f"{caminho}.pdf")).read()) == conteudo  # same document, same bytes
    assert barras_desenhadas(conteudo) == larguras_itf(documento.codigo_barras)[::2]


def barras_desenhadas(conteudo: bytes) -> list[int]:
    """The filled rectangles of the page, left to right, as multiples of the narrow bar: the ITF bars."""
    desenho = PdfReader(io.BytesIO(conteudo)).pages[0].get_contents()
    assert desenho is not None
    retangulos = re.findall(rb"([\d.]+) [\d.-]+ ([\d.]+) [\d.-]+ re f", desenho.get_data())
    larguras = [float(w) for _x, w in sorted(retangulos, key=lambda r: float(r[0]))]
    estreita = min(larguras)
    return [round(w / estreita) for w in larguras]


@pytest.mark.parametrize("token", ["A" * 32, "curto", "A" * 31 + "%2E"])
async def test_token_desconhecido_nao_tem_pdf(cliente_demo: Cliente, token: str) -> None:
    resposta = await cliente_demo.get(f"/p/{token}.pdf")
    assert resposta.status == 404
    assert resposta.content_type == "text/html"


async def test_pdf_vencido_como_a_pagina(cliente_demo: Cliente, relogio: Relogio) -> None:
    caminho = await fechar_acordo(cliente_demo)
    relogio.agora += timedelta(days=60)
    assert (await cliente_demo.get(f"{caminho}.pdf")).status == 404
    assert (await cliente_demo.get(caminho)).status == 404


def test_so_pix_sem_bloco_de_boleto() -> None:
    credor = Credor(nome="Loja Ça", cnpj="11222333000181", endereco="Rua Um, 1")
    dados = DadosBoleto(credor, "001", "Zoë", "***.533.447-**", 1, 1, 1, "R$ 10,00", "01/12/2026", "1",
                        "", "", "00020126", "http://x/p/t", datetime(2026, 11, 23, tzinfo=UTC))  # fmt: skip
    texto = texto_do_pdf(gerar(dados))
    assert "Zoë" in texto and "Boleto" not in texto  # PIX only: no boleto block without a linha digitável
