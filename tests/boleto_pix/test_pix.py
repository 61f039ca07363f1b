"""PIX BR Code: the vectors of domain.md §5, ASCII fields, key checks, parsing and a round-trip property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.boleto_pix.pix import (
    TipoChave,
    crc16_ccitt,
    ler_pix,
    pix_copia_e_cola,
    pix_valido,
    texto_ascii,
    tipo_da_chave,
)

CHAVE = "123e4567-e12b-12d1-a456-426655440000"
ESTATICO = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
DINAMICO = (
    "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
)
CRC_COM_ZERO = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000520400005303986540510.00"
    "5802BR5907LOJA 146008BRASILIA62070503***63040918"
)


@pytest.mark.parametrize(("dados", "crc"), [("123456789", "29B1"), ("", "FFFF"), (CRC_COM_ZERO[:-4], "0918")])
def test_crc16_ccitt(dados: str, crc: str) -> None:
    assert crc16_ccitt(dados) == crc


def test_vetor_estatico_sem_valor() -> None:
    assert pix_copia_e_cola(CHAVE, "Fulano de Tal", "BRASILIA", None, "***") == ESTATICO


def test_vetor_estatico_com_valor_e_crc_com_zero_a_esquerda() -> None:
    assert pix_copia_e_cola(CHAVE, "LOJA 14", "BRASILIA", Decimal("10"), "***") == CRC_COM_ZERO


def test_vetor_dinamico() -> None:
    assert pix_valido(DINAMICO)
    assert crc16_ccitt(DINAMICO[:-4]) == "64E4"
    campos = ler_pix(DINAMICO)
    assert campos["01"] == "12"
    assert campos["26.00"] == "br.gov.bcb.pix"
    assert campos["26.25"] == "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    assert campos["62.05"] == "***"
    assert campos["63"] == "64E4"


@pytest.mark.parametrize("payload", [ESTATICO, CRC_COM_ZERO])
def test_vetores_estaticos_sao_validos(payload: str) -> None:
    assert pix_valido(payload)
    assert "01" not in ler_pix(payload)


def test_acentos_removidos_e_caixa_preservada() -> None:
    payload = pix_copia_e_cola(CHAVE, "José Araújo Ção", "São Paulo", None, "ABC123", descricao="Acordo nº 7 — março")
    campos = ler_pix(payload)
    assert campos["59"] == "Jose Araujo Cao"
    assert campos["60"] == "Sao Paulo"
    assert campos["26.02"] == "Acordo no 7  marco"
    assert payload.isascii() and pix_valido(payload)


def test_nome_e_cidade_truncados_sem_espaco_no_fim() -> None:
    payload = pix_copia_e_cola(CHAVE, "Ana Maria da Silva Souza Lima", "Santo Antônio do Descoberto", None, "***")
    campos = ler_pix(payload)
    assert campos["59"] == "Ana Maria da Silva Souza"
    assert campos["60"] == "Santo Antonio d"


def test_valor_com_ponto_e_duas_casas() -> None:
    payload = pix_copia_e_cola(CHAVE, "Loja", "Recife", Decimal("1234.5"), "***")
    assert ler_pix(payload)["54"] == "1234.50"


@pytest.mark.parametrize(
    ("chave", "tipo"),
    [
        ("39053344705", TipoChave.CPF),
        ("11222333000181", TipoChave.CNPJ),
        ("12ABC34501DE35", TipoChave.CNPJ),
        ("+5511987654321", TipoChave.TELEFONE),
        ("+551133334444", TipoChave.TELEFONE),
        ("cobranca@exemplo.com.br", TipoChave.EMAIL),
        (CHAVE, TipoChave.ALEATORIA),
    ],
)
def test_tipo_da_chave(chave: str, tipo: TipoChave) -> None:
    assert tipo_da_chave(chave) is tipo


@pytest.mark.parametrize(
    "chave",
    [
        "",
        "390.533.447-05",
        "39053344706",
        "11111111111",
        "11222333000180",
        "11987654321",
        "+1 555 0100",
        "sem-arroba.com",
        "joão@exemplo.com",
        "a" * 70 + "@ex.com.br",
        "123e4567-e12b-12d1-a456-42665544000",
    ],
)
def test_chave_invalida(chave: str) -> None:
    with pytest.raises(ValueError, match="chave PIX inválida"):
        pix_copia_e_cola(chave, "Loja", "Recife", None, "***")


@pytest.mark.parametrize("txid", ["", "**", "abc-123", "A" * 26, "ação"])
def test_txid_invalido(txid: str) -> None:
    with pytest.raises(ValueError, match="txid inválido"):
        pix_copia_e_cola(CHAVE, "Loja", "Recife", None, txid)


@pytest.mark.parametrize(
    ("valor", "erro"),
    [
        (Decimal("0"), "de 0.01"),
        (Decimal("-5"), "de 0.01"),
        (Decimal("10000000000"), "9999999999.99"),
        (Decimal("1.001"), "2 casas decimais"),
        (Decimal("Infinity"), "valor inválido"),
    ],
)
def test_valor_invalido(valor: Decimal, erro: str) -> None:
    with pytest.raises(ValueError, match=erro):
        pix_copia_e_cola(CHAVE, "Loja", "Recife", valor, "***")


@pytest.mark.parametrize(("nome", "cidade", "erro"), [("", "Recife", "nome"), ("Loja", "🙂 ", "cidade")])
def test_nome_ou_cidade_vazios(nome: str, cidade: str, erro: str) -> None:
    with pytest.raises(ValueError, match=f"{erro} inválido"):
        pix_copia_e_cola(CHAVE, nome, cidade, None, "***")


def test_descricao_usa_o_espaco_que_sobra_no_campo_26() -> None:
    chave = "a" * 56 + "@exemplo.com.br"  # 71 characters: 18 + 4 + 71 + 4 leaves 2 for the description
    payload = pix_copia_e_cola(chave, "Loja", "Recife", None, "***", descricao="Parcela 3")
    assert ler_pix(payload)["26.02"] == "Pa"
    assert len(ler_pix(payload)["26"]) == 99
    with pytest.raises(ValueError, match="sem espaço para a descrição"):
        pix_copia_e_cola("a" * 58 + "@exemplo.com.br", "Loja", "Recife", None, "***", descricao="Parcela 3")


@pytest.mark.parametrize(
    "payload",
    [
        ESTATICO[:-1] + "E",  # wrong CRC
        ESTATICO.replace("Fulano", "Fulana"),  # changed after the CRC was computed
        ESTATICO[:-8],  # no CRC field
        ESTATICO[6:],  # no payload format indicator first
        ESTATICO[:-4] + "1D3",  # truncated
        "",
        "not a pix",
    ],
)
def test_pix_invalido(payload: str) -> None:
    assert not pix_valido(payload)


def test_crc_em_minusculas_e_aceito() -> None:
    assert pix_valido(ESTATICO[:-4] + "1d3d")


@pytest.mark.parametrize(
    ("payload", "erro"),
    [("0002", "truncado"), ("00AB01", "cabeçalho"), ("000201000201", "repetido"), ("260400", "truncado")],
)
def test_ler_pix_rejeita(payload: str, erro: str) -> None:
    with pytest.raises(ValueError, match=erro):
        ler_pix(payload)


_chaves = st.one_of(
    st.uuids().map(str),
    st.from_regex(r"\+55[0-9]{10,11}", fullmatch=True),
    st.from_regex(r"[a-z0-9._]{1,20}@[a-z0-9]{1,15}\.com\.br", fullmatch=True),  # leaves room for descricao
    st.sampled_from(["39053344705", "11222333000181"]),
)


@given(
    chave=_chaves,
    nome=st.text(min_size=1, max_size=40),
    cidade=st.text(min_size=1, max_size=20),
    centavos=st.none() | st.integers(min_value=1, max_value=999_999_999_999),
    txid=st.just("***") | st.from_regex(r"[A-Za-z0-9]{1,25}", fullmatch=True),
    descricao=st.none() | st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20),
)
def test_propriedade_gerar_e_ler(
    *, chave: str, nome: str, cidade: str, centavos: int | None, txid: str, descricao: str | None
) -> None:
    assume(texto_ascii(nome)[:25].strip() and texto_ascii(cidade)[:15].strip())
    valor = None if centavos is None else Decimal(centavos) / 100
    payload = pix_copia_e_cola(chave, nome, cidade, valor, txid, descricao=descricao)
    campos = ler_pix(payload)
    assert pix_valido(payload)
    assert campos["26.00"] == "br.gov.bcb.pix"
    assert campos["26.01"] == chave
    assert campos.get("26.02") == descricao
    assert campos["59"] == texto_ascii(nome)[:25].rstrip()
    assert campos["60"] == texto_ascii(cidade)[:15].rstrip()
    assert campos.get("54") == (None if valor is None else f"{valor:.2f}")
    assert campos["62.05"] == txid
    assert "01" not in campos
