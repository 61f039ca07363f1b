"""Inbound processing shared by the channels: claim a stored update, let its channel say what came in, answer it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.atendimento.servico import Atendimento
from bot.canais import caixa
from bot.canais.envio_respostas import SaidaRespostas
from bot.canais.midia import Anexos
from bot.canais.nao_texto import responder_arquivo
from bot.canais.recebido import Arquivo, ArquivoRecebido, AvisoDoCanal, Contexto, Fala, Processador, Recebido
from bot.canais.trabalhadores import Chave, Trabalhadores
from bot.conversa.fatos import Entrada, Resposta
from bot.dados.banco import banco_fora, sessao
from bot.dados.cru import Agrupados
from bot.dados.entrada import Anexo, Atualizacao
from bot.dados.modelos import Conversa, Direcao, Mensagem
from bot.mensagens.avisos_canal import Aviso, aviso
from bot.porta import Cliente, ErroCanal, TipoCanal

log = logging.getLogger(__name__)


@dataclass
class Recepcao:
    """Runs stored updates on a bounded pool of workers, one sender's in stored order; `ocioso()` waits for them."""

    atendimento: Atendimento
    credor: str
    remetentes: dict[TipoCanal, Cliente] = field(default_factory=dict)
    processadores: dict[str, Processador] = field(default_factory=dict)
    anexos: Anexos | None = None  # fetches the files debtors send (bot/canais/midia.py)
    trabalhadores: int = 8
    prazo: caixa.Prazo = field(default_factory=caixa.Prazo)
    _pool: Trabalhadores | None = field(default=None, init=False, repr=False)
    _gravador: caixa.Gravador | None = field(default=None, init=False, repr=False)
    _saida: SaidaRespostas | None = field(default=None, init=False, repr=False)
    _contexto: Contexto | None = field(default=None, init=False, repr=False)

    @property
    def engine(self) -> AsyncEngine:
        return self.atendimento.engine

    @property
    def gravador(self) -> caixa.Gravador:
        if self._gravador is None:
            self._gravador = caixa.Gravador(self.engine)
        return self._gravador

    @property
    def agrupados(self) -> Agrupados:
        """The group commit of the conversation service: claims and finishes share its transactions."""
        return self.atendimento.agrupados

    @property
    def saida(self) -> SaidaRespostas:
        """The reply outbox's sender (built once the channels' senders are known)."""
        if self._saida is None:
            config = self.atendimento.motor.config
            relogio = self.atendimento.relogio
            self._saida = SaidaRespostas(self.engine, config, self.remetentes, relogio, self.agrupados)
        return self._saida

    @property
    def contexto(self) -> Contexto:
        """What the channels' processors read with (built once: the senders are known by the first update)."""
        if self._contexto is None:
            motor = self.atendimento.motor
            self._contexto = Contexto(self.engine, self.atendimento.relogio, self.remetentes, motor.fluxo.inicio)
        return self._contexto

    @property
    def pool(self) -> Trabalhadores:
        if self._pool is None:
            self._pool = Trabalhadores(self.trabalhadores, self._rodar)
        return self._pool

    def agora(self) -> datetime:
        return self.atendimento.relogio()

    def agendar(self, guardadas: Sequence[caixa.Guardada]) -> None:
        """Queue stored updates: a sender's go to its worker (which takes all its rows), the others by id."""
        for atualizacao_id, remetente in guardadas:
            self.pool.enfileirar(remetente if remetente is not None else atualizacao_id)

    async def varrer(self) -> int:
        """Queue what any instance left behind (pending, or claimed past the lease); returns how many rows."""
        guardadas = await caixa.a_retomar(self.engine, self.agora(), self.prazo)
        self.agendar(guardadas)
        return len(guardadas)

    async def ocioso(self) -> None:
        await self.pool.ocioso()

    async def parar(self) -> None:
        await self.pool.parar()

    async def _rodar(self, chave: Chave) -> None:
        if isinstance(chave, int):
            atualizacao = await caixa.reivindicar(self.agrupados, chave, self.agora(), self.prazo)
            if atualizacao is not None:
                await caixa.concluir(self.agrupados, chave, self.agora(), await self.processar(atualizacao))
            return
        feita: tuple[int, str | None] | None = None
        while (atualizacao := await caixa.proxima(self.agrupados, chave, self.agora(), self.prazo, feita)) is not None:
            assert atualizacao.id is not None
            feita = (atualizacao.id, await self.processar(atualizacao))

    async def processar(self, atualizacao: Atualizacao) -> str | None:
        """Run a claimed update; a failure is logged and returned, to be kept on the stored row (`falhou`).

        A database outage or lock is no fault of the update: it is raised, the row stays claimed and the lease
        hands it to the next claim (the stored inbound message makes the retry answer nothing twice).
        """
        try:
            await self.atender(await self.processadores[atualizacao.canal](self.contexto, atualizacao))
        except Exception as erro:
            if banco_fora(erro):  # not a bad update: worth another claim after the lease
                log.warning("banco indisponível ao processar %s %s: retomada após o prazo",
                            atualizacao.canal, atualizacao.id_externo)  # fmt: skip
                raise
            log.exception("falha ao processar %s %s", atualizacao.canal, atualizacao.id_externo)
            return f"{type(erro).__name__}: {erro}"
        return None

    async def atender(self, recebido: Recebido) -> None:
        """Carry out what a processor said came in: the one place inbound messages are answered."""
        match recebido:
            case Fala(canal, destino, devedor_id, entrada, id_externo):
                await self.responder(canal, destino, devedor_id, entrada, id_externo)
            case AvisoDoCanal(canal, destino, nome):
                await self.avisar(canal, destino, nome)
            case Arquivo(canal, destino, devedor_id, id_externo, descricao, arquivo, duracao):
                if await self.guardar_nao_texto(canal, devedor_id, id_externo, descricao, arquivo):
                    await responder_arquivo(self, canal, destino, devedor_id, id_externo, arquivo, duracao)
            case None:
                pass

    async def avisar(self, canal: TipoCanal, destino: str, nome: Aviso) -> str | None:
        """Send one of the channels' own messages (mensagens/), which carry the creditor only."""
        motor = self.atendimento.motor
        return await self.enviar(canal, destino, aviso(motor.textos, nome, motor.config.credor, canal.value))

    async def enviar(self, canal: TipoCanal, destino: str, texto: str) -> str | None:
        """Send a message that is not a stored reply; a refused send is logged, not raised (the debtor wrote)."""
        try:
            return await self.saida.enviar(canal, destino, Resposta(texto))
        except ErroCanal as erro:
            log.warning("%s recusou o envio (%s): %s", canal, type(erro).__name__, erro)
            return None

    async def responder(
        self, canal: TipoCanal, destino: str, devedor_id: int, entrada: Entrada, id_externo: str
    ) -> None:
        """The debtor's message through the conversation service; its replies sent from the outbox by key."""
        respostas = await self.atendimento.receber(devedor_id, canal.value, entrada, id_externo=id_externo)
        await self.saida.entregar(canal, destino, respostas)

    async def guardar_nao_texto(
        self, canal: TipoCanal, devedor_id: int, id_externo: str, descricao: str, arquivo: ArquivoRecebido | None
    ) -> bool:
        """Record a non-text message (and its file, for an agent) in the conversation; False if seen before."""
        agora = self.agora()
        async with sessao(self.engine) as s:
            consulta = select(Conversa).where(Conversa.devedor_id == devedor_id, Conversa.canal == canal.value)
            conversa = (await s.exec(consulta)).first()
            if conversa is None:
                conversa = Conversa(devedor_id=devedor_id, canal=canal.value, estado="", iniciada_em=agora)
                s.add(conversa)
                await s.flush()
            assert conversa.id is not None
            s.add(
                Mensagem(
                    conversa_id=conversa.id,
                    direcao=Direcao.ENTRADA.value,
                    canal=canal.value,
                    texto=descricao,
                    id_externo=id_externo,
                    status="recebida",
                    criada_em=agora,
                )
            )
            try:
                await s.flush()
            except IntegrityError:
                return False  # this message was stored before
            if arquivo is not None:
                anexo = Anexo(
                    conversa_id=conversa.id,
                    canal=canal.value,
                    tipo=arquivo.tipo,
                    id_midia=arquivo.id_midia,
                    mime=arquivo.mime,
                    nome=arquivo.nome,
                    legenda=arquivo.legenda,
                    recebido_em=agora,
                )
                try:
                    async with s.begin_nested():
                        s.add(anexo)
                except IntegrityError:  # the same file again (forwarded, or sent twice): one copy is enough
                    log.info("%s: arquivo %s já recebido antes; só a mensagem é guardada", canal, arquivo.id_midia)
            await s.commit()
        return True
