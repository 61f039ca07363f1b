"""Receipts read and matched: PDFs the tests write with fpdf2, with real-format PIX end-to-end ids."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fpdf import FPDF

from bot.boleto_pix.comprovante import Aberto, Resultado, casar, diz_que_pagou, ler, ler_e2e, parece_comprovante
from bot.canais.recibos import texto_do_pdf

CNPJ_CREDOR = "12.345.678/0001-95"
E2E = "E18236120202612021435s0123456789"  # Nubank's ISPB, 2026-12-02 14:35 UTC, 11 alphanumerics


def comprovante_pdf(pasta: Path, linhas: list[str]) -> Path:
    """A one-page receipt as a bank app exports it: one fact per line."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for linha in linhas:
        pdf.cell(0, 8, linha, new_x="LMARGIN", new_y="NEXT")
    caminho = pasta / "comprovante.pdf"
    pdf.output(str(caminho))
    return caminho


LINHAS_PIX = [
    "Comprovante de transferência Pix",
    "Data: 02/12/2026 - 11:35",
    "Valor: R$ 1.234,56",
    "Destino",
    "Nome: Loja Exemplo Ltda",
    f"CNPJ: {CNPJ_CREDOR}",
    "Instituição: Banco do Brasil S.A.",
    "Origem",
    "Nome: Maria da Silva",
    "CPF: ***.533.447-**",
    "ID da transação:",
    E2E,
]


def test_le_um_comprovante_pix_em_pdf(tmp_path: Path) -> None:
    leitura = ler(texto_do_pdf(comprovante_pdf(tmp_path, LINHAS_PIX)))
    assert leitura.e2e is not None
    assert (leitura.e2e.id, leitura.e2e.ispb, leitura.e2e.instante) == (E2E, "18236120",
                                                                        datetime(2026, 12, 2, 14, 35))  # fmt: skip
    assert leitura.valor == Decimal("1234.56")
    assert leitura.data == date(2026, 12, 2)
    assert leitura.cnpjs == ("12345678000195",)


def test_id_pix_quebrado_em_duas_linhas_e_lido_inteiro() -> None:
    e2e = ler_e2e(f"ID: {E2E[:20]}\n{E2E[20:]}\nAutenticação\nABC123")
    assert e2e is not None and e2e.id == E2E


@pytest.mark.parametrize(
    "texto",
    [
        f"ID da transação:\n{E2E}\nData: 02/12/2026",  # a label on the next line (pypdf keeps the layout's lines)
        f"ID da transação\n{E2E}\nAutenticação\nA1B2C3",
        f"E2E: {E2E} Protocolo 123",
        f"Identificador: {E2E}.",
        f"ID: {E2E[:25]}\n{E2E[25:]}",
    ],
)
def test_id_pix_lido_onde_o_comprovante_o_imprime(texto: str) -> None:
    e2e = ler_e2e(texto)
    assert e2e is not None and e2e.id == E2E  # as printed: the 11 last characters are case-sensitive


def test_id_pix_nao_e_montado_com_a_linha_seguinte() -> None:
    assert ler_e2e(f"{E2E[:31]}\n{E2E[31:]}9") is None  # 33 characters once joined


@pytest.mark.parametrize(
    "texto",
    [
        "E1823612020261302143501234567890",  # month 13
        "E18236120202612021435S012345678",  # 10 characters after the instant
        "X18236120202612021435S0123456789",  # not an E
        "E1823612A202612021435S0123456789",  # ISPB not digits
    ],
)
def test_id_pix_mal_formado_nao_e_lido(texto: str) -> None:
    assert ler_e2e(texto) is None


def test_valor_da_linha_do_valor_e_nao_do_saldo() -> None:
    texto = "Saldo disponível R$ 9.999,99\nTarifa R$ 0,00\nValor pago: R$ 150,00\n"
    assert ler(texto).valor == Decimal("150.00")


def test_data_por_extenso() -> None:
    assert ler("Pago em 2 de dezembro de 2026\nR$ 10,00").data == date(2026, 12, 2)


def test_pdf_danificado_le_vazio(tmp_path: Path) -> None:
    caminho = tmp_path / "x.pdf"
    caminho.write_bytes(b"%PDF-1.4\nlixo sem objetos\n%%EOF\n")
    assert texto_do_pdf(caminho) == ""


ABERTOS = [
    Aberto("parcela:2", Decimal("1234.56"), date(2026, 12, 10)),
    Aberto("parcela:1", Decimal("1234.56"), date(2026, 11, 10)),
    Aberto("parcela:3", Decimal("99.90"), date(2026, 12, 10)),
]
HOJE = date(2026, 12, 3)
NOMES_CREDOR = ("Loja Exemplo Comércio Ltda.", "Loja Exemplo")


def test_casa_pelo_valor_com_a_parcela_mais_antiga(tmp_path: Path) -> None:
    leitura = ler(texto_do_pdf(comprovante_pdf(tmp_path, LINHAS_PIX)))
    casamento = casar(leitura, ABERTOS, CNPJ_CREDOR, HOJE)
    assert casamento.resultado == Resultado.CASADO
    assert casamento.aberto == ABERTOS[1]


@pytest.mark.parametrize(
    ("valor", "alvo"),
    [("400.00", "parcela:9"), ("407.20", "parcela:9"), ("412.00", "parcela:9"), ("412.01", None), ("399.99", None)],
)
def test_parcela_atrasada_paga_com_encargos(valor: str, alvo: str | None) -> None:
    """Paid late through the creditor's own boleto, it costs its value plus charges (at most today's)."""
    atrasada = Aberto("parcela:9", Decimal("400.00"), date(2026, 10, 10), atualizado=Decimal("412.00"))
    leitura = ler(f"Valor: R$ {valor.replace('.', ',')}\nPara: Loja Exemplo\n02/12/2026")
    casamento = casar(leitura, [*ABERTOS, atrasada], CNPJ_CREDOR, HOJE, NOMES_CREDOR)
    assert (casamento.aberto.alvo if casamento.aberto else None) == alvo


@pytest.mark.parametrize(
    ("texto", "resultado", "motivo"),
    [
        ("Valor: R$ 50,00\nPara: Loja Exemplo", Resultado.SEM_CASAMENTO, "nenhuma parcela em aberto de R$ 50,00"),
        ("Valor: R$ 99,90\nCNPJ 11.222.333/0001-81", Resultado.SEM_CASAMENTO, "não tem o CNPJ do credor"),
        ("Valor: R$ 99,90\n10/12/2026\nPara: Loja Exemplo", Resultado.SEM_CASAMENTO, "no futuro"),
        ("Valor: R$ 99,90\n02/11/2026\nPara: Loja Exemplo", Resultado.SEM_CASAMENTO, "comprovante antigo (02/11/2026)"),
        ("Valor: R$ 99,90\n03/11/2026\nPara: Loja Exemplo", Resultado.CASADO, "valor e credor conferem"),
        ("Pagamento realizado\n02/12/2026", Resultado.SEM_CASAMENTO, "valor não encontrado"),
        ("", Resultado.ILEGIVEL, "nada de um comprovante"),
        ("Valor: R$ 99,90\nPara: Loja Exemplo", Resultado.CASADO, "valor e credor conferem"),
        ("Valor: R$ 99,90", Resultado.SEM_CASAMENTO, "não diz quem recebeu"),  # whoever got it, not shown
        ("Valor: R$ 99,90\nPara\nJoão Souza\nCPF ***.456.789-**", Resultado.SEM_CASAMENTO, "não é o credor"),
    ],
)
def test_casamento(texto: str, resultado: Resultado, motivo: str) -> None:
    casamento = casar(ler(texto), ABERTOS, CNPJ_CREDOR, HOJE, NOMES_CREDOR)
    assert casamento.resultado == resultado
    assert motivo in casamento.motivo


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("oi, já paguei essa conta", True),
        ("Fiz o PIX agora há pouco", True),
        ("vou mandar o comprovante", True),
        ("tá pago já", True),
        ("me manda o pix", False),
        ("quero fazer o pagamento", False),
        ("quando eu pago?", False),
    ],
)
def test_mensagem_que_diz_que_pagou(texto: str, esperado: bool) -> None:
    assert diz_que_pagou(texto) is esperado


@pytest.mark.parametrize(
    ("legenda", "esperado"),
    [("Segue o COMPROVANTE", True), ("já paguei", True), ("pix feito", True), ("foto do carro", False), (None, False)],
)
def test_legenda_que_diz_comprovante(legenda: str | None, esperado: bool) -> None:
    assert parece_comprovante(legenda) is esperado


@pytest.mark.parametrize(
    ("texto", "recebedor"),
    [
        ("Destino\nNome: Loja Exemplo Ltda\nOrigem\nNome: Maria da Silva", "loja exemplo ltda"),
        ("Origem\nNome: Maria da Silva\nDestino\nNome: Loja Exemplo Ltda", "loja exemplo ltda"),
        ("Favorecido: LOJA EXEMPLO COMÉRCIO LTDA\nValor: R$ 10,00", "loja exemplo comercio ltda"),
        ("Para: Zé das Couves ME", "ze das couves me"),
        ("Para\nLOJA EXEMPLO LTDA\nCNPJ 11.222.333/0001-81", "loja exemplo ltda"),  # the name under its label
        ("Destino\nNome Loja Exemplo\nCNPJ 11.222.333/0001-81", "loja exemplo"),  # a label without a colon
        ("Quem recebeu\nNome\nLoja Exemplo\nQuem pagou\nNome\nMaria", "loja exemplo"),
        ("Dados do recebedor\nInstituição\nNU PAGAMENTOS IP\nConta 123", None),  # a field's value is no name
        ("De\nMaria da Silva\nValor: R$ 10,00", None),  # only the payer
        ("Valor: R$ 10,00", None),
    ],
)
def test_le_o_nome_do_recebedor(texto: str, recebedor: str | None) -> None:
    assert ler(texto).recebedor == recebedor


def test_le_o_recebedor_do_pdf(tmp_path: Path) -> None:
    assert ler(texto_do_pdf(comprovante_pdf(tmp_path, LINHAS_PIX))).recebedor == "loja exemplo ltda"


@pytest.mark.parametrize(
    ("texto", "resultado"),
    [
        ("Valor: R$ 99,90\nPara: Loja Exemplo", Resultado.CASADO),
        ("Valor: R$ 99,90\nPara: EXEMPLO COMERCIO LTDA", Resultado.CASADO),
        ("Valor: R$ 99,90\nPara: Loja do Zé Comércio Ltda", Resultado.SEM_CASAMENTO),  # only generic words shared
        ("Valor: R$ 99,90\nPara: Outra Loja\nCNPJ 12.345.678/0001-95", Resultado.CASADO),  # the CNPJ decides
    ],
)
def test_sem_cnpj_o_nome_do_recebedor_decide(texto: str, resultado: Resultado) -> None:
    casamento = casar(ler(texto), ABERTOS, CNPJ_CREDOR, HOJE, NOMES_CREDOR)
    assert casamento.resultado == resultado, casamento.motivo
    if resultado == Resultado.SEM_CASAMENTO:
        assert casamento.motivo == "recebedor “loja do ze comercio ltda” não é o credor"
