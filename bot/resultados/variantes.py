"""Apply the experiments, pure: from each debtor's variants (resolved by `atribuicao`) to what the régua and the
conversation use — a step's texts, a message's template, the offer book — and the label recorded with each contact.

The engines never see an experiment: the planner gets `VarianteDoPasso` per step, the conversation a `Variacao`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from bot.config.resultados import Experimento, Variante
from bot.conversa.fatos import Variacao
from bot.negociacao.politica import LivroOfertas
from bot.negociacao.variacao import variar_livro
from bot.regua.agenda import VarianteDoPasso
from bot.resultados.sorteio import vigente

SEPARADOR = ","


def rotulo(experimento: str, variante: str) -> str:
    """What a contact records: `experimento:variante`."""
    return f"{experimento}:{variante}"


def rotulos(texto: str | None) -> dict[str, str]:
    """A recorded label back to {experimento: variante}."""
    pares = (parte.partition(":") for parte in (texto or "").split(SEPARADOR) if parte)
    return {experimento: variante for experimento, _, variante in pares}


@dataclass(frozen=True, slots=True)
class Escolha:
    """A debtor's variant in one experiment: the one drawn and the one whose content they get now."""

    experimento: Experimento
    sorteada: str  # a variant's name or `sorteio.RESERVA` (the hold-out: the configured default)
    parada: bool = False  # the drawn variant was stopped by a guardrail: the reference's content instead

    @property
    def efetiva(self) -> str:
        return self.experimento.variantes[0].nome if self.parada else self.sorteada

    @property
    def variante(self) -> Variante | None:
        """The content applied; None for the hold-out (the configured default)."""
        return next((v for v in self.experimento.variantes if v.nome == self.efetiva), None)

    @property
    def rotulo(self) -> str:
        return rotulo(self.experimento.nome, self.efetiva)


def vigentes(experimentos: Iterable[Experimento], dia: date) -> list[Experimento]:
    """The experiments running on `dia` that change something (the others only measure, by the hash)."""
    return [e for e in experimentos if e.aplica and vigente(e, dia)]


def da_regua(escolhas: Iterable[Escolha]) -> dict[str, VarianteDoPasso]:
    """Per step an experiment covers, the debtor's texts for it (none for the reference without changes or the
    hold-out: the step's own) and the label to record."""
    passos: dict[str, VarianteDoPasso] = {}
    for escolha in escolhas:
        variante = escolha.variante
        for passo in escolha.experimento.passos_cobertos():
            modelos = variante.passos.get(passo, {}) if variante is not None else {}
            passos[passo] = VarianteDoPasso(escolha.rotulo, modelos)
    return passos


def da_conversa(escolhas: Iterable[Escolha], livro: LivroOfertas) -> Variacao | None:
    """The conversation's templates and offer book for the debtor; None when no experiment covers the conversation."""
    cobrem = [e for e in escolhas if e.experimento.mensagens_cobertas() or e.experimento.cobre_ofertas()]
    if not cobrem:
        return None
    mensagens: dict[str, str] = {}
    variado: LivroOfertas | None = None
    for escolha in cobrem:
        variante = escolha.variante
        if variante is None:
            continue
        mensagens |= variante.mensagens
        if variante.ofertas is not None:
            variado = variar_livro(livro, variante.ofertas)
    return Variacao(SEPARADOR.join(e.rotulo for e in cobrem), _somente(mensagens), variado)


def _somente(mensagens: Mapping[str, str]) -> dict[str, str]:
    return {original: nova for original, nova in mensagens.items() if original != nova}
