"""Both chat channels on, against the local fake Graph API and Bot API, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot.canais.webhooks import RECEPCAO
from bot.dados.atendentes import Usuario
from bot.dados.banco import criar_engine, sessao
from bot.dados.entrada import Anexo
from bot.dados.modelos import Devedor
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.atualizacoes import carregar
from tests.apoio.cliente_http import Cliente
from tests.apoio.console import hash_da_senha
from tests.apoio.falsos.bot_api import FalsoBotApi
from tests.apoio.falsos.graph import FalsoGraph
from tests.apoio.projetos import com_canais
from tests.apoio.relogio import Relogio
from tests.apoio.telegram import SEGREDO as SEGREDO_TG
from tests.apoio.whatsapp import SEGREDO as SEGREDO_WA


@dataclass
class Ambiente:
    cliente: Cliente
    graph: FalsoGraph
    bot_api: FalsoBotApi
    relogio: Relogio
    pasta: Path

    async def anexos(self) -> list[Anexo]:
        async with sessao(self.cliente.app[RECEPCAO].engine) as s:
            return list((await s.exec(select(Anexo).order_by(col(Anexo.id)))).all())

    async def maria_no_telegram(self) -> None:
        """Maria's Telegram chat is already known (as if her invitation was used)."""
        async with sessao(self.cliente.app[RECEPCAO].engine) as s:
            maria = (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()
            maria.telegram_id = "777000111"
            s.add(maria)
            await s.commit()

    async def postar_telegram(self, update: dict[str, Any]) -> None:
        cabecalhos = {"X-Telegram-Bot-Api-Secret-Token": SEGREDO_TG}
        assert (await self.cliente.post("/webhooks/telegram", json=update, headers=cabecalhos)).status == 200
        await self.cliente.app[RECEPCAO].ocioso()

    async def foto_no_telegram(self) -> None:
        """Maria sends the photo of tests/data/updates/telegram_foto.json."""
        await self.maria_no_telegram()
        await self.postar_telegram(carregar("telegram_foto.json"))

    def respostas(self) -> list[str]:
        return [e["text"]["body"] for e in self.graph.enviadas]


@asynccontextmanager
async def abrir(
    projeto: Projeto, url: str, pasta: Path, monkeypatch: pytest.MonkeyPatch, **canais_extra: Any
) -> AsyncIterator[Ambiente]:
    """WhatsApp and Telegram on, pointed at fresh fakes; attachments under `pasta` (1 MB at most); agent "ana".

    `canais_extra`: more `[canais]` keys (the voice-note tests pass `transcricao`)."""
    for nome, valor in {
        "WHATSAPP_TOKEN": "token-wa",
        "WHATSAPP_APP_SECRET": SEGREDO_WA,
        "WHATSAPP_VERIFY_TOKEN": "verifica",
        "TELEGRAM_TOKEN": "123:tg",
        "TELEGRAM_SECRET": SEGREDO_TG,
    }.items():
        monkeypatch.setenv(nome, valor)
    graph, bot_api, relogio = FalsoGraph(), FalsoBotApi(), Relogio()
    engine = criar_engine(url)
    async with sessao(engine) as s:
        s.add(Usuario(login="ana", nome="Ana", papel="agente", senha_hash=hash_da_senha(), criado_em=relogio()))
        await s.commit()
    async with TestServer(graph.app()) as g, TestServer(bot_api.app()) as b:
        base_g, base_b = str(g.make_url("")).rstrip("/"), str(b.make_url("")).rstrip("/")
        config = com_canais(projeto, base_g, base_b, **({"pasta_anexos": str(pasta), "anexo_max_mb": 1} | canais_extra))
        async with TestClient(TestServer(criar_app(config, engine, relogio, demo=False))) as cliente:
            yield Ambiente(cliente, graph, bot_api, relogio, pasta)
