"""The console's shared services (typed app keys), page rendering and the logged-in person of a request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.atendimento.servico import Variacoes
from bot.console.autenticacao import Limitador
from bot.dados.atendentes import SessaoConsole, Usuario
from bot.disparo.planejamento import Variantes
from bot.formatos import brl, data_br, marcas_em_html
from bot.pagamentos.confirmacao import Confirmador
from bot.porta import Remetente
from bot.projeto import Projeto

FUSO_CONSOLE = ZoneInfo("America/Sao_Paulo")


@dataclass(frozen=True)
class Console:
    projeto: Projeto
    engine: AsyncEngine
    relogio: Callable[[], datetime]
    remetentes: Mapping[str, Remetente]  # channel name → sender; channels without one (web, cli) only store
    intervalo_fila: float = 1.0  # seconds between checks of the queue for the live page
    confirmador: Confirmador | None = None  # records payments an agent verified; None: built without a PSP
    limites_de_login: dict[str, Limitador] = field(default_factory=dict)  # per address and per login, in memory
    variacoes: Variacoes | None = None  # the debtors' experiment variants in the conversation (book, templates)
    variantes_regua: Variantes | None = None  # and in the régua (the gestão's preview of the day's plan)

    def limitador(self, tipo: str) -> Limitador:
        """The login throttle `tipo` ("endereco" or "login"), sized by `[console]`."""
        if tipo not in self.limites_de_login:
            config = self.projeto.config.console
            limite = config.logins_por_minuto_endereco if tipo == "endereco" else config.logins_por_minuto_login
            self.limites_de_login[tipo] = Limitador(limite)
        return self.limites_de_login[tipo]


CONSOLE = web.AppKey("console", Console)
USUARIO = web.RequestKey("console_usuario", Usuario)
SESSAO = web.RequestKey("console_sessao", SessaoConsole)


def _hora(instante: datetime) -> str:
    return instante.astimezone(FUSO_CONSOLE).strftime("%d/%m/%Y %H:%M")


paginas = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "paginas"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


def _marcas(texto: str) -> Markup:
    """A message as the debtor sees it on WhatsApp: bold and italic drawn, the rest escaped (never markup)."""
    return Markup(marcas_em_html(texto))


# A message's delivery as agents read it (the stored values are the providers' and the outbox's own words).
SITUACOES = {
    "recebida": "recebida",
    "pendente": "na fila de envio",
    "enviada": "enviada",
    "sent": "enviada",
    "delivered": "entregue",
    "read": "lida",
    "failed": "não entregue",
    "incerta": "incerta: o provedor não confirmou, pode não ter chegado (confira com o devedor)",
}


def situacao(status: str) -> str:
    """`status` in pt-BR; a failure keeps its reason ("falhou: JanelaFechada" → "não enviada: JanelaFechada")."""
    if status.startswith("falhou"):
        motivo = status.partition(":")[2].strip()
        return f"não enviada: {motivo}" if motivo else "não enviada"
    return SITUACOES.get(status, status)


paginas.filters.update(dinheiro=brl, data=data_br, hora=_hora, marcas=_marcas, situacao=situacao)


def usuario(request: web.Request) -> Usuario:
    return request[USUARIO]


def sessao_atual(request: web.Request) -> SessaoConsole:
    return request[SESSAO]


def pagina(request: web.Request, nome: str, status: int = 200, **dados: Any) -> web.Response:
    """Render a page; logged-in pages get the person and the CSRF token every form must carry."""
    if USUARIO in request:
        dados |= {"eu": usuario(request), "csrf": sessao_atual(request).csrf}
    html = paginas.get_template(nome).render(**dados)
    return web.Response(text=html, status=status, content_type="text/html")
