"""Message templates (`mensagens/*.j2`): sandboxed Jinja2, strict about undefined names, pt-BR filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, Undefined, UndefinedError, meta
from jinja2.nodes import Template as NoTemplate
from jinja2.sandbox import SandboxedEnvironment

from bot.config.erros import ErroConfig
from bot.formatos import brl, data_br, data_extenso, mascarar_cpf
from bot.negociacao.plano import Plano

# What a message may use before the debtor proved who they are: nothing about the debt.
VARIAVEIS_ANTES_DA_IDENTIDADE = frozenset(
    {
        "credor",
        "devedor",
        "pedir",
        "tentativas_restantes",
        "opcoes",
        "retorno_equipe",
        "intencao_lida",
        "identidade_ok",
        "falada",
    }
)


def _definido(valor: Any) -> None:
    """A filter given an undefined name reports which name, as any other use of it would."""
    if isinstance(valor, Undefined):
        valor._fail_with_undefined_error()


def _dinheiro(valor: Decimal | str | int) -> str:
    _definido(valor)
    return brl(Decimal(valor))


def _data(valor: date | str) -> str:
    _definido(valor)
    return data_br(date.fromisoformat(valor) if isinstance(valor, str) else valor)


def _extenso(valor: date | str) -> str:
    _definido(valor)
    return data_extenso(date.fromisoformat(valor) if isinstance(valor, str) else valor)


def _ambiente() -> SandboxedEnvironment:
    ambiente = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    ambiente.filters.update(
        dinheiro=_dinheiro,
        data=_data,
        data_extenso=_extenso,
        cpf=mascarar_cpf,
        plural=_plural,
        percentual=_percentual,
        parcelamento=_parcelamento,
    )
    return ambiente


def _parcelamento(plano: Plano) -> str:
    """The parcels after the entry, exactly: "5x de R$ 143,45", "4x de R$ 52,09 e a última de R$ 52,11"."""
    _definido(plano)
    partes = []
    grupos = plano.depois_da_entrada
    for indice, (quantidade, valor) in enumerate(grupos):
        ultima = indice == len(grupos) - 1 and indice > 0 and quantidade == 1
        partes.append(f"a última de {brl(valor)}" if ultima else f"{quantidade}x de {brl(valor)}")
    return " e ".join(partes)


def _percentual(valor: Decimal | int | str) -> str:
    """`Decimal("1.5")` → `1,5%`."""
    _definido(valor)
    return f"{format_decimal(Decimal(valor), locale='pt_BR')}%"


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


class ErroDeMensagem(Exception):
    """A template failed to render (an undefined name, a bad filter): the text names file and line."""


@dataclass(frozen=True)
class Textos:
    """All templates of `mensagens/`, parsed once; `renderizar` is pure."""

    pasta: Path
    fontes: Mapping[str, str]
    _arvores: Mapping[str, NoTemplate]
    _modelos: Mapping[str, Template]

    @property
    def nomes(self) -> set[str]:
        """Message names (`saldo` for `saldo.j2` and `saldo.whatsapp.j2`)."""
        return {n.split(".")[0] for n in self.fontes}

    def arquivo(self, nome: str, canal: str | None = None) -> str:
        if canal and f"{nome}.{canal}" in self.fontes:
            return f"{nome}.{canal}"
        return nome

    def variaveis(self, nome: str) -> set[str]:
        return set(self._variaveis[nome])

    @cached_property
    def _variaveis(self) -> dict[str, frozenset[str]]:
        """Each template's free names, found once (the engine asks for every reply it renders)."""
        return {n: frozenset(meta.find_undeclared_variables(a)) for n, a in self._arvores.items()}

    def renderizar(self, nome: str, contexto: Mapping[str, Any], canal: str | None = None) -> str:
        chave = self.arquivo(nome, canal)
        try:
            texto = self._modelos[chave].render(contexto)
        except (TemplateError, TypeError, ValueError, ArithmeticError) as erro:
            # A filter fed an undefined name fails with TypeError/ValueError rather than TemplateError.
            raise ErroDeMensagem(f"{self.pasta / (chave + '.j2')}: {erro}") from erro
        return _PONTO_DUPLO.sub(r"\1", re.sub(r"\n{3,}", "\n\n", texto)).strip()


# A name that ends with an abbreviation's period ("Loja Ltda.") followed by the sentence's own "." or ":" in a
# template: one mark, not two. An ellipsis ("...") is left alone.
_PONTO_DUPLO = re.compile(r"(?<=\w)\.(\*?[.:])(?!\.)")


_AMBIENTE = _ambiente()


def carregar_textos(pasta: Path) -> tuple[Textos, list[ErroConfig]]:
    """Parse every `*.j2`; syntax errors are reported with file and line, the rest still load."""
    fontes: dict[str, str] = {}
    arvores: dict[str, NoTemplate] = {}
    modelos: dict[str, Template] = {}
    erros: list[ErroConfig] = []
    for caminho in sorted(pasta.glob("*.j2")):
        fonte = caminho.read_text(encoding="utf-8")
        try:
            arvores[caminho.stem] = _AMBIENTE.parse(fonte)
            modelos[caminho.stem] = _AMBIENTE.from_string(fonte)
        except TemplateSyntaxError as erro:
            erros.append(ErroConfig(str(caminho), "", f"modelo Jinja2 inválido: {erro.message}", erro.lineno))
            continue
        fontes[caminho.stem] = fonte
    if not fontes and not erros:
        erros.append(ErroConfig(str(pasta), "", "nenhuma mensagem (*.j2) encontrada"))
    return Textos(pasta, fontes, arvores, modelos), erros


_SEM_ATRIBUTO = re.compile(r"^'(?P<objeto>.+?)(?: object)?' has no attribute '(?P<nome>.+)'$")
_INDEFINIDA = re.compile(r"^'(?P<nome>.+)' is undefined$")


def explicar_erro(erro: BaseException | None) -> str:
    """A rendering error in pt-BR: a misspelt variable or attribute says which; anything else keeps its text."""
    texto = str(erro)
    if isinstance(erro, UndefinedError):
        if achado := _SEM_ATRIBUTO.match(texto):
            objeto = achado["objeto"].rsplit(".", 1)[-1]  # "bot.negociacao.plano.Plano" → "Plano"
            if objeto == "dict":
                return f"campo inexistente: '{achado['nome']}' (nome digitado errado?)"
            return f"{objeto} não tem o campo '{achado['nome']}' (nome digitado errado?)"
        if achado := _INDEFINIDA.match(texto):
            return f"variável inexistente: '{achado['nome']}' (veja as variáveis em docs/fluxos.md)"
    if isinstance(erro, TypeError | ValueError | ArithmeticError):
        return f"um filtro ou uma conta recebeu um valor que não serve ({type(erro).__name__}: {texto})"
    return texto


def linha_do_erro(erro: BaseException | None) -> int | None:
    """The template line a rendering error happened on (Jinja puts template frames in the traceback)."""
    linha = None
    quadro = erro.__traceback__ if erro is not None else None
    while quadro is not None:
        if quadro.tb_frame.f_code.co_filename == "<template>":
            linha = quadro.tb_lineno
        quadro = quadro.tb_next
    return linha
