"""`[console]` in config.toml: when a waiting hand-off alerts gestores, and the WhatsApp template for late replies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.config.prontas import problema

# What the re-opening template may receive, in order: nothing about the debt (the number may have changed hands).
PARAMETROS_WHATSAPP = frozenset({"primeiro_nome", "credor", "atendente"})


class ConsoleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sessao_horas: int = Field(12, ge=1, le=24 * 7, description="Horas até a sessão de um atendente expirar")
    falhas_para_bloqueio: int = Field(
        5, ge=3, le=50, description="Senhas erradas para um login, dentro de `bloqueio_minutos`, até bloqueá-lo"
    )
    bloqueio_minutos: int = Field(
        15, ge=1, le=24 * 60, description="Janela das senhas erradas: o login volta quando a mais antiga sai dela"
    )
    logins_por_minuto_endereco: int = Field(
        20, ge=1, le=10_000, description="Tentativas de login por minuto de um mesmo endereço antes de responder 429"
    )
    logins_por_minuto_login: int = Field(
        10, ge=1, le=1_000, description="Tentativas por minuto com um mesmo login (qualquer endereço) antes de 429"
    )
    alerta_minutos: int = Field(
        30, ge=1, le=24 * 60, description="Minutos de uma transferência sem ninguém assumir até alertar os gestores"
    )
    modelo_whatsapp: str = Field(
        "retomar_conversa",
        pattern=r"^[a-z0-9_]{1,512}$",
        description="Modelo aprovado no WhatsApp enviado quando a janela de 24 h está fechada",
    )
    respostas_prontas: dict[str, str] = Field(
        default={},
        description="Respostas prontas do atendente: título → texto, com {{ primeiro_nome }}, {{ atendente }}, "
        "{{ credor }} e, depois da identidade confirmada, {{ saldo }}, {{ valor }} e {{ vencimento }}",
    )
    parametros_whatsapp: tuple[str, ...] = Field(
        ("primeiro_nome", "atendente"), description="Variáveis do modelo, em ordem: primeiro_nome, credor, atendente"
    )

    @field_validator("parametros_whatsapp")
    @classmethod
    def _parametros(cls, valor: tuple[str, ...]) -> tuple[str, ...]:
        desconhecidas = sorted(set(valor) - PARAMETROS_WHATSAPP)
        if desconhecidas:
            raise ValueError(
                f"variáveis desconhecidas: {', '.join(desconhecidas)}; use: {', '.join(sorted(PARAMETROS_WHATSAPP))}"
            )
        return valor

    @field_validator("respostas_prontas")
    @classmethod
    def _prontas(cls, valor: dict[str, str]) -> dict[str, str]:
        erros = [f"“{titulo}”: {motivo}" for titulo, texto in valor.items() if (motivo := problema(texto))]
        erros += [f"“{titulo}”: título vazio ou longo demais (1 a 40 caracteres)" for titulo in valor
                  if not 0 < len(titulo.strip()) <= 40]  # fmt: skip
        erros += [f"“{titulo}”: texto vazio" for titulo, texto in valor.items() if not texto.strip()]
        if erros:
            raise ValueError("; ".join(erros))
        return valor
