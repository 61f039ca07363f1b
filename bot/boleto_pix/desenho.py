"""Drawings for the payment page: the boleto barcode (ITF, "2 de 5 intercalado") and the PIX QR code, as SVG."""

from __future__ import annotations

# Bars (1) and spaces (0) of each digit: n = narrow, w = wide (FEBRABAN: ITF, wide = 3 × narrow).
_PADROES = ("nnwwn", "wnnnw", "nwnnw", "wwnnn", "nnwnw", "wnwnn", "nwwnn", "nnnww", "wnnwn", "nwnwn")
_LARGURA = {"n": 1, "w": 3}
_INICIO = "nnnn"  # bar, space, bar, space
_FIM = "wnn"  # wide bar, space, bar
ALTURA_BARRAS = 50


def larguras_itf(digitos: str) -> list[int]:
    """Alternating bar/space widths (first a bar) of an ITF code; an even count of digits is required."""
    if not digitos.isascii() or not digitos.isdigit() or len(digitos) % 2:
        raise ValueError(f"código ITF inválido: {digitos!r} (esperado um número par de dígitos)")
    elementos = _INICIO
    for i in range(0, len(digitos), 2):
        barras, espacos = _PADROES[int(digitos[i])], _PADROES[int(digitos[i + 1])]
        elementos += "".join(b + e for b, e in zip(barras, espacos, strict=True))
    elementos += _FIM
    return [_LARGURA[e] for e in elementos]


def svg_itf(digitos: str) -> str:
    """The barcode as an inline SVG (bars are rectangles; it scales to the page width, crisp when printed)."""
    x, retangulos = 0, []
    for indice, largura in enumerate(larguras_itf(digitos)):
        if indice % 2 == 0:
            retangulos.append(f'<rect x="{x}" y="0" width="{largura}" height="{ALTURA_BARRAS}"/>')
        x += largura
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barras" viewBox="0 0 {x} {ALTURA_BARRAS}" '
        f'preserveAspectRatio="none" role="img" aria-label="Código de barras do boleto">'
        + "".join(retangulos)
        + "</svg>"
    )


def svg_qr(texto: str) -> str:
    """A QR code of `texto` as an inline SVG path (no external image)."""
    import qrcode  # qrcode loads Pillow: at the first page shown, not at start
    import qrcode.image.svg

    imagem = qrcode.make(texto, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg: str = imagem.to_string(encoding="unicode")
    return svg.split("?>", 1)[-1].strip()  # drop the XML declaration: the SVG goes inside HTML
