"""`[[experimentos]]` in config.toml: variants compared on the same portfolio, validated at load."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.regua import Modelo, Regua
from bot.negociacao.variacao import AjusteLivro
from bot.porta import TipoCanal

NOME = re.compile(r"[a-z0-9_]{1,40}")


def repetidos(nomes: list[str]) -> list[str]:
    return sorted({n for n in nomes if nomes.count(n) > 1})


class Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variante(Estrito):
    nome: str = Field(description="Nome curto da variante (letras minúsculas, dígitos, _)")
    peso: int = Field(1, ge=1, le=100, description="Parte do tráfego, relativa às outras variantes")
    descricao: str = Field("", description="O que esta variante muda, para quem lê o relatório")
    passos: dict[str, dict[TipoCanal, Modelo]] = Field(
        default_factory=dict, description="Por passo da régua e canal, o texto/modelo enviado no lugar do passo"
    )
    mensagens: dict[str, str] = Field(
        default_factory=dict, description="Mensagens da conversa trocadas: nome em mensagens/ → nome da substituta"
    )
    ofertas: AjusteLivro | None = Field(None, description="Ordem, passo de concessão e tetos de desconto do book")

    @property
    def muda(self) -> bool:
        return bool(self.passos or self.mensagens or self.ofertas)

    @field_validator("nome")
    @classmethod
    def _nome(cls, valor: str) -> str:
        if not NOME.fullmatch(valor):
            raise ValueError(f"nome inválido: {valor!r} (letras minúsculas, dígitos e _, até 40)")
        return valor


class Alocacao(StrEnum):
    HASH = "hash"  # fixed shares by weight, from the hash alone
    THOMPSON = "thompson"  # after the minimum sample, new debtors go where the recovery looks best


class Protecao(Estrito):
    """Guardrails: a variant whose opt-out or contestação rate exceeds the reference's by more than these
    percentage points, with 95 % confidence, after the minimum sample, is stopped (its debtors get the reference)."""

    optout_pontos: Decimal = Field(Decimal(2), ge=0, le=100, description="Pontos percentuais de opt-out a mais")
    contestacao_pontos: Decimal = Field(
        Decimal(1), ge=0, le=100, description="Pontos percentuais de contestação a mais"
    )
    minimo: int = Field(100, ge=10, le=1_000_000, description="Devedores expostos por variante antes de parar")
    parar: bool = Field(True, description="false: só avisa no relatório e na gestão, não para")


class Experimento(Estrito):
    """One experiment; the first variant is the reference the others are compared with."""

    nome: str = Field(description="Nome único do experimento (entra no sorteio: mudar o nome sorteia de novo)")
    inicio: date = Field(description="Primeiro dia (AAAA-MM-DD)")
    fim: date = Field(description="Último dia; depois dele ninguém mais entra")
    reserva_percentual: int = Field(
        10, ge=0, le=50, description="Grupo de reserva (hold-out): % dos devedores fora de todas as variantes"
    )
    minimo_por_variante: int = Field(
        200, ge=10, le=1_000_000, description="Devedores por variante antes de qualquer veredito"
    )
    variantes: tuple[Variante, ...] = Field(min_length=2, description="Pelo menos duas; a primeira é a referência")
    protecao: Protecao = Field(Protecao(), description="Limites que param uma variante")
    alocacao: Alocacao = Field(Alocacao.HASH, description="hash (pesos fixos) ou thompson (tráfego à melhor)")

    @property
    def aplica(self) -> bool:
        """Some variant changes what is sent: the report counts debtors by the variant recorded with contacts."""
        return any(v.muda for v in self.variantes)

    def passos_cobertos(self) -> set[str]:
        return {p for v in self.variantes for p in v.passos}

    def mensagens_cobertas(self) -> set[str]:
        return {m for v in self.variantes for m in v.mensagens}

    def cobre_ofertas(self) -> bool:
        return any(v.ofertas is not None for v in self.variantes)

    @field_validator("nome")
    @classmethod
    def _nome(cls, valor: str) -> str:
        return Variante._nome(valor)

    @model_validator(mode="after")
    def _coerente(self) -> Experimento:
        problemas = []
        if self.fim < self.inicio:
            problemas.append(f"fim ({self.fim}) antes do início ({self.inicio})")
        if duplas := repetidos([v.nome for v in self.variantes]):
            problemas.append(f"variantes repetidas: {', '.join(duplas)}")
        if self.alocacao is Alocacao.THOMPSON and not self.aplica:
            problemas.append("alocacao = thompson só com variantes que mudam algo (passos, mensagens ou ofertas)")
        if problemas:
            raise ValueError("; ".join(problemas))
        return self


def nomes_unicos(experimentos: tuple[Experimento, ...]) -> tuple[Experimento, ...]:
    """Two experiments with one name would draw the same debtors into both: refused."""
    if duplas := repetidos([e.nome for e in experimentos]):
        raise ValueError(f"experimentos com o mesmo nome: {', '.join(duplas)}")
    return experimentos


def _sobrepostos(a: Experimento, b: Experimento) -> bool:
    return a.inicio <= b.fim and b.inicio <= a.fim


def conflitos(experimentos: tuple[Experimento, ...]) -> list[tuple[str, str]]:
    """Two experiments at the same time may not change the same thing, or a contact could not say which it was."""
    erros = []
    for j, b in enumerate(experimentos):
        for a in experimentos[:j]:
            if not _sobrepostos(a, b):
                continue
            mesmos = sorted(a.passos_cobertos() & b.passos_cobertos())
            mesmos += [f"mensagem {m}" for m in sorted(a.mensagens_cobertas() & b.mensagens_cobertas())]
            mesmos += ["ofertas"] if a.cobre_ofertas() and b.cobre_ofertas() else []
            if mesmos:
                problema = f"muda o mesmo que {a.nome!r} no mesmo período: {', '.join(mesmos)}"
                erros.append((f"experimentos[{j}]", problema))
    return erros


def _passos(base: str, variante: Variante, regua: Regua) -> list[tuple[str, str]]:
    passos, erros = {p.nome: p for p in regua.passos}, []
    for nome, modelos in variante.passos.items():
        passo = passos.get(nome)
        if passo is None:
            erros.append((f"{base}.passos.{nome}", f"passo inexistente na régua; há: {', '.join(passos) or 'nenhum'}"))
            continue
        for canal, modelo in modelos.items():
            caminho = f"{base}.passos.{nome}.{canal}"
            if canal not in passo.canais:
                erros.append((caminho, f"o passo não usa este canal; usa: {', '.join(passo.canais)}"))
            elif canal == TipoCanal.WHATSAPP and not modelo.modelo:
                erros.append((f"{caminho}.modelo", "informe o modelo aprovado do WhatsApp (usado fora da janela)"))
            elif "valor" in modelo.variaveis() and not regua.mostrar_valor:
                erros.append((caminho, "usa {valor}; ligue regua.mostrar_valor = true para permitir"))
    return erros


def _mensagens(
    base: str, variante: Variante, mensagens: set[str], variaveis: Callable[[str], set[str]]
) -> list[tuple[str, str]]:
    erros = []
    for original, substituta in variante.mensagens.items():
        caminho = f"{base}.mensagens.{original}"
        if falta := [n for n in (original, substituta) if n not in mensagens]:
            erros.append((caminho, f"mensagem inexistente em mensagens/: {', '.join(falta)}"))
        elif extras := variaveis(substituta) - variaveis(original):
            erros.append((caminho, f"{substituta} usa {', '.join(sorted(extras))}, que {original} não usa "
                                   "(a substituta só pode mostrar o que a original mostra)"))  # fmt: skip
    return erros


def verificar(
    experimentos: tuple[Experimento, ...], regua: Regua, mensagens: set[str], variaveis: Callable[[str], set[str]]
) -> list[tuple[str, str]]:
    """What the variants name exists: régua steps and their channels, messages in `mensagens/`; (path, problem)."""
    erros = conflitos(experimentos)
    for i, exp in enumerate(experimentos):
        for j, variante in enumerate(exp.variantes):
            base = f"experimentos[{i}].variantes[{j}]"
            erros += _passos(base, variante, regua) + _mensagens(base, variante, mensagens, variaveis)
    return erros
