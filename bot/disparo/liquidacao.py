"""Settling a group of claimed outbox rows in one commit, together with the senders' ledger.

A settlement is plain data until written, so a dispatcher that meets a database error keeps it and writes it
when the database answers again: what the provider said is never lost with the connection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Unpack

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from bot.dados.banco import sessao
from bot.dados.cru import Preparados, transacao
from bot.dados.fila import janela_fechada_tardia
from bot.dados.registro import confirmar_na, esquecer_na
from bot.dados.saida import MudancaSaida, Saida, SituacaoSaida
from bot.disparo import situacao as fatos
from bot.disparo.onda import Livro

_ENVIANDO = SituacaoSaida.ENVIANDO.value


@dataclass
class Liquidacao:
    livro: Livro = field(default_factory=Livro)
    quando: datetime | None = None  # when the ledger's ids were confirmed
    linhas: list[tuple[int, MudancaSaida]] = field(default_factory=list)
    falhas: list[Saida] = field(default_factory=list)  # to fall back to the step's next channel, once written
    texto_livre: list[str] = field(default_factory=list)  # WhatsApp free-text ids: a 131047 may have come already

    def marcar(self, saida: Saida, **valores: Unpack[MudancaSaida]) -> None:
        assert saida.id is not None
        self.linhas.append((saida.id, valores))

    def enviada(self, saida: Saida, id_provedor: str, agora: datetime, com_modelo: bool) -> None:
        self.quando = agora
        self.marcar(saida, situacao=SituacaoSaida.ENVIADA.value, id_provedor=id_provedor, enviada_em=agora,
                    motivo=None, usar_modelo=com_modelo)  # fmt: skip
        if saida.canal == "whatsapp" and not com_modelo:
            self.texto_livre.append(id_provedor)

    def falhou(self, saida: Saida, motivo: str) -> None:
        self.marcar(saida, situacao=SituacaoSaida.FALHOU.value, motivo=motivo)
        self.falhas.append(saida)

    @classmethod
    def liberar(cls, linhas: Sequence[Saida], agora: datetime) -> Liquidacao:
        """Claimed rows never handed to the provider go back to the queue, and their keys (if written) are dropped."""
        liquidacao = cls(livro=Livro(esquecidos=[saida.chave for saida in linhas]))
        for saida in linhas:
            liquidacao.marcar(saida, situacao=SituacaoSaida.PENDENTE.value, proxima_tentativa=agora,
                              tentativas=saida.tentativas - 1, motivo="banco indisponível durante o envio")  # fmt: skip
        return liquidacao

    async def janelas_tardias(self, engine: AsyncEngine, agora: datetime) -> None:
        """A `failed` 131047 status stored before its row was settled: send that row again as the template."""
        if not self.texto_livre:
            return
        async with sessao(engine) as s:
            for id_provedor in await fatos.falharam_fora_da_janela(s, self.texto_livre):
                await janela_fechada_tardia(s, id_provedor, agora)


async def aplicar(engine: AsyncEngine, liquidacao: Liquidacao) -> None:
    """Write a settlement in one transaction on the driver (every wave settles here); rows moved on by someone
    else meanwhile are left alone."""
    if not liquidacao.linhas and not liquidacao.livro.esquecidos:
        return
    por_colunas: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for saida_id, valores in liquidacao.linhas:
        por_colunas[tuple(sorted(valores))].append({"b_id": saida_id, **{f"b_{k}": v for k, v in valores.items()}})
    async with transacao(engine) as t:
        if liquidacao.livro.confirmados:
            assert liquidacao.quando is not None
            await confirmar_na(t, liquidacao.livro.confirmados, liquidacao.quando)
        await esquecer_na(t, liquidacao.livro.esquecidos)
        for colunas, parametros in por_colunas.items():
            await t.executar_muitos(_mudanca(colunas), parametros)


@cache
def _mudanca(colunas: tuple[str, ...]) -> Preparados:
    """The settling `UPDATE` of these columns, built once (a few column sets occur)."""
    return Preparados(
        update(Saida)
        .where(col(Saida.id) == bindparam("b_id"), col(Saida.situacao) == _ENVIANDO)
        .values({c: bindparam(f"b_{c}") for c in colunas})
    )
