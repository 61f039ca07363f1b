"""Outbox dispatch, the adapter: claim due rows in batches, ask the contact policy again, send, settle; reconcile.

Every row is claimed (committed as `enviando`) before the provider is called and settled after, with the row's
key as `Envio.chave`. A batch's facts are read in a handful of queries; its sends go out in waves, concurrently,
within the channel's rate (`Cota`, shared through the database by every instance sending from the number); each
wave is settled in one commit together with the ledger. A dispatcher that dies in between leaves claimed rows; a
later round asks the provider (or the ledger) whether those keys went out and records it, or sends them now if
they did not: never twice. A database error stops the round: what was learnt is kept in memory and written first
thing in the next round.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.regua import Regua
from bot.dados.banco import sessao
from bot.dados.fila import reservar
from bot.dados.saida import Saida, SituacaoSaida
from bot.disparo.cota import Cota
from bot.disparo.email import Carta
from bot.disparo.liquidacao import Liquidacao, aplicar
from bot.disparo.lote import FatosDoLote, carregar
from bot.disparo.onda import Resultado, enviar_onda
from bot.disparo.reconciliacao import Resumo, proximo_canal, reconciliar
from bot.porta import Envio, JanelaFechada, Remetente, TentarDepois, TipoCanal
from bot.regua.balde import ONDAS_POR_SEGUNDO  # a wave: small, so a crash leaves few sends in doubt
from bot.regua.politica_contato import Adiado, Decisao, Descartado, Liberado, decidir

log = logging.getLogger(__name__)
JANELA_WHATSAPP = timedelta(hours=24)
RESERVA = timedelta(seconds=300)  # the default `limites.reserva_segundos`
RECUO_MAXIMO = 30.0  # seconds between attempts while the database is down
ERROS_DE_BANCO = (SQLAlchemyError, OSError, TimeoutError)


def _queda(erro: BaseException) -> bool:
    """The database (or the way to it) went away, as opposed to a statement of ours it refused."""
    if isinstance(erro, (OSError, TimeoutError, OperationalError, InterfaceError, DisconnectionError)):
        return True
    return isinstance(erro, DBAPIError) and erro.connection_invalidated


ONDAS_SIMULTANEAS = 4
LOTES_DE_ONDAS = 4  # a claimed batch is this many times `simultaneos`
_ENVIADA, _PENDENTE, _FALHOU = SituacaoSaida.ENVIADA.value, SituacaoSaida.PENDENTE.value, SituacaoSaida.FALHOU.value

__all__ = ["RESERVA", "Despachante", "Resumo"]


@dataclass
class _Lote:
    liberadas: list[tuple[Saida, bool]]  # rows the contact policy let go, with "use the template"
    restantes: dict[int | None, Saida]  # claimed and not yet handed to the provider
    cheio: bool  # as big as asked: more may be due


@dataclass
class Despachante:
    engine: AsyncEngine
    regua: Regua
    remetentes: Mapping[TipoCanal, Remetente]
    desligados: frozenset[TipoCanal] = frozenset()  # used by the steps but off (no credentials)
    carta: Carta | None = None  # e-mail reminders: the frame template and the creditor's identification
    cotas: dict[TipoCanal, Cota] = field(default_factory=dict)  # each channel's rate, shared through the database
    _ultimo_por_destino: dict[str, datetime] = field(default_factory=dict)
    _pendentes: list[Liquidacao] = field(default_factory=list)  # settlements a database error left unwritten
    _trava: asyncio.Lock = field(default_factory=asyncio.Lock)
    monotonico: Callable[[], float] = time.monotonic  # paces retries while the database is down
    relogio_cota: Callable[[], float] = time.time  # the shared rate's clock: the same on every instance
    dormir: Callable[[float], Awaitable[None]] = asyncio.sleep
    _recuo: float = 0.0
    _retomar_em: float = float("-inf")

    def __post_init__(self) -> None:
        if TipoCanal.EMAIL in self.remetentes and self.carta is None:
            raise ValueError("lembretes por e-mail precisam de uma Carta (mensagens/lembrete.email.j2 e o credor)")

    async def rodada(self, agora: datetime) -> Resumo:
        """Reconcile interrupted sends, then send everything due, batch after batch, within the rate limits.

        A round already running in this process makes this one return at once (the clock ticks every second).
        """
        resumo = Resumo()
        if self._trava.locked() or self.monotonico() < self._retomar_em:
            return resumo
        async with self._trava:
            try:
                await self._rodada(agora, resumo)
            except ERROS_DE_BANCO as erro:  # the database went away: keep what we know, try again later
                self._recuo = min(RECUO_MAXIMO, max(1.0, self._recuo * 2))
                self._retomar_em = self.monotonico() + self._recuo
                primeira = (str(erro).splitlines() or [""])[0]
                if _queda(erro):
                    log.warning("régua: banco indisponível (%s: %s); nova tentativa em %.0f s",
                                type(erro).__name__, primeira, self._recuo)  # fmt: skip
                else:  # not an outage but a fault of ours: the whole traceback, and the same back-off
                    log.exception("régua: erro inesperado no banco; nova tentativa em %.0f s", self._recuo)
                return resumo
            self._recuo = 0.0
        return resumo

    async def _rodada(self, agora: datetime, resumo: Resumo) -> None:
        while self._pendentes:
            await aplicar(self.engine, self._pendentes[0])
            self._pendentes.pop(0)
        reserva = timedelta(seconds=self.regua.limites.reserva_segundos)
        await reconciliar(self.engine, self.regua, self.remetentes, agora, reserva, resumo)
        for canal in self.remetentes:
            await self._canal(canal, agora, resumo)
        for canal in self.desligados - set(self.remetentes):
            while await self._sem_canal(canal, agora, resumo):
                pass

    def _cota(self, canal: TipoCanal) -> Cota:
        if canal not in self.cotas:
            taxa = self.regua.limites.taxa(canal)
            self.cotas[canal] = Cota(self.engine, canal.value, taxa, self.relogio_cota, self.dormir)
        return self.cotas[canal]

    async def _sem_canal(self, canal: TipoCanal, agora: datetime, resumo: Resumo) -> bool:
        """A channel that is off never sends: its due rows fail with the reason and pass to the step's next channel."""
        async with sessao(self.engine) as s:
            linhas = await reservar(s, canal.value, agora, self.regua.limites.taxa(canal))
        motivo = f"canal {canal.value} desligado (sem credenciais em [canais.{canal.value}])"
        liquidacao = Liquidacao()
        for saida in linhas:
            liquidacao.marcar(saida, situacao=_FALHOU, motivo=motivo)
        await aplicar(self.engine, liquidacao)
        resumo.falhas += len(linhas)
        for saida in linhas:
            await proximo_canal(self.engine, self.regua, saida, agora)
        return bool(linhas)

    async def _canal(self, canal: TipoCanal, agora: datetime, resumo: Resumo) -> None:
        """Batch after batch until nothing more is due. The next batch is claimed and decided while the current
        one's waves are in flight, and its waves queue behind them, so the sends never stop for a claim; at most
        two batches are claimed at once. Deciding after the previous batch's decision is safe for the contact
        caps: its released rows are already `enviando`, which count as contacts (`situacao.contatos`)."""
        simultaneos = self.regua.limites.simultaneos
        vagas = asyncio.Semaphore(max(1, simultaneos // self._tamanho_da_onda(canal)))  # waves in flight
        em_voo: list[asyncio.Future[None]] = []
        try:
            while (lote := await self._preparar(canal, agora, resumo)) is not None:
                em_voo.append(asyncio.ensure_future(self._enviar(canal, lote, agora, resumo, vagas)))
                if len(em_voo) > 1:
                    await em_voo.pop(0)
                if not lote.cheio:
                    break
            while em_voo:
                await em_voo.pop(0)
        except asyncio.CancelledError:
            for tarefa in em_voo:
                tarefa.cancel()
            raise
        finally:  # a failure (or a cancellation): the batches in flight end first, freeing what they did not send
            if em_voo:
                await asyncio.gather(*em_voo, return_exceptions=True)

    async def _preparar(self, canal: TipoCanal, agora: datetime, resumo: Resumo) -> _Lote | None:
        """Claim one batch and decide it; None when nothing more is due.

        A batch is a few waves' worth (at most a second of the rate): big enough to read its facts in a few queries,
        small enough that a process killed mid-batch leaves few rows waiting `reserva_segundos` to be reconciled.
        """
        tamanho = min(self.regua.limites.taxa(canal), LOTES_DE_ONDAS * self.regua.limites.simultaneos)
        async with sessao(self.engine) as s:
            linhas = await reservar(s, canal.value, agora, tamanho)
        if not linhas:
            return None
        restantes = {saida.id: saida for saida in linhas}
        try:
            liberadas = await self._decidir(linhas, agora, resumo)
        except BaseException:
            self._liberar(restantes, agora)
            raise
        return _Lote(liberadas, restantes, cheio=len(linhas) == tamanho)

    async def _enviar(self, canal: TipoCanal, lote: _Lote, agora: datetime, resumo: Resumo,
                      vagas: asyncio.Semaphore) -> None:  # fmt: skip
        try:
            await self._ondas(canal, lote.liberadas, agora, resumo, lote.restantes, vagas)
        except BaseException:
            self._liberar(lote.restantes, agora)
            raise

    def _liberar(self, restantes: dict[int | None, Saida], agora: datetime) -> None:
        """Claimed rows never handed to the provider go back to the queue (and their keys, if written)."""
        if restantes:
            self._pendentes.append(Liquidacao.liberar(list(restantes.values()), agora))

    async def _decidir(self, linhas: Sequence[Saida], agora: datetime, resumo: Resumo) -> list[tuple[Saida, bool]]:
        """The contact policy for each row, on the batch's facts; rows that may go now, with 'use the template'."""
        async with sessao(self.engine) as s:
            fatos = await carregar(s, self.regua, linhas, agora)
        liquidacao, liberadas = Liquidacao(), []
        espera = timedelta(seconds=self.regua.limites.segundos_por_usuario)
        for saida in linhas:
            decisao = self._decisao(fatos, saida, agora, espera)
            if isinstance(decisao, Descartado):
                liquidacao.marcar(saida, situacao=SituacaoSaida.DESCARTADA.value, motivo=decisao.motivo)
                resumo.descartadas += 1
            elif isinstance(decisao, Adiado):
                liquidacao.marcar(saida, situacao=_PENDENTE, proxima_tentativa=decisao.quando,
                                  motivo=decisao.motivo, tentativas=saida.tentativas - 1)  # fmt: skip
                resumo.adiadas += 1
            else:
                fatos.contatos[saida.devedor_id].append(agora)  # a second row of this debtor sees this one
                self._ultimo_por_destino[saida.destino] = agora
                janela = fatos.janelas.get(saida.devedor_id)
                fora_da_janela = janela is None or agora - janela >= JANELA_WHATSAPP
                liberadas.append((saida, saida.usar_modelo or fora_da_janela))
        await aplicar(self.engine, liquidacao)
        return liberadas

    def _decisao(self, fatos: FatosDoLote, saida: Saida, agora: datetime, espera: timedelta) -> Decisao:
        politica = self.regua.politica
        uf = fatos.devedores[saida.devedor_id].uf if saida.devedor_id in fatos.devedores else politica.uf_padrao
        decisao = decidir(politica, uf, agora, fatos.contatos[saida.devedor_id],
                          fatos.impedimento(saida), saida.prazo)  # fmt: skip
        ultimo = self._ultimo_por_destino.get(saida.destino)
        if isinstance(decisao, Liberado) and ultimo is not None and agora - ultimo < espera:
            return Adiado(ultimo + espera, "limite por destinatário do provedor")
        return decisao

    def _tamanho_da_onda(self, canal: TipoCanal) -> int:
        taxa, simultaneos = self.regua.limites.taxa(canal), self.regua.limites.simultaneos
        return max(1, min(ceil(simultaneos / ONDAS_SIMULTANEAS), ceil(taxa / ONDAS_POR_SEGUNDO)))

    async def _ondas(self, canal: TipoCanal, liberadas: list[tuple[Saida, bool]], agora: datetime, resumo: Resumo,
                     restantes: dict[int | None, Saida], vagas: asyncio.Semaphore) -> None:  # fmt: skip
        """Send in small waves, several at once (at most `limites.simultaneos` sends in flight: `vagas` waves)."""
        tamanho = self._tamanho_da_onda(canal)

        async def onda(grupo: list[tuple[Saida, bool]]) -> None:
            async with vagas:
                await self._onda(canal, grupo, agora, resumo, restantes)

        grupos = [liberadas[i : i + tamanho] for i in range(0, len(liberadas), tamanho)]
        erros = [r for r in await asyncio.gather(*(onda(g) for g in grupos), return_exceptions=True) if r is not None]
        if erros:
            raise erros[0]

    async def _onda(self, canal: TipoCanal, grupo: list[tuple[Saida, bool]], agora: datetime, resumo: Resumo,
                    restantes: dict[int | None, Saida]) -> None:  # fmt: skip
        envios = [self._envio(saida, com_modelo) for saida, com_modelo in grupo]
        for saida, _ in grupo:  # from here on they may reach the provider: only the ledger can free them
            restantes.pop(saida.id, None)
        try:
            resultados, livro = await enviar_onda(self.remetentes[canal], envios, self._cota(canal), agora)
        except ERROS_DE_BANCO:  # the keys could not be written: nothing was handed over
            restantes.update({saida.id: saida for saida, _ in grupo})
            raise
        liquidacao, de_novo = Liquidacao(livro=livro), []
        for (saida, com_modelo), resultado in zip(grupo, resultados, strict=True):
            if isinstance(resultado.erro, JanelaFechada) and not com_modelo:
                de_novo.append((saida, True))  # the 24 h window closed: the approved template instead
                continue
            self._liquidar(liquidacao, saida, com_modelo, resultado, agora, resumo)
        try:
            await aplicar(self.engine, liquidacao)
        except BaseException:
            self._pendentes.append(liquidacao)
            raise
        for saida in liquidacao.falhas:
            await proximo_canal(self.engine, self.regua, saida, agora)
        await liquidacao.janelas_tardias(self.engine, agora)
        if de_novo:
            await self._onda(canal, de_novo, agora, resumo, restantes)

    def _liquidar(self, liquidacao: Liquidacao, saida: Saida, com_modelo: bool, resultado: Resultado,
                  agora: datetime, resumo: Resumo) -> None:  # fmt: skip
        erro, limites = resultado.erro, self.regua.limites
        if resultado.incerto is not None:
            liquidacao.marcar(saida, situacao=SituacaoSaida.INCERTA.value,
                              motivo=f"{resultado.incerto}: confira antes de reenviar")  # fmt: skip
        elif erro is None:
            assert resultado.id_provedor is not None
            liquidacao.enviada(saida, resultado.id_provedor, agora, com_modelo)
            resumo.enviadas += 1
        elif isinstance(erro, TentarDepois) and saida.tentativas < limites.tentativas_max:
            espera = timedelta(seconds=limites.espera_inicial_segundos * 2 ** (saida.tentativas - 1))
            liquidacao.marcar(saida, situacao=_PENDENTE, proxima_tentativa=agora + espera,
                              motivo=f"erro transitório: {_descrever(erro)}")  # fmt: skip
            resumo.adiadas += 1
        else:
            motivo = _descrever(erro)
            if isinstance(erro, JanelaFechada):
                motivo = "janela fechada mesmo com modelo aprovado"
            elif isinstance(erro, TentarDepois):
                motivo = f"{motivo}; {saida.tentativas} tentativas"
            liquidacao.falhou(saida, motivo)
            resumo.falhas += 1

    def _envio(self, saida: Saida, com_modelo: bool) -> Envio:
        canal = TipoCanal(saida.canal)
        if canal == TipoCanal.EMAIL and self.carta is not None:
            return self.carta.lembrete(saida.destino, saida.texto, saida.modelo, saida.chave)
        if canal == TipoCanal.WHATSAPP and not com_modelo:
            return Envio(canal, saida.destino, saida.texto, chave=saida.chave)
        return Envio(canal, saida.destino, saida.texto, modelo=saida.modelo, parametros=tuple(saida.parametros),
                     chave=saida.chave)  # fmt: skip


def _descrever(erro: Any) -> str:
    return f"{erro} ({erro.codigo})" if erro.codigo else str(erro)
