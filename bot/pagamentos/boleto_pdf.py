"""The payment document as a PDF (fpdf2): the boleto with its ITF barcode and the PIX QR code, one A4 page.

Served at `/p/<token>.pdf` under the page's own token rules and sent as a document by WhatsApp and Telegram.
It shows what the page shows and nothing more: the debtor's first name and masked CPF (LGPD).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.boleto_pix.boleto import formatar_linha
from bot.config.arquivo import Credor

if TYPE_CHECKING:  # fpdf (with Pillow and fontTools) costs ~0.4 s to import: loaded at the first PDF, not at start
    from fpdf import FPDF

LARGURA_ESTREITA = 0.254  # mm: FEBRABAN's narrow bar; wide = 3 × narrow, the code ends up ~103 mm long
ALTURA_BARRAS = 13.0  # mm
MARGEM = 15.0


@dataclass(frozen=True)
class DadosBoleto:
    credor: Credor
    banco: str
    primeiro_nome: str
    cpf_mascarado: str
    acordo: int
    parcela: int
    parcelas: int
    valor: str  # formatted, R$ 1.234,56
    vencimento: str  # dd/mm/aaaa
    nosso_numero: str
    linha_digitavel: str  # empty when the provider issued PIX only
    codigo_barras: str
    pix: str
    link: str
    emitido_em: datetime


def nome_do_arquivo(dados: DadosBoleto) -> str:
    return f"boleto-acordo-{dados.acordo}-parcela-{dados.parcela}.pdf"


def _latin1(texto: str) -> str:
    """The PDF core fonts speak Latin-1 (all Portuguese letters); anything else becomes '?', never an error."""
    return texto.encode("latin-1", "replace").decode("latin-1")


def _campo(pdf: FPDF, rotulo: str, valor: str, largura: float, negrito: bool = False) -> None:
    x, y = pdf.get_x(), pdf.get_y()
    pdf.set_font("Helvetica", size=7)
    pdf.cell(largura, 4, _latin1(rotulo), border="LTR")
    pdf.set_xy(x, y + 4)
    pdf.set_font("Helvetica", style="B" if negrito else "", size=10)
    pdf.cell(largura, 6, _latin1(valor), border="LBR")
    pdf.set_xy(x + largura, y)


def _cabecalho(pdf: FPDF, dados: DadosBoleto) -> None:
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.cell(0, 8, _latin1(dados.credor.nome), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, _latin1(f"CNPJ {dados.credor.cnpj} - {dados.credor.endereco}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=11)
    texto = f"{dados.primeiro_nome} (CPF {dados.cpf_mascarado}), parcela {dados.parcela} de {dados.parcelas}"
    pdf.cell(0, 6, _latin1(f"{texto} do acordo {dados.acordo}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _boleto(pdf: FPDF, dados: DadosBoleto) -> None:
    util = pdf.w - 2 * MARGEM
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, _latin1(f"Boleto - banco {dados.banco}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", style="B", size=11)
    pdf.cell(0, 7, formatar_linha(dados.linha_digitavel), new_x="LMARGIN", new_y="NEXT")
    _campo(pdf, "Beneficiário", dados.credor.nome, util * 0.5)
    _campo(pdf, "Vencimento", dados.vencimento, util * 0.2, negrito=True)
    _campo(pdf, "Valor do documento", dados.valor, util * 0.3, negrito=True)
    pdf.ln(10)
    _campo(pdf, "Pagador", f"{dados.primeiro_nome} - CPF {dados.cpf_mascarado}", util * 0.5)
    _campo(pdf, "Nosso número", dados.nosso_numero, util * 0.5)
    pdf.ln(13)
    pdf.set_fill_color(0)
    pdf.interleaved2of5(dados.codigo_barras, MARGEM, pdf.get_y(), w=3 * LARGURA_ESTREITA, h=ALTURA_BARRAS)
    pdf.set_y(pdf.get_y() + ALTURA_BARRAS + 6)


def _pix(pdf: FPDF, dados: DadosBoleto) -> None:
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, "PIX", new_x="LMARGIN", new_y="NEXT")
    lado, y = 45.0, pdf.get_y()
    import qrcode  # with the PDF library, at the first PDF

    pdf.image(qrcode.make(dados.pix, border=2).get_image(), x=MARGEM, y=y, w=lado, h=lado)
    pdf.set_xy(MARGEM + lado + 5, y)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 4, "PIX copia e cola:", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Courier", size=7)
    pdf.multi_cell(0, 3.5, _latin1(dados.pix), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), y + lado) + 4)


def gerar(dados: DadosBoleto) -> bytes:
    """One A4 page; the same data gives the same bytes (the creation date is the document's)."""
    from fpdf import FPDF  # see the TYPE_CHECKING import above

    pdf = FPDF(format="A4")
    pdf.set_margins(MARGEM, MARGEM)
    pdf.set_auto_page_break(auto=False)
    pdf.set_creation_date(dados.emitido_em.astimezone(UTC))
    pdf.set_title(_latin1(nome_do_arquivo(dados)))
    pdf.set_author(_latin1(dados.credor.nome))
    pdf.add_page()
    _cabecalho(pdf, dados)
    if dados.linha_digitavel and dados.codigo_barras:
        _boleto(pdf, dados)
    _pix(pdf, dados)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, _latin1(f"Também em {dados.link}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
