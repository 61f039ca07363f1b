"""The web app with payments at the fake Asaas: project, environment, and a scene that negotiates and posts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.dados.banco import criar_engine, sessao
from bot.projeto import Projeto, carregar_projeto
from tests.apoio.chat_web import FALAS_ATE_O_ACORDO, conversar
from tests.apoio.cliente_http import Cliente
from tests.apoio.falsos.asaas import TOKEN, FakeAsaas

SEGREDO = "segredo-do-webhook"


AMBIENTE = {"ASAAS_TOKEN": TOKEN, "ASAAS_WEBHOOK_TOKEN": SEGREDO}


@dataclass
class Cenario:
    cliente: Cliente
    asaas: FakeAsaas
    url: str

    async def negociar(self) -> list[str]:
        return await conversar(self.cliente, 1, *FALAS_ATE_O_ACORDO)

    async def webhook(self, corpo: Any, token: str | None = SEGREDO) -> tuple[int, dict[str, Any]]:
        cabecalhos = {} if token is None else {"asaas-access-token": token}
        dados = corpo if isinstance(corpo, bytes) else json.dumps(corpo).encode()
        resposta = await self.cliente.post("/webhooks/asaas", data=dados, headers=cabecalhos)
        return resposta.status, await resposta.json()

    async def consultar(self, modelo: Any) -> list[Any]:
        engine = criar_engine(self.url)
        async with sessao(engine) as s:
            linhas = list((await s.exec(select(modelo))).all())
        await engine.dispose()
        return linhas


def projeto_asaas(pasta: Path, url_asaas: str) -> Projeto:
    texto = (pasta / "config.toml").read_text(encoding="utf-8")
    texto = re.sub(r'(?m)^provedor = "local".*$', f'provedor = "asaas"\nasaas_url = "{url_asaas}"', texto)
    (pasta / "config.toml").write_text(texto, encoding="utf-8")
    return carregar_projeto(pasta / "config.toml")
