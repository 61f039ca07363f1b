"""SMS text: GSM-7 versus UCS-2, segment counts at the boundaries, cuts that never split a character."""

from __future__ import annotations

import pytest

from bot.canais.sms_texto import Codificacao, medir, mensagens, segmentos, transliterar


@pytest.mark.parametrize(
    ("letra", "codificacao"),
    [
        ("é", Codificacao.GSM7), ("à", Codificacao.GSM7), ("ü", Codificacao.GSM7), ("ñ", Codificacao.GSM7),
        ("É", Codificacao.GSM7), ("Ç", Codificacao.GSM7), ("€", Codificacao.GSM7),
        ("ã", Codificacao.UCS2), ("õ", Codificacao.UCS2), ("ç", Codificacao.UCS2), ("ê", Codificacao.UCS2),
        ("á", Codificacao.UCS2), ("í", Codificacao.UCS2), ("ó", Codificacao.UCS2), ("ú", Codificacao.UCS2),
        ("â", Codificacao.UCS2), ("ô", Codificacao.UCS2), ("“", Codificacao.UCS2), ("😀", Codificacao.UCS2),
    ],
)  # fmt: skip
def test_cada_letra_na_sua_codificacao(letra: str, codificacao: Codificacao) -> None:
    assert medir(f"Oi {letra}").codificacao == codificacao


@pytest.mark.parametrize(
    ("texto", "unidades", "quantos"),
    [
        ("a" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("a" * 306, 306, 2),
        ("a" * 307, 307, 3),
        ("{" * 80, 160, 1),  # extension table: two septets each
        ("a" * 159 + "€", 161, 2),
        ("ã" * 70, 70, 1),
        ("ã" * 71, 71, 2),
        ("ã" * 134, 134, 2),
        ("ã" * 135, 135, 3),
        ("😀" * 35, 70, 1),  # outside the BMP: a surrogate pair, two UTF-16 units
        ("😀" * 36, 72, 2),
    ],
)
def test_segmentos_nos_limites(texto: str, unidades: int, quantos: int) -> None:
    medida = medir(texto)
    assert (medida.unidades, medida.segmentos) == (unidades, quantos)
    partes = segmentos(texto)
    assert len(partes) == quantos and "".join(partes) == texto


def test_pares_contados_pelo_corte() -> None:
    """306 septets would divide into 2 segments of 153, but the escape pairs cannot straddle: 3 segments."""
    texto = "a" * 152 + "€" + "a" * 152
    assert (medir(texto).unidades, medir(texto).segmentos) == (306, 3)
    assert [len(p) for p in segmentos(texto)] == [152, 152, 1]


def test_par_de_escape_nao_e_cortado() -> None:
    """152 septets, then "€" (escape + 1): it does not fit in the 153 left and opens the next segment whole."""
    texto = "a" * 152 + "€" + "b" * 10
    primeiro, segundo = segmentos(texto)
    assert primeiro == "a" * 152 and segundo == "€" + "b" * 10


def test_par_substituto_nao_e_cortado() -> None:
    """66 code units, then an emoji (two units): in UTF-16 it would straddle unit 67; it goes whole to the next."""
    texto = "ã" * 66 + "😀" + "ã" * 10
    primeiro, segundo = segmentos(texto)
    assert primeiro == "ã" * 66 and segundo == "😀" + "ã" * 10
    for parte in (primeiro, segundo):
        parte.encode("utf-16-le")  # a lone surrogate would raise here
        assert medir(parte).unidades <= 67


def test_transliteracao_so_onde_o_gsm_nao_tem() -> None:
    original = "Olá, João! Você não pagou a prestação — é só responder “sim”."
    assert transliterar(original) == 'Ola, Joao! Voce nao pagou a prestacao - é so responder "sim".'

    assert transliterar("Até já, Çé") == "Até ja, Çé"  # "é" and "Ç" exist in GSM-7
    assert transliterar("Olá, Maria! 👋 Aqui é a Loja 👍🏽.") == "Ola, Maria! Aqui é a Loja ."
    cirilico = "Оплата ação"
    assert transliterar(cirilico) == cirilico  # nothing in GSM-7 looks like it: UCS-2, accents kept


def test_mensagens_cortadas_entre_palavras() -> None:
    texto = " ".join(["pagamento"] * 60)  # 599 septets: 4 segments
    partes = mensagens(texto, 2)
    assert all(medir(p).segmentos <= 2 for p in partes)
    assert " ".join(partes) == texto
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in partes)
    assert mensagens("curto", 1) == ["curto"]


def test_mensagens_de_um_segmento_cortam_palavra_longa() -> None:
    texto = "x" * 400
    partes = mensagens(texto, 1)
    assert [len(p) for p in partes] == [160, 160, 80]


def test_mensagens_com_pares_cabem_no_limite() -> None:
    texto = ("a" * 152 + "€") * 4
    partes = mensagens(texto, 2)
    assert all(medir(p).segmentos <= 2 for p in partes) and "".join(partes) == texto
