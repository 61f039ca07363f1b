"""Build the configured PSP from config and the environment (secrets live in env vars named in config)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.erros import ConfigInvalida, ErroConfig
from bot.pagamentos.asaas import ProvedorAsaas
from bot.pagamentos.emissao import Emissor
from bot.projeto import Projeto


def segredo(projeto: Projeto, chave: str, ambiente: Mapping[str, str]) -> str:
    """The value of the env var whose NAME is at `[pagamentos].<chave>`; a clear config error when unset."""
    nome = str(getattr(projeto.config.pagamentos, chave))
    valor = ambiente.get(nome, "").strip()
    if not valor:
        raise ConfigInvalida(
            [
                ErroConfig(
                    str(projeto.raiz / "config.toml"),
                    f"pagamentos.{chave}",
                    f"a variável de ambiente {nome} não está definida (ou está vazia); esperado o token do Asaas nela",
                    valor=nome,
                )
            ]
        )
    return valor


def criar_emissor(projeto: Projeto, engine: AsyncEngine, ambiente: Mapping[str, str]) -> Emissor | None:
    """The charge issuer for a PSP; None for `local`, whose documents the engine computes itself."""
    config = projeto.config.pagamentos
    if config.provedor == "local":
        return None
    provedor = ProvedorAsaas(
        config.asaas_url,
        segredo(projeto, "asaas_token_env", ambiente),
        config.asaas_forma,
        config.asaas_timeout_segundos,
    )
    return Emissor(engine, provedor, projeto.textos, projeto.config)
