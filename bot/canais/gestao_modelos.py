"""`python -m bot modelos`: the declared WhatsApp templates against Meta, through the Graph API management endpoints.

`GET /{waba-id}/message_templates` (paginated) reads what Meta has and its status; `--enviar` submits each
declared template Meta does not have (`POST /{waba-id}/message_templates`), both through pywa's API client. Every
status read is kept in `situacao_modelo` (the `message_template_status_update` webhook keeps it current between
runs), where `check` reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

import httpx
from pywa_async.client import WhatsApp
from pywa_async.errors import WhatsAppError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.canais.transporte import falha_de_transporte
from bot.config.canais import WhatsappConfig, ler_segredo
from bot.dados.banco import sessao
from bot.dados.situacao_modelos import SituacaoModelo, gravar_situacao
from bot.mensagens.catalogo import Catalogo, ModeloWhatsapp, carregar_catalogo
from bot.projeto import Projeto

CAMPOS = ("name", "language", "status", "category", "id", "rejected_reason")
POR_PAGINA = 100
APROVADO = "APPROVED"


class ErroGestao(Exception):
    """Meta refused or could not be reached: the message says which call and why, in pt-BR."""


@dataclass(frozen=True)
class NaMeta:
    id: str
    situacao: str
    categoria: str | None
    motivo: str | None


class GestorModelos:
    """The management calls over pywa's client, with our own httpx client pointed at `api_base_url`."""

    def __init__(self, waba: str, token: str, base_url: str, versao: str, espera: float = 15.0) -> None:
        self.waba = waba
        self.sessao = httpx.AsyncClient(timeout=httpx.Timeout(espera))
        self.cliente = WhatsApp(token=token, session=self.sessao, server=None, api_version=versao, waba_id=waba)
        self.sessao.base_url = httpx.URL(f"{base_url.rstrip('/')}/v{versao}")  # pywa set Graph's own: point back

    async def fechar(self) -> None:
        await self.sessao.aclose()

    async def listar(self) -> dict[tuple[str, str], NaMeta]:
        """Every template of the account, all pages, by (name, language)."""
        achados: dict[tuple[str, str], NaMeta] = {}
        pagina: dict[str, Any] = {"limit": POR_PAGINA}
        while True:
            resposta = await self._chamar("listar os modelos", self.cliente.api.get_templates(
                waba_id=self.waba, fields=CAMPOS, pagination=pagina))  # fmt: skip
            for item in resposta.get("data") or []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    achados[(item["name"], str(item.get("language", "")))] = _na_meta(item)
            paginacao = resposta.get("paging") or {}
            depois = (paginacao.get("cursors") or {}).get("after")
            if not paginacao.get("next") or not depois:
                return achados
            pagina = {"limit": POR_PAGINA, "after": depois}

    async def criar(self, modelo: ModeloWhatsapp) -> NaMeta:
        resposta = await self._chamar(f"enviar o modelo {modelo.nome}", self.cliente.api.create_template(
            waba_id=self.waba, template=modelo.para_meta()))  # fmt: skip
        item = {"id": resposta.get("id"), "status": resposta.get("status", "PENDING")}
        return _na_meta(item | {"category": resposta.get("category")})

    @staticmethod
    async def _chamar(acao: str, chamada: Any) -> dict[str, Any]:
        try:
            resposta = await chamada
        except WhatsAppError as erro:
            raise ErroGestao(f"a Meta recusou {acao}: ({erro.code}) {erro.message}") from erro
        except httpx.TransportError as erro:
            raise ErroGestao(f"não foi possível {acao}: {falha_de_transporte('Graph API', erro)}") from erro
        if not isinstance(resposta, dict):
            raise ErroGestao(f"resposta inesperada da Meta ao {acao}")
        return resposta


def _na_meta(item: Mapping[str, Any]) -> NaMeta:
    categoria, motivo = item.get("category"), item.get("rejected_reason")
    return NaMeta(str(item.get("id") or ""), str(item.get("status") or "UNKNOWN"),
                  str(categoria) if categoria else None,
                  str(motivo) if motivo and motivo != "NONE" else None)  # fmt: skip


def gestor_do_projeto(config: WhatsappConfig) -> GestorModelos | str:
    """The client, or what is missing to build it (pt-BR)."""
    token = ler_segredo(config.env_token)
    faltam = ([] if config.id_conta else ["canais.whatsapp.id_conta (o WABA ID)"]) + (
        [] if token else [f"a variável de ambiente {config.env_token}"]
    )
    if faltam or token is None:
        return f"para falar com a Meta defina {' e '.join(faltam)}"
    return GestorModelos(config.id_conta, token, str(config.api_base_url), config.versao_api)


async def sincronizar(
    engine: AsyncEngine, catalogo: Catalogo, gestor: GestorModelos, agora: datetime, enviar: bool, erros: TextIO
) -> dict[tuple[str, str], NaMeta]:
    """Read Meta's templates, submit the missing declared ones (with `enviar`), keep the declared ones' status."""
    na_meta = await gestor.listar()
    if enviar:
        for modelo in catalogo.modelos:
            if (modelo.nome, modelo.idioma) not in na_meta:
                try:
                    na_meta[(modelo.nome, modelo.idioma)] = await gestor.criar(modelo)
                except ErroGestao as erro:  # one refusal does not stop the others
                    print(erro, file=erros)
    async with sessao(engine) as s:
        for modelo in catalogo.modelos:
            achado = na_meta.get((modelo.nome, modelo.idioma))
            if achado is not None:
                await gravar_situacao(s, SituacaoModelo(
                    nome=modelo.nome, idioma=modelo.idioma, situacao=achado.situacao, id_meta=achado.id or None,
                    categoria=achado.categoria, motivo=achado.motivo, atualizado_em=agora))  # fmt: skip
            else:
                antigo = await s.get(SituacaoModelo, (modelo.nome, modelo.idioma))
                if antigo is not None:  # deleted at Meta since: it no longer counts as approved
                    await s.delete(antigo)
        await s.commit()
    return na_meta


def imprimir(catalogo: Catalogo, na_meta: Mapping[tuple[str, str], NaMeta], saida: TextIO) -> int:
    """One line per declared template; returns how many are not approved."""
    faltando = 0
    for m in catalogo.modelos:
        achado = na_meta.get((m.nome, m.idioma))
        if achado is None:
            situacao = "não enviado (use --enviar)"
        else:
            situacao = achado.situacao + (f" — {achado.motivo}" if achado.motivo else "")
            if achado.categoria and achado.categoria != m.categoria:
                situacao += f" (a Meta classificou como {achado.categoria})"
        faltando += achado is None or achado.situacao != APROVADO
        print(f"{m.nome:<24} {m.idioma:<6} {m.categoria.value:<14} {situacao}", file=saida)
    declarados = {(m.nome, m.idioma) for m in catalogo.modelos}
    sobrando = sorted(f"{n} ({i})" for n, i in na_meta if (n, i) not in declarados)
    if sobrando:
        print(f"Na Meta e não declarados em mensagens/: {', '.join(sobrando)}", file=saida)
    print(f"{len(catalogo.modelos)} modelo(s) declarado(s), {faltando} sem aprovação.", file=saida)
    return faltando


async def comando_modelos(
    engine: AsyncEngine, projeto: Projeto, relogio: Callable[[], datetime], enviar: bool, saida: TextIO, erros: TextIO
) -> int:
    catalogo, problemas = carregar_catalogo(projeto.raiz / "mensagens")
    if catalogo is None:  # the project loaded, so this is only a file changed since
        for problema in problemas:
            print(problema, file=erros)
        return 1
    gestor = gestor_do_projeto(projeto.config.canais.whatsapp)
    if isinstance(gestor, str):
        print(gestor, file=erros)
        return 1
    try:
        na_meta = await sincronizar(engine, catalogo, gestor, relogio(), enviar, erros)
    except ErroGestao as erro:
        print(erro, file=erros)
        return 1
    finally:
        await gestor.fechar()
    imprimir(catalogo, na_meta, saida)
    return 0
