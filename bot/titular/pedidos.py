"""The data subject's requests (LGPD art. 18): export everything, correct contact data, anonymise.

Anonymising keeps what the law requires of a debt collection (CPF and name tied to the debt, contracts,
installments, agreements, documents, payments) and erases the rest: contact data, birth date, every message
text, captions, notes, the conversations' memory and the texts inside events and hand-offs. Every request is
written to `auditoria` in the transaction that carries it out.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, delete, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.canais.notas_de_voz import TIPOS_AUDIO
from bot.dados.atendentes import Auditoria, Nota
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, Atualizacao, SituacaoAnexo, SituacaoAtualizacao
from bot.dados.fila import descartar_pendentes
from bot.dados.integracao import EventoSaida
from bot.dados.modelos import Conversa, Devedor, Evento, Mensagem, Transferencia
from bot.dados.pausas import registrar_optout
from bot.dados.saida import Saida
from bot.formatos import mascarar_cpf

TEXTO_ANONIMIZADO = "[anonimizado a pedido do titular]"
CAMPOS_CONTATO = ("telefone", "email", "telegram_id")
# Keys inside JSON columns (events, hand-offs) that hold what a person wrote.
CHAVES_DE_TEXTO = frozenset({"texto", "legenda", "proposta", "resposta", "mensagem"})


class PedidoRecusado(ValueError):
    """The request cannot be carried out as asked: the message says why, in Portuguese."""


def _valor_json(valor: object) -> object:
    if isinstance(valor, datetime | date):
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return str(valor)
    if isinstance(valor, bytes):
        return base64.b64encode(valor).decode("ascii")
    return valor


async def _linhas(s: AsyncSession, tabela: Table, coluna: str, ids: list[Any]) -> list[dict[str, Any]]:
    if not ids:
        return []
    colunas = list(tabela.c)
    consulta: Select[*tuple[Any, ...]] = Select(*colunas)
    consulta = consulta.where(tabela.c[coluna].in_(ids)).order_by(*tabela.primary_key.columns)
    nomes = [c.name for c in colunas]
    linhas = (await s.exec(consulta)).all()
    return [{n: _valor_json(v) for n, v in zip(nomes, linha, strict=True)} for linha in linhas]


# Tables are found by their columns, so a table added later is exported without touching this module.
_CHAVES = ("devedor_id", "conversa_id", "contrato_id", "acordo_id", "documento_id")


async def exportar(s: AsyncSession, devedor: Devedor) -> dict[str, Any]:
    """Every row about the debtor: the ones with their id, then those hanging from their conversations,
    contracts, agreements and documents, table by table."""
    assert devedor.id is not None
    tabelas = SQLModel.metadata.sorted_tables
    dados: dict[str, Any] = {"devedor": devedor.model_dump(mode="json")}
    ids: dict[str, list[Any]] = {"devedor_id": [devedor.id]}
    donos = {"conversa_id": "conversa", "contrato_id": "contrato", "acordo_id": "acordo",
             "documento_id": "documento_pagamento"}  # fmt: skip
    for chave in _CHAVES:
        if chave != "devedor_id":
            ids[chave] = [linha["id"] for linha in dados.get(donos[chave], [])]
        for tabela in tabelas:
            ja = tabela.name in dados or tabela.name == "devedor"
            if not ja and chave in tabela.c and not any(c in tabela.c for c in _CHAVES[: _CHAVES.index(chave)]):
                dados[tabela.name] = await _linhas(s, tabela, chave, ids[chave])
    dados["atualizacao"] = await _linhas(s, SQLModel.metadata.tables["atualizacao"], "remetente", remetentes(devedor))
    dados["auditoria"] = await _auditoria(s, devedor.id, dados.get("auditoria", []))
    return {nome: linhas for nome, linhas in dados.items() if linhas}


async def _auditoria(s: AsyncSession, devedor_id: int, das_conversas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit of what was done with this person's data: the rows of their conversations and the ones naming
    them in `dados.devedor` (API calls, their own LGPD requests, dossiês), in order."""
    tabela = SQLModel.metadata.tables["auditoria"]
    sobre_ele = type_coerce(tabela.c.dados, JSON)["devedor"].as_integer() == devedor_id
    ids = [i for i in (await s.exec(select(Auditoria.id).where(sobre_ele))).all() if i is not None]
    linhas = {linha["id"]: linha for linha in das_conversas + await _linhas(s, tabela, "id", ids)}
    return [linhas[i] for i in sorted(linhas)]


def remetentes(devedor: Devedor) -> list[str]:
    """How the inbox names this debtor's chats (`atualizacao.remetente`): the raw updates they sent. WhatsApp and
    SMS (Zenvia) both name the phone by its digits with the country code."""
    numero = (devedor.telefone or "").lstrip("+")
    enderecos = {"whatsapp": numero, "sms": numero, "telegram": devedor.telegram_id or ""}
    return [f"{canal}:{endereco}" for canal, endereco in enderecos.items() if endereco]


def auditar_pedido(s: AsyncSession, acao: str, devedor: Devedor, agora: datetime, **dados: Any) -> None:
    s.add(Auditoria(acao=f"titular_{acao}", dados={"devedor": devedor.id, "cpf": mascarar_cpf(devedor.cpf), **dados},
                    criada_em=agora))  # fmt: skip


def corrigir(devedor: Devedor, novos: dict[str, str | None]) -> dict[str, tuple[str | None, str | None]]:
    """Apply corrected contact data (already validated); returns field → (before, after) of what changed.
    A debtor keeps a phone or a Telegram id: the channels need one of them."""
    mudancas = {c: (getattr(devedor, c), v) for c, v in novos.items() if getattr(devedor, c) != v}
    depois = {c: novos.get(c, getattr(devedor, c)) for c in ("telefone", "telegram_id")}
    if not any(depois.values()) and devedor.anonimizado_em is None:
        raise PedidoRecusado("o devedor ficaria sem telefone e sem telegram_id; informe um dos dois")
    for campo, (_, valor) in mudancas.items():
        setattr(devedor, campo, valor)
    if "telefone" in mudancas:
        devedor.telefone_invalido = False  # a new number has not been reported wrong yet (as the import does)
    return mudancas


# The channels each contact field addresses: a reminder already queued to a corrected contact must not leave.
CANAIS_DO_CONTATO = {"telefone": ("whatsapp", "sms"), "email": ("email",), "telegram_id": ("telegram",)}


async def sem_envios_ao_contato_antigo(s: AsyncSession, devedor_id: int, campos: Iterable[str]) -> int:
    """Drop the pending reminders queued to the contacts just corrected (not committed): the old number may be
    someone else's. Returns how many; the régua's next steps use the new contact."""
    canais = sorted({canal for campo in campos for canal in CANAIS_DO_CONTATO[campo]})
    if not canais:
        return 0
    return await descartar_pendentes(s, "contato corrigido a pedido do titular", devedor_id=devedor_id, canais=canais)


def _sem_textos(dados: Any) -> Any:
    if isinstance(dados, dict):
        # A `motivo` is a category (hand-off reason, the debtor's reason for the delay, "promessa") except the
        # company's own words about the person, sent with a pause or an opt-out through the API.
        livres = CHAVES_DE_TEXTO | ({"motivo"} if dados.get("origem") == "api" else set())
        return {k: (TEXTO_ANONIMIZADO if k in livres else _sem_textos(v)) for k, v in dados.items()}
    if isinstance(dados, list):
        return [_sem_textos(v) for v in dados]
    return dados


def _limpar(s: AsyncSession, linha: Evento | Transferencia | EventoSaida) -> int:
    limpo = _sem_textos(linha.dados)
    if limpo == linha.dados:
        return 0
    linha.dados = limpo
    s.add(linha)
    return 1


@dataclass
class Anonimizacao:
    """What `anonimizar` touched: rows per kind (for the audit), and the voice-note files to delete once the
    transaction has committed (paths relative to `canais.pasta_anexos`)."""

    contagem: dict[str, int]
    audios: list[str] = field(default_factory=list)


async def _sem_audios(s: AsyncSession, conversas: list[int], motivo: str) -> list[str]:
    """Voice notes are the person's voice: their rows lose the file (their transcription is a message text, erased
    with the others). Images and PDFs stay: a receipt is proof of payment."""
    audios = (
        await s.exec(
            select(Anexo).where(
                col(Anexo.conversa_id).in_(conversas), col(Anexo.tipo).in_(TIPOS_AUDIO), col(Anexo.caminho).is_not(None)
            )
        )
    ).all()
    caminhos = []
    for anexo in audios:
        assert anexo.caminho is not None
        caminhos.append(anexo.caminho)
        anexo.caminho, anexo.tamanho, anexo.sha256 = None, None, None
        anexo.situacao, anexo.motivo, anexo.tentar_em = SituacaoAnexo.RECUSADO.value, motivo, None
        s.add(anexo)
    return caminhos


async def apagar_audios(engine: AsyncEngine, pasta: Path, caminhos: list[str]) -> int:
    """After the commit: delete each file no row refers to any more (files are named by content, so another
    person's identical file keeps it). Returns how many were deleted."""
    apagados = 0
    raiz = pasta.resolve()
    async with sessao(engine) as s:
        for caminho in dict.fromkeys(caminhos):
            if (await s.exec(select(Anexo.id).where(Anexo.caminho == caminho))).first() is not None:
                continue
            arquivo = (raiz / caminho).resolve()
            if arquivo.is_relative_to(raiz) and arquivo.is_file():
                arquivo.unlink()
                apagados += 1
    return apagados


async def anonimizar(s: AsyncSession, devedor: Devedor, agora: datetime, origem: str) -> Anonimizacao:
    """Erase contact data and texts (not committed); returns how many rows of each kind were touched. Collection
    stops for good: an opt-out from `origem`, which the company's systems hear about like any other."""
    assert devedor.id is not None
    conversas = [i for i in (await s.exec(select(Conversa.id).where(Conversa.devedor_id == devedor.id))).all() if i]
    feito = Anonimizacao({"mensagens": 0, "notas": 0, "anexos": 0, "audios": 0, "eventos": 0, "transferencias": 0,
                          "lembretes": 0})  # fmt: skip
    contagem = feito.contagem
    if conversas:
        mensagens = update(Mensagem).where(col(Mensagem.conversa_id).in_(conversas))
        contagem["mensagens"] = (await s.exec(mensagens.values(texto=TEXTO_ANONIMIZADO, opcoes=[]))).rowcount
        notas = update(Nota).where(col(Nota.conversa_id).in_(conversas)).values(texto=TEXTO_ANONIMIZADO)
        contagem["notas"] = (await s.exec(notas)).rowcount
        anexos = update(Anexo).where(col(Anexo.conversa_id).in_(conversas)).values(legenda=None, nome=None)
        contagem["anexos"] = (await s.exec(anexos)).rowcount
        feito.audios = await _sem_audios(s, conversas, "áudio apagado a pedido do titular (LGPD)")
        contagem["audios"] = len(feito.audios)
        await s.exec(update(Conversa).where(col(Conversa.id).in_(conversas)).values(memoria={}))
    for evento in (await s.exec(select(Evento).where(Evento.devedor_id == devedor.id))).all():
        contagem["eventos"] += _limpar(s, evento)
    for transferencia in (await s.exec(select(Transferencia).where(Transferencia.devedor_id == devedor.id))).all():
        contagem["transferencias"] += _limpar(s, transferencia)
    for saida in (await s.exec(select(EventoSaida).where(EventoSaida.devedor_id == devedor.id))).all():
        contagem["eventos"] += _limpar(s, saida)  # the copy going to the company's systems
    lembretes = update(Saida).where(col(Saida.devedor_id) == devedor.id).values(texto=TEXTO_ANONIMIZADO, destino="")
    contagem["lembretes"] = (await s.exec(lembretes)).rowcount
    await descartar_pendentes(s, "dados anonimizados a pedido do titular", devedor_id=devedor.id)
    # The raw updates already processed (their text and number live in `corpo`) go; one still waiting is left
    # to the inbox, which purges it with the others after `canais.retencao_dias`.
    finais = [SituacaoAtualizacao.PROCESSADA.value, SituacaoAtualizacao.FALHOU.value]
    brutas = delete(Atualizacao).where(
        col(Atualizacao.remetente).in_(remetentes(devedor)), col(Atualizacao.situacao).in_(finais)
    )
    contagem["atualizacoes"] = (await s.exec(brutas)).rowcount
    for campo in (*CAMPOS_CONTATO, "nascimento"):
        setattr(devedor, campo, None)
    await registrar_optout(s, devedor, agora, origem)  # no channel is left, and none may be used again
    devedor.anonimizado_em = devedor.anonimizado_em or agora
    s.add(devedor)
    return feito
