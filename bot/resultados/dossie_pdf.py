"""The evidence file as a PDF (fpdf2), drawn from the same data as its JSON, the SHA-256 on every page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF

MARGEM = 15.0


CODIFICACAO = "windows-1252"  # the core fonts' widest: Portuguese letters and — • “ ” … € of the bot's messages
INVISIVEIS = {"\u200d", "\ufe0e", "\ufe0f"}  # joiners and emoji variation selectors: nothing to show


def _desenhavel(letra: str) -> str:
    """An emoji or any sign the font lacks shows as its code point, `[U+1F44B]`, never as a misleading '?'."""
    if letra in INVISIVEIS:
        return ""
    try:
        letra.encode(CODIFICACAO)
    except UnicodeEncodeError:
        return f"[U+{ord(letra):04X}]"
    return letra


def _t(texto: object) -> str:
    """Text the core fonts can draw; the exact text is in dossie.json."""
    return "".join(map(_desenhavel, str(texto)))


def _local(instante: dict[str, str] | None) -> str:
    """`23/11/2026 11:00 (UTC 14:00)`: the debtor's local time first, as the contact rules are judged in it."""
    if not instante:
        return "-"
    local, utc = datetime.fromisoformat(instante["local"]), datetime.fromisoformat(instante["utc"]).astimezone(UTC)
    return f"{local:%d/%m/%Y %H:%M} (UTC {utc:%d/%m %H:%M})"


class _Documento(FPDF):
    sha256 = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.cell(0, 5, _t(f"SHA-256 do conteúdo: {self.sha256}   ·   página {self.page_no()}/{{nb}}"), align="C")


def _titulo(pdf: FPDF, texto: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.cell(0, 7, _t(texto), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)


def _linha(pdf: FPDF, texto: str, negrito: bool = False) -> None:
    pdf.set_font("Helvetica", style="B" if negrito else "", size=8)
    pdf.multi_cell(0, 4, _t(texto), new_x="LMARGIN", new_y="NEXT")


def _vazio(pdf: FPDF, itens: list[Any]) -> bool:
    if not itens:
        _linha(pdf, "Nenhum registro.")
    return not itens


def _contatos(pdf: FPDF, contatos: list[dict[str, Any]]) -> None:
    _titulo(pdf, f"Contatos ({len(contatos)})")
    if _vazio(pdf, contatos):
        return
    for c in contatos:
        entrega = (
            ", ".join(f"{r['status']} {_local(r['instante'])}" for r in c["entrega"]) or "sem relatório do provedor"
        )
        modelo = f" · modelo {c['modelo']}" if c["modelo"] else ""
        modelo += f" · variante {c['variante']}" if c.get("variante") else ""
        _linha(pdf, f"{_local(c['instante'])} · {c['canal']} · {c['origem']}{modelo} · {c['situacao']}", negrito=True)
        _linha(pdf, f"Entrega: {entrega}")
        _linha(pdf, f"Permitido porque: {c['permitido_porque']}")
        _linha(pdf, f"Texto: {c['texto']}")
        pdf.ln(1)


def _conversa(pdf: FPDF, mensagens: list[dict[str, Any]]) -> None:
    _titulo(pdf, f"Conversa ({len(mensagens)} mensagens)")
    if _vazio(pdf, mensagens):
        return
    for m in mensagens:
        quem = "Devedor" if m["direcao"] == "entrada" else "Credor"
        _linha(pdf, f"{_local(m['instante'])} · {m['canal']} · {quem}: {m['texto']}")


def _acordos(pdf: FPDF, acordos: list[dict[str, Any]]) -> None:
    _titulo(pdf, f"Acordos, documentos e pagamentos ({len(acordos)} acordos)")
    if _vazio(pdf, acordos):
        return
    for a in acordos:
        _linha(pdf, f"Acordo nº {a['id']} em {_local(a['instante'])}: {a['tipo']}, original R$ {a['valor_original']}, "
               f"desconto R$ {a['desconto']}, total R$ {a['total']} · {a['situacao']}", negrito=True)  # fmt: skip
        for p in a["parcelas"]:
            _linha(pdf, f"  parcela {p['numero']}: R$ {p['valor']}, vence {p['vencimento']} · {p['situacao']}")
        for d in a["documentos"]:
            _linha(pdf, f"  documento {d['nosso_numero']} (parcela {d['parcela']}), R$ {d['valor']}, "
                   f"vence {d['vencimento']}, emitido {_local(d['instante'])}")  # fmt: skip
        for p in a["pagamentos"]:
            _linha(pdf, f"  pagamento R$ {p['valor']} em {p['pago_em']} ({p['origem']}, {p['provedor']})")


def _registros(pdf: FPDF, titulo: str, itens: list[dict[str, Any]], campo: str) -> None:
    _titulo(pdf, f"{titulo} ({len(itens)})")
    if _vazio(pdf, itens):
        return
    for item in itens:
        extra = {k: v for k, v in item.items() if k not in (campo, "instante")}
        _linha(pdf, f"{_local(item['instante'])} · {item[campo]} · {extra}")


def gerar(dados: dict[str, Any]) -> bytes:
    """One PDF for the whole file; the same data gives the same bytes."""
    pdf = _Documento(format="A4")
    pdf.core_fonts_encoding = CODIFICACAO
    pdf.sha256 = dados["sha256"]
    pdf.set_margins(MARGEM, MARGEM, MARGEM)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_creation_date(datetime.fromisoformat(dados["emitido"]["instante"]["utc"]).astimezone(UTC))
    pdf.add_page()
    credor, devedor = dados["credor"], dados["devedor"]
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.cell(0, 8, _t("Dossiê de cobrança"), new_x="LMARGIN", new_y="NEXT")
    _linha(pdf, f"Credor: {credor['nome']} · CNPJ {credor['cnpj']} · {credor['endereco']}")
    _linha(pdf, f"Devedor: {devedor['nome']} · CPF {devedor['cpf']} · UF {devedor['uf']} (fuso {devedor['fuso']})")
    _linha(pdf, f"Emitido em {_local(dados['emitido']['instante'])} por {dados['emitido']['por']}")
    _linha(pdf, f"Opt-out: {_local(devedor['optout']) if devedor['optout'] else 'não pediu'}")
    _linha(pdf, f"SHA-256 do conteúdo (JSON canônico do arquivo dossie.json sem o campo sha256): {dados['sha256']}")
    _contatos(pdf, dados["contatos"])
    _conversa(pdf, dados["conversa"])
    ofertas = [e for e in dados["eventos"] if e["tipo"] in ("oferta", "proposta", "data_pedida")]
    _registros(pdf, "Ofertas e propostas", ofertas, "tipo")
    _acordos(pdf, dados["acordos"])
    _registros(pdf, "Transferências para pessoas", dados["transferencias"], "motivo")
    _registros(pdf, "Ações de pessoas (console e exportações)", dados["acoes_de_pessoas"], "acao")
    _registros(pdf, "Todos os eventos", dados["eventos"], "tipo")
    return bytes(pdf.output())
