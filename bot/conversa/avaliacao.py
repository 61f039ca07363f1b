"""Measure understanding on a labelled set: accuracy by state and phenomenon, confusions and costly misreads.

A row is (message, state, expected intents, phenomena). The classifier sees the intents the flow allows in that
state, as in a real conversation. A reading is right when it is an expected intent, or one the state treats
exactly alike (the same transition: "nao" and "nao_sou_eu" after "este número é da Ana?"). A misread is
*costly* when the intent read would follow a transition that registers an agreement, an opt-out or a wrong
number, and the engine would act on it without asking.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.conversa.modelo import Estado, Fluxo
from bot.conversa.nlu import Classificador
from bot.conversa.nlu.treino import NENHUMA, marcar

HOJE = date(2026, 12, 3)  # a Thursday: "sexta" is tomorrow, "dia 30" this month


@dataclass(frozen=True)
class Caso:
    texto: str
    estado: str
    esperadas: frozenset[str]
    fenomenos: tuple[str, ...]
    linha: int


@dataclass(frozen=True)
class Leitura:
    caso: Caso
    lida: str
    certa: bool
    custosa: bool  # a wrong reading the bot would act on, at a price


@dataclass
class Placar:
    certas: int = 0
    total: int = 0

    @property
    def acuracia(self) -> float:
        return self.certas / self.total if self.total else 0.0

    def contar(self, certa: bool) -> None:
        self.total += 1
        self.certas += certa


@dataclass
class Relatorio:
    leituras: list[Leitura]
    geral: Placar = field(default_factory=Placar)
    ineditas: Placar = field(default_factory=Placar)  # messages not in the training corpus (after normalising)
    por_estado: dict[str, Placar] = field(default_factory=dict)
    por_fenomeno: dict[str, Placar] = field(default_factory=dict)

    @property
    def erradas(self) -> list[Leitura]:
        return [leitura for leitura in self.leituras if not leitura.certa]

    @property
    def custosas(self) -> list[Leitura]:
        return [leitura for leitura in self.leituras if leitura.custosa]

    def confusoes(self, limite: int = 15) -> list[tuple[tuple[str, str], int]]:
        pares = Counter(("|".join(sorted(e.caso.esperadas)), e.lida) for e in self.erradas)
        return pares.most_common(limite)


def ler_casos(caminho: Path, fluxo: Fluxo, conhecidas: Iterable[str]) -> list[Caso]:
    """Rows of `texto;estado;intencao;fenomenos`; raises ValueError listing every bad line."""
    validas = {*conhecidas, NENHUMA}
    casos, erros = [], []
    with caminho.open(encoding="utf-8", newline="") as arquivo:
        leitor = csv.DictReader(arquivo, delimiter=";")
        for linha in leitor:
            esperadas = frozenset((linha.get("intencao") or "").split("|"))
            estado = linha.get("estado") or ""
            onde = f"{caminho}:{leitor.line_num}"
            if estado not in fluxo.estados:
                erros.append(f"{onde}: estado desconhecido {estado!r}")
            elif not esperadas <= validas:
                erros.append(f"{onde}: intenção desconhecida {sorted(esperadas - validas)}")
            else:
                fenomenos = tuple((linha.get("fenomenos") or "").split())
                casos.append(Caso(linha.get("texto") or "", estado, esperadas, fenomenos, leitor.line_num))
    if erros:
        raise ValueError("\n".join(erros))
    return casos


def avaliar(
    classificador: Classificador, fluxo: Fluxo, casos: Sequence[Caso], treino: Collection[str] = ()
) -> Relatorio:
    """Read every case as the engine would in its state, and score it.

    `treino`: the training messages as the model reads them (`marcar`); cases among them are counted apart, as
    short answers ("sim", "não") are bound to appear in both sets however they were written.
    """
    relatorio = Relatorio([])
    for caso in casos:
        estado = fluxo.estados[caso.estado]
        interpretacao = classificador.interpretar(caso.texto, HOJE, fluxo.intencoes_usadas(estado), "SP")
        lida = interpretacao.intencao or NENHUMA
        certa = lida in caso.esperadas or _mesmo_efeito(fluxo, estado, lida, caso.esperadas)
        custosa = not certa and lida in fluxo.intencoes_custosas(estado) and interpretacao.inequivoca()
        leitura = Leitura(caso, lida, certa, custosa)
        relatorio.leituras.append(leitura)
        relatorio.geral.contar(leitura.certa)
        if marcar(caso.texto) not in treino:
            relatorio.ineditas.contar(leitura.certa)
        relatorio.por_estado.setdefault(caso.estado, Placar()).contar(leitura.certa)
        for fenomeno in caso.fenomenos:
            relatorio.por_fenomeno.setdefault(fenomeno, Placar()).contar(leitura.certa)
    return relatorio


def _mesmo_efeito(fluxo: Fluxo, estado: Estado, lida: str, esperadas: frozenset[str]) -> bool:
    if lida == NENHUMA or NENHUMA in esperadas:
        return False
    destino = fluxo.destino(estado, lida)
    return destino is not None and any(fluxo.destino(estado, e) is destino for e in esperadas)


def formatar(relatorio: Relatorio, detalhes: bool = True) -> str:
    """The report `python -m bot nlu avaliar` prints."""
    geral = relatorio.geral
    linhas = [
        f"Acurácia: {geral.acuracia:.1%} ({geral.certas}/{geral.total})",
        f"Só nas mensagens que não estão no corpus de treino: {relatorio.ineditas.acuracia:.1%} "
        f"({relatorio.ineditas.certas}/{relatorio.ineditas.total})",
        f"Leituras custosas erradas: {len(relatorio.custosas)}",
        "",
        "Por estado:",
        *(
            f"  {nome:<18} {p.acuracia:6.1%}  ({p.certas}/{p.total})"
            for nome, p in sorted(relatorio.por_estado.items())
        ),
        "",
        "Por fenômeno:",
        *(
            f"  {nome:<18} {p.acuracia:6.1%}  ({p.certas}/{p.total})"
            for nome, p in sorted(relatorio.por_fenomeno.items())
        ),
        "",
        "Confusões mais comuns (esperada → lida):",
        *(f"  {esperada} → {lida}: {n}" for (esperada, lida), n in relatorio.confusoes()),
    ]
    if relatorio.custosas:
        linhas += ["", "Leituras custosas:"]
        linhas += [f"  [{c.caso.estado}] {c.caso.texto!r} → {c.lida}" for c in relatorio.custosas]
    if detalhes and relatorio.erradas:
        linhas += ["", "Erros:"]
        linhas += [
            f"  linha {e.caso.linha} [{e.caso.estado}] {e.caso.texto!r}: esperada "
            f"{'|'.join(sorted(e.caso.esperadas))}, lida {e.lida}"
            for e in relatorio.erradas
        ]
    return "\n".join(linhas)
