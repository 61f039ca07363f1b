"""The WhatsApp templates we use, declared in `mensagens/modelos_whatsapp.toml`: category, language, body, variables.

Loaded and checked with the rest of the project (`check`): each template is well formed for Meta's review
(variables `{{1}}`..`{{n}}` in order, none at the very start or end of the body, an example per variable), and every
template the régua, the console and the payments send is declared, with the variables they pass, in that order.
Pure: no I/O but reading the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.arquivo import Config
from bot.config.erros import ErroConfig
from bot.config.validacao import ler_toml, validar
from bot.porta import TipoCanal

ARQUIVO = "modelos_whatsapp.toml"

# An example of each variable a template may take: Meta reviews the body with them filled in.
EXEMPLOS = {
    "primeiro_nome": "Maria",
    "credor": "Loja Exemplo",
    "atendente": "Ana",
    "vencimento": "24/11/2026",
    "parcela": "2",
    "total_parcelas": "6",
    "contrato": "CARNE-10234",
    "dias": "3",
    "valor": "R$ 489,90",
    "link": "https://pagar.exemplo.com.br/p/abc123",
}
_VARIAVEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class Categoria(StrEnum):
    UTILITY = "UTILITY"  # reminders, payment notices: what collection sends
    MARKETING = "MARKETING"
    AUTHENTICATION = "AUTHENTICATION"


class ModeloWhatsapp(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    nome: str = Field(pattern=r"^[a-z0-9_]{1,512}$", description="Nome na Meta (minúsculas, dígitos e _)")
    categoria: Categoria = Field(description="UTILITY, MARKETING ou AUTHENTICATION")
    idioma: str = Field("pt_BR", pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$", description="Código de idioma da Meta")
    texto: str = Field(min_length=1, max_length=1024, description="Corpo com {{1}}, {{2}}…")
    variaveis: tuple[str, ...] = Field((), description="O que entra em {{1}}, {{2}}…, em ordem")

    @field_validator("variaveis")
    @classmethod
    def _vocabulario(cls, valor: tuple[str, ...]) -> tuple[str, ...]:
        desconhecidas = sorted(set(valor) - set(EXEMPLOS))
        if desconhecidas:
            raise ValueError(f"variável desconhecida: {', '.join(desconhecidas)}; use: {', '.join(sorted(EXEMPLOS))}")
        return valor

    @model_validator(mode="after")
    def _corpo(self) -> ModeloWhatsapp:
        achadas = set(_VARIAVEL.findall(self.texto))
        esperadas = {str(n) for n in range(1, len(self.variaveis) + 1)}
        if achadas != esperadas:
            usadas = ", ".join(f"{{{{{a}}}}}" for a in sorted(achadas)) or "nenhuma variável"
            raise ValueError(
                f"o texto usa {usadas}; com {len(self.variaveis)} variável(is) em variaveis espera-se "
                + (f"de {{{{1}}}} a {{{{{len(self.variaveis)}}}}}" if self.variaveis else "nenhuma")
            )
        corpo = self.texto.strip()
        if corpo.startswith("{{") or corpo.endswith("}}"):
            raise ValueError("a Meta recusa variável no começo ou no fim do texto: ponha palavras antes e depois")
        return self

    def exemplos(self) -> list[str]:
        return [EXEMPLOS[v] for v in self.variaveis]

    def para_meta(self) -> dict[str, Any]:
        """The body of `POST /{waba-id}/message_templates` (positional parameters, one body component)."""
        corpo: dict[str, Any] = {"type": "BODY", "text": self.texto}
        if self.variaveis:
            corpo["example"] = {"body_text": [self.exemplos()]}
        return {"name": self.nome, "language": self.idioma, "category": self.categoria.value,
                "parameter_format": "POSITIONAL", "components": [corpo]}  # fmt: skip


class ArquivoCatalogo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    modelos: tuple[ModeloWhatsapp, ...] = Field(description="Os modelos aprovados que o bot usa")

    @model_validator(mode="after")
    def _unicos(self) -> ArquivoCatalogo:
        chaves = [(m.nome, m.idioma) for m in self.modelos]
        repetidos = sorted({f"{n} ({i})" for n, i in chaves if chaves.count((n, i)) > 1})
        if repetidos:
            raise ValueError(f"modelo declarado duas vezes: {', '.join(repetidos)}")
        return self


@dataclass(frozen=True)
class Uso:
    """Where a template is sent from, and the variables that place passes (None: fixed by the code, by count)."""

    onde: str  # config key path, e.g. regua.passos[vespera].modelos.whatsapp
    nome: str
    variaveis: tuple[str, ...]


@dataclass(frozen=True)
class Catalogo:
    modelos: tuple[ModeloWhatsapp, ...]

    def por_nome(self, nome: str, idioma: str = "pt_BR") -> ModeloWhatsapp | None:
        return next((m for m in self.modelos if m.nome == nome and m.idioma == idioma), None)


def carregar_catalogo(pasta: Path) -> tuple[Catalogo | None, list[ErroConfig]]:
    """The declared templates, or the file's errors (with lines)."""
    caminho = pasta / ARQUIVO
    if not caminho.exists():
        return None, [ErroConfig(str(caminho), "", "arquivo ausente: declare aqui os modelos do WhatsApp usados")]
    dados, texto, erros = ler_toml(caminho)
    if erros:
        return None, erros
    arquivo, erros = validar(ArquivoCatalogo, dados, str(caminho), texto)
    return (Catalogo(arquivo.modelos) if arquivo is not None else None), erros


def usos(config: Config) -> Iterator[Uso]:
    """Every template the bot may send: the régua's steps and the experiments' variants of them, the console's
    re-opening, the payments' notices."""
    for passo in config.regua.passos:
        for canal, modelo in passo.modelos.items():
            if canal == "whatsapp" and modelo.modelo:
                yield Uso(f"regua.passos[{passo.nome}].modelos.whatsapp", modelo.modelo, modelo.parametros)
    for i, experimento in enumerate(config.experimentos):  # a variant sends its own template in the step's place
        for j, variante in enumerate(experimento.variantes):
            for nome, modelos in variante.passos.items():
                if (do_passo := modelos.get(TipoCanal.WHATSAPP)) is not None and do_passo.modelo:
                    onde = f"experimentos[{i}].variantes[{j}].passos.{nome}.whatsapp"
                    yield Uso(onde, do_passo.modelo, do_passo.parametros)
    yield Uso("console.modelo_whatsapp", config.console.modelo_whatsapp, config.console.parametros_whatsapp)
    pagamentos = config.pagamentos
    yield Uso("pagamentos.modelo_agradecimento", pagamentos.modelo_agradecimento, ("primeiro_nome", "valor"))
    yield Uso("pagamentos.modelo_documento", pagamentos.modelo_documento,
              ("primeiro_nome", "valor", "vencimento", "link"))  # fmt: skip


def conferir_usos(catalogo: Catalogo, config: Config, arquivo_config: str) -> list[ErroConfig]:
    """Each template used is declared, with the same variables in the same order."""
    erros = []
    for uso in usos(config):
        modelo = catalogo.por_nome(uso.nome)
        if modelo is None:
            mensagem = f"modelo do WhatsApp não declarado em mensagens/{ARQUIVO}"
            erros.append(ErroConfig(arquivo_config, uso.onde, mensagem, valor=uso.nome))
        elif modelo.variaveis != uso.variaveis:
            erros.append(ErroConfig(
                arquivo_config, uso.onde,
                f"o modelo “{uso.nome}” declara as variáveis ({', '.join(modelo.variaveis)}) e aqui são passadas "
                f"({', '.join(uso.variaveis)}): devem ser as mesmas, na mesma ordem",
            ))  # fmt: skip
    return erros


def conferir_catalogo(pasta: Path, config: Config, arquivo_config: str) -> list[ErroConfig]:
    """`check`'s part: the file well formed and every template in use declared as it is used."""
    catalogo, erros = carregar_catalogo(pasta)
    return erros if catalogo is None else erros + conferir_usos(catalogo, config, arquivo_config)
