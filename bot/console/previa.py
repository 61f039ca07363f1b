"""The régua preview of the gestão page: a day's plan as a table a manager reads, with filters.

The same lines as `python -m bot regua --dry-run` (bot.regua.agenda), shown with pt-BR labels instead of the
steps' ids, the time in the debtor's zone, what happens to each reminder and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.calendario import fuso
from bot.config.regua import Alvo, Passo
from bot.formatos import mascarar_cpf
from bot.regua.agenda import Linha

CANAIS = {"whatsapp": "WhatsApp", "telegram": "Telegram", "email": "E-mail", "sms": "SMS", "web": "chat web"}
ALVOS = {Alvo.PARCELA: "Parcela", Alvo.ACORDO: "Parcela de acordo", Alvo.QUEBRA: "Acordo quebrado"}
ENVIAR, ADIADO, DESCARTADO = "enviar", "adiado", "descartado"
SITUACOES = {ENVIAR: "Envia no dia", ADIADO: "Adiado", DESCARTADO: "Descartado"}


def rotulo_passo(passo: Passo) -> str:
    """`antes_5` (parcela, D-5) → "Parcela: 5 dias antes do vencimento"."""
    if passo.dia == 0:
        quando = "no dia do vencimento"
    elif passo.dia == -1:
        quando = "véspera do vencimento"
    elif passo.dia < 0:
        quando = f"{-passo.dia} dias antes do vencimento"
    else:
        quando = f"{passo.dia} dia{'s' if passo.dia > 1 else ''} após o vencimento"
    return f"{ALVOS[passo.alvo]}: {quando}"


@dataclass(frozen=True)
class LinhaPrevia:
    cpf: str
    uf: str
    passo: str  # the step's id: the filter's value
    rotulo: str
    canal: str
    modelo: str
    hora: str  # local to the debtor, with the zone
    situacao: str  # ENVIAR, ADIADO or DESCARTADO
    motivo: str


def _linha(linha: Linha) -> LinhaPrevia:
    pedido = linha.pedido
    canal = CANAIS.get(pedido.canal.value, pedido.canal.value) if pedido else "—"
    modelo = (pedido.modelo.modelo if pedido else None) or "texto"
    zona = fuso(linha.devedor.uf)
    base = (
        mascarar_cpf(linha.devedor.cpf),
        linha.devedor.uf,
        linha.passo.nome,
        rotulo_passo(linha.passo),
        canal,
        modelo,
    )
    if linha.quando is None:
        return LinhaPrevia(*base, "—", DESCARTADO, linha.motivo or "")
    local = linha.quando.astimezone(zona)
    hora = f"{local:%d/%m %H:%M} ({zona.key})"
    if linha.motivo is None:
        return LinhaPrevia(*base, hora, ENVIAR, "")
    return LinhaPrevia(*base, hora, ADIADO, linha.motivo)


@dataclass(frozen=True)
class Previa:
    linhas: list[LinhaPrevia]  # after the filters
    total: int
    ufs: list[str]  # what the filters offer: the values present in the day's plan
    passos: dict[str, str]  # id → label


def montar_previa(linhas: Sequence[Linha], filtros: Mapping[str, str]) -> Previa:
    """The plan's lines as rows, kept when they match `filtros` ("uf", "passo", "situacao"; empty: any)."""
    todas = [_linha(linha) for linha in linhas]
    escolhidas = [
        p
        for p in todas
        if all(not filtros.get(campo) or getattr(p, campo) == filtros[campo] for campo in ("uf", "passo", "situacao"))
    ]
    return Previa(
        linhas=escolhidas,
        total=len(todas),
        ufs=sorted({p.uf for p in todas}),
        passos={p.passo: p.rotulo for p in sorted(todas, key=lambda p: p.rotulo)},
    )
