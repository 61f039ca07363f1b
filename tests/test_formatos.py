"""pt-BR formats and WhatsApp's text markers drawn as HTML for the channels and pages that need markup."""

from __future__ import annotations

import pytest

from bot.formatos import marcas_em_html, sem_marcas


@pytest.mark.parametrize(
    ("texto", "html"),
    [
        ("Olá, *Maria*! Tudo _bem_? ~antigo~", "Olá, <b>Maria</b>! Tudo <i>bem</i>? <s>antigo</s>"),
        ("*negrito com _itálico_ dentro*", "<b>negrito com <i>itálico</i> dentro</b>"),
        ("<script>alert(1)</script> & *x*", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <b>x</b>"),
        ("*<img src=x onerror=alert(1)>*", "<b>&lt;img src=x onerror=alert(1)&gt;</b>"),
        ("PIX: 5802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D", None),  # the txid's *** stays
        ("http://127.0.0.1:8080/p/abc_def_ghi-jkl", None),  # underscores inside a token are not italics
        ("2 * 3 * 4", None),  # a marker must touch its text
        ("*sem fim\ne começo*", None),  # never across lines
        ("a*b*c e x_y_z", None),  # nor inside a word
    ],
)
def test_marcas_do_whatsapp_em_html(texto: str, html: str | None) -> None:
    assert marcas_em_html(texto) == (html if html is not None else texto)


def test_sem_marcas_para_texto_simples() -> None:
    pix = "5802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
    texto = f"Oi da *Loja Ltda.*: _hoje_ ~não~, a_b_c e {pix}"
    assert sem_marcas(texto) == f"Oi da Loja Ltda.: hoje não, a_b_c e {pix}"
