"""Portfolio import: all-or-nothing upsert of what `ler_carteira` read, in batches (100k lines in seconds).

Debtors are matched by CPF, contracts by number, installments by (contract, number). Re-importing updates
values, dates and contact data and never duplicates. What this module never does: erase a value the file
leaves empty, reopen an installment already `paga` or `negociada`, touch installments missing from the file,
or clear an opt-out. A new phone number clears `telefone_invalido`; the same number keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.dados.carteira import (
    CAMPOS_DEVEDOR,
    ErroLinha,
    LeituraCarteira,
    LinhaCarteira,
    ler_carteira,
)
from bot.dados.modelos import Contrato, Devedor, Parcela, SituacaoParcela, agora_utc
from bot.formatos import mascarar_cpf

__all__ = [
    "ErroLinha",
    "ImportacaoRecusada",
    "LeituraCarteira",
    "LinhaCarteira",
    "ResumoImportacao",
    "importar_carteira",
    "ler_carteira",
]

LOTE = 500  # keys per IN (...): far below SQLite's and asyncpg's parameter limits


class ImportacaoRecusada(Exception):
    """The file has errors and skipping invalid lines was not asked for: nothing was imported."""

    def __init__(self, erros: Sequence[ErroLinha]) -> None:
        self.erros = list(erros)
        linhas = "\n".join(str(erro) for erro in self.erros[:20])
        resto = f"\n… e mais {len(self.erros) - 20} erro(s)" if len(self.erros) > 20 else ""
        super().__init__(f"importação recusada, nada foi gravado: {len(self.erros)} erro(s)\n{linhas}{resto}")


@dataclass(frozen=True, slots=True)
class ResumoImportacao:
    """Counts of what changed; `parcelas_mantidas` are known installments left as they were
    (unchanged, or already paid/negotiated); `erros` explains each ignored line."""

    devedores_novos: int = 0
    devedores_atualizados: int = 0
    parcelas_novas: int = 0
    parcelas_atualizadas: int = 0
    parcelas_mantidas: int = 0
    linhas_ignoradas: int = 0
    erros: list[ErroLinha] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"devedores: {self.devedores_novos} novos, {self.devedores_atualizados} atualizados; "
            f"parcelas: {self.parcelas_novas} novas, {self.parcelas_atualizadas} atualizadas, "
            f"{self.parcelas_mantidas} mantidas; linhas ignoradas: {self.linhas_ignoradas}"
        )


async def importar_carteira(
    session: AsyncSession,
    leitura: LeituraCarteira,
    pular_invalidas: bool = False,
    agora: datetime | None = None,
) -> ResumoImportacao:
    """Store the lines read in one transaction, committed here.

    Any error (in the file, or a contract/telegram_id the database gives to another CPF) raises
    `ImportacaoRecusada` before anything is written, unless `pular_invalidas`: then those lines are left
    out and reported in the summary. A bad header is always refused.
    """
    if leitura.erros and not (pular_invalidas and leitura.cabecalho_ok):
        raise ImportacaoRecusada(leitura.erros)
    try:
        conflitos = await _conflitos_no_banco(session, leitura)
        erros = sorted(leitura.erros + conflitos, key=lambda erro: erro.linha)
        if conflitos and not pular_invalidas:
            raise ImportacaoRecusada(erros)
        recusadas = {erro.linha for erro in conflitos}
        linhas = [linha for linha in leitura.linhas if linha.linha not in recusadas]
        devedores = await _gravar_devedores(session, linhas, agora or agora_utc())
        contratos = await _gravar_contratos(session, linhas, devedores.ids)
        parcelas = await _gravar_parcelas(session, linhas, contratos)
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return ResumoImportacao(
        devedores_novos=devedores.novos,
        devedores_atualizados=devedores.atualizados,
        parcelas_novas=parcelas.novas,
        parcelas_atualizadas=parcelas.atualizadas,
        parcelas_mantidas=parcelas.mantidas,
        linhas_ignoradas=len({erro.linha for erro in erros}),
        erros=erros,
    )


Consulta = Select[*tuple[Any, ...]]


def _colunas(*colunas: Any) -> Consulta:
    """A SELECT of several columns (sqlmodel's `select` is typed for at most four)."""
    return Select(*colunas)


async def _buscar(session: AsyncSession, consulta: Consulta, chave: Mapped[Any], valores: Iterable[Any]) -> list[Any]:
    """Rows of `consulta` whose `chave` is among `valores`, a batch of IN (...) at a time."""
    lista = list(dict.fromkeys(valores))
    linhas: list[Any] = []
    for inicio in range(0, len(lista), LOTE):
        resultado = await session.exec(consulta.where(chave.in_(lista[inicio : inicio + LOTE])))
        linhas.extend(resultado.all())
    return linhas


async def _conflitos_no_banco(session: AsyncSession, leitura: LeituraCarteira) -> list[ErroLinha]:
    """Lines the database contradicts: a contract or a telegram_id that belongs to another CPF."""
    linhas = leitura.linhas
    donos_contratos = _colunas(Contrato.numero, Devedor.cpf).join(Devedor, col(Contrato.devedor_id) == col(Devedor.id))
    contratos = dict(await _buscar(session, donos_contratos, col(Contrato.numero), (li.contrato for li in linhas)))
    donos_telegram = _colunas(Devedor.telegram_id, Devedor.cpf)
    com_telegram = (li.telegram_id for li in linhas if li.telegram_id)
    telegram = dict(await _buscar(session, donos_telegram, col(Devedor.telegram_id), com_telegram))
    erros = []
    for linha in linhas:
        for coluna, valor, dono in (
            ("contrato", linha.contrato, contratos.get(linha.contrato)),
            ("telegram_id", linha.telegram_id, telegram.get(linha.telegram_id)),
        ):
            if dono and dono != linha.cpf:
                mensagem = f"{coluna} já cadastrado no banco para o CPF {mascarar_cpf(dono)}"
                erros.append(ErroLinha(linha.linha, coluna, str(valor), mensagem, leitura.arquivo))
    return erros


@dataclass(frozen=True, slots=True)
class _Devedores:
    novos: int
    atualizados: int
    ids: dict[str, int]


def _dados_devedores(linhas: list[LinhaCarteira]) -> dict[str, dict[str, Any]]:
    """Per CPF, the non-empty debtor fields of its lines (`ler_carteira` made sure they agree)."""
    devedores: dict[str, dict[str, Any]] = {}
    for linha in linhas:
        dados = devedores.setdefault(linha.cpf, {})
        for campo in CAMPOS_DEVEDOR:
            valor = getattr(linha, campo)
            if valor is not None:
                dados.setdefault(campo, valor)
    return devedores


def _mudancas(atual: Any, novos: dict[str, Any]) -> dict[str, Any]:
    mudancas = {campo: valor for campo, valor in novos.items() if getattr(atual, campo) != valor}
    if "telefone" in mudancas:
        mudancas["telefone_invalido"] = False  # a new number has not been reported wrong yet
    return mudancas


async def _gravar_devedores(session: AsyncSession, linhas: list[LinhaCarteira], agora: datetime) -> _Devedores:
    dados = _dados_devedores(linhas)
    consulta = _colunas(*(getattr(Devedor, campo) for campo in ("id", "cpf", *CAMPOS_DEVEDOR)))
    existentes = {d.cpf: d for d in await _buscar(session, consulta, col(Devedor.cpf), dados)}
    ids: dict[str, int] = {cpf: d.id for cpf, d in existentes.items()}
    alteracoes = []
    for cpf, atual in existentes.items():
        mudancas = _mudancas(atual, dados[cpf])
        if mudancas:
            alteracoes.append({"id": atual.id, "atualizado_em": agora, **mudancas})
    if alteracoes:
        await session.exec(update(Devedor), params=alteracoes)
    vazio = dict.fromkeys(CAMPOS_DEVEDOR)
    novos = [
        {
            **vazio,
            **campos,
            "cpf": cpf,
            "telefone_invalido": False,
            "criado_em": agora,
            "atualizado_em": agora,
        }
        for cpf, campos in dados.items()
        if cpf not in existentes
    ]
    if novos:
        inseridos = await session.exec(insert(Devedor).returning(col(Devedor.cpf), col(Devedor.id)), params=novos)
        ids.update((cpf, id_) for cpf, id_ in inseridos)
    return _Devedores(len(novos), len(alteracoes), ids)


async def _gravar_contratos(
    session: AsyncSession, linhas: list[LinhaCarteira], devedores: dict[str, int]
) -> dict[str, tuple[int, bool]]:
    """Insert new contracts, update descriptions; returns number → (id, existed before)."""
    descricoes: dict[str, str | None] = {}
    donos: dict[str, str] = {}
    for linha in linhas:
        donos.setdefault(linha.contrato, linha.cpf)
        descricoes[linha.contrato] = descricoes.get(linha.contrato) or linha.descricao
    consulta = _colunas(Contrato.numero, Contrato.id, Contrato.descricao)
    existentes = {c.numero: c for c in await _buscar(session, consulta, col(Contrato.numero), donos)}
    alteracoes = [
        {"id": c.id, "descricao": descricoes[numero]}
        for numero, c in existentes.items()
        if descricoes[numero] and descricoes[numero] != c.descricao
    ]
    if alteracoes:
        await session.exec(update(Contrato), params=alteracoes)
    ids = {numero: (c.id, True) for numero, c in existentes.items()}
    novos = [
        {"numero": numero, "devedor_id": devedores[cpf], "descricao": descricoes[numero]}
        for numero, cpf in donos.items()
        if numero not in existentes
    ]
    if novos:
        inseridos = await session.exec(insert(Contrato).returning(col(Contrato.numero), col(Contrato.id)), params=novos)
        ids.update((numero, (id_, False)) for numero, id_ in inseridos)
    return ids


@dataclass(frozen=True, slots=True)
class _Parcelas:
    novas: int
    atualizadas: int
    mantidas: int


async def _gravar_parcelas(
    session: AsyncSession, linhas: list[LinhaCarteira], contratos: dict[str, tuple[int, bool]]
) -> _Parcelas:
    campos = ("contrato_id", "numero", "id", "valor", "vencimento", "situacao")
    consulta = _colunas(*(getattr(Parcela, campo) for campo in campos))
    conhecidos = [id_ for id_, existia in contratos.values() if existia]
    existentes = {
        (p.contrato_id, p.numero): p for p in await _buscar(session, consulta, col(Parcela.contrato_id), conhecidos)
    }
    novas: list[dict[str, Any]] = []
    alteracoes: list[dict[str, Any]] = []
    for linha in linhas:
        contrato_id = contratos[linha.contrato][0]
        atual = existentes.get((contrato_id, linha.parcela))
        dados = {"valor": linha.valor, "vencimento": linha.vencimento}
        if atual is None:
            novas.append({"contrato_id": contrato_id, "numero": linha.parcela, **dados})
        elif atual.situacao == SituacaoParcela.ABERTA and (atual.valor, atual.vencimento) != tuple(dados.values()):
            alteracoes.append({"id": atual.id, **dados})
    if novas:
        await session.exec(insert(Parcela), params=novas)
    if alteracoes:
        await session.exec(update(Parcela), params=alteracoes)
    return _Parcelas(len(novas), len(alteracoes), len(linhas) - len(novas) - len(alteracoes))
