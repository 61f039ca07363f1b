"""Sends the bot's stored replies (the reply outbox, `bot/dados/respostas.py`) under their keys.

Each reply goes under the key `resposta:<id>` through the same key ledger as the régua (`envio_chave`): the key
is written before the provider is called and its provider id in the same commit that marks the reply sent, so
a reply is handed to the provider once, whoever sends it — the worker right after the decision, the same update
replayed after a crash (`Atendimento` returns the replies still waiting), or the sweep (`varrer`).

- 429 and 5xx (`TentarDepois`): the key is released and the reply waits `ESPERAS` before the sweep tries again;
  after the last, `falhou: desistiu`.
- A refusal (`ErroCanal`): `falhou: <tipo>`, kept for the agents.
- A call that got no answer (timeout, `SemConfirmacao`), or a key taken earlier with no id recorded (an instance
  died during the call): `incerta`, never re-sent blindly — an agent sees it in the conversation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.atendimento.servico import resposta_da_mensagem
from bot.canais.documento_pagamento import anexo_do_documento
from bot.canais.entregas import resposta_enviada
from bot.config.arquivo import Config
from bot.conversa.fatos import Resposta
from bot.dados.banco import banco_fora, sessao
from bot.dados.cru import Agrupados, Transacao
from bot.dados.envios import EnvioChave
from bot.dados.modelos import Conversa, Devedor, Direcao, Mensagem
from bot.dados.registro import confirmar_na, esquecer, iniciar_na
from bot.dados.respostas import PENDENTE, PRAZO_RESPOSTA, chave_da_resposta
from bot.porta import Botao, Envio, ErroCanal, Remetente, SemConfirmacao, TentarDepois, TipoCanal

log = logging.getLogger(__name__)

# The debtor is waiting for a reply: short waits first, then longer ones while the provider stays unavailable.
ESPERAS = (
    timedelta(seconds=2),
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
)
LOTE = 200  # replies the sweep takes per round
ESPERAS_DO_BANCO = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds: recording a send while the database restarts

_MENSAGEM: Any = Mensagem.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SaidaRespostas:
    engine: AsyncEngine
    config: Config
    remetentes: Mapping[TipoCanal, Remetente]
    relogio: Callable[[], datetime]
    agrupados: Agrupados  # the inbound workers' group commit (on SQLite keys and ids share transactions)

    async def enviar(self, canal: TipoCanal, destino: str, resposta: Resposta) -> str | None:
        """Send one stored reply (once per key) and record the outcome on its row; the provider id, or None."""
        remetente = self.remetentes.get(canal)
        if remetente is None:
            return None
        botoes = tuple(Botao(o.intencao, o.titulo) for o in resposta.opcoes)
        pdf = await anexo_do_documento(self.engine, self.config, self.relogio, canal, resposta.documento)
        if resposta.mensagem_id is None:  # not stored (a channel notice): a plain send
            return await remetente.enviar(Envio(canal, destino, resposta.texto, botoes, documento=pdf))
        mensagem_id, chave = resposta.mensagem_id, chave_da_resposta(resposta.mensagem_id)
        anteriores = await self._iniciar(canal.value, chave)
        if chave in anteriores:  # handed over before this call: sent (id known) or unknown
            return await self._anterior(canal, mensagem_id, anteriores[chave])
        envio = Envio(canal, destino, resposta.texto, botoes, chave=chave, documento=pdf)
        try:
            id_provedor = await remetente.enviar(envio)
        except SemConfirmacao as erro:  # it may have gone out: the key stays taken, a person decides
            log.warning("resposta %s sem confirmação de %s: %s", mensagem_id, canal.value, erro)
            await self._fechar(mensagem_id, "incerta")
            return None
        except TentarDepois as erro:
            await esquecer(self.engine, chave)
            await self._adiar(mensagem_id, erro)
            return None
        except ErroCanal as erro:
            await esquecer(self.engine, chave)
            log.warning("%s recusou a resposta %s (%s): %s", canal.value, mensagem_id, type(erro).__name__, erro)
            await self._fechar(mensagem_id, f"falhou: {type(erro).__name__}")
            return None
        await self._gravar_envio(canal, mensagem_id, chave, id_provedor)
        return id_provedor

    async def _gravar_envio(self, canal: TipoCanal, mensagem_id: int, chave: str, id_provedor: str) -> None:
        """The provider took it: its id goes to the ledger and the reply in one commit. A database that is away
        for a moment (a restart) is waited for, since only this call knows the id; after that the key stays
        without one and a later attempt marks the reply `incerta`."""

        async def gravar(t: Transacao) -> None:
            await confirmar_na(t, {chave: id_provedor}, self.relogio())
            await resposta_enviada(t, mensagem_id, canal.value, id_provedor)

        for espera in (*ESPERAS_DO_BANCO, None):
            try:
                await self.agrupados.rodar(gravar)
                return
            except Exception as erro:
                if espera is None or not banco_fora(erro):
                    raise
                log.warning("banco indisponível ao gravar a resposta %s enviada; de novo em %s s", mensagem_id, espera)
                await asyncio.sleep(espera)

    async def _iniciar(self, canal: str, chave: str) -> dict[str, str | None]:
        """The reply's key in the ledger, committed before the provider is called."""
        agora = self.relogio()
        return await self.agrupados.rodar(lambda t: iniciar_na(t, canal, [chave], agora))

    async def entregar(self, canal: TipoCanal, destino: str, respostas: Sequence[Resposta]) -> None:
        for resposta in respostas:
            await self.enviar(canal, destino, resposta)

    async def varrer(self) -> int:
        """Send the replies whose time came (a refusal waited out, a worker that died): returns how many tried."""
        agora = self.relogio()
        canais = [c.value for c in self.remetentes]
        consulta = (
            select(Mensagem, Devedor)
            .join(Conversa, col(Conversa.id) == col(Mensagem.conversa_id))
            .join(Devedor, col(Devedor.id) == col(Conversa.devedor_id))
            .where(
                Mensagem.direcao == Direcao.SAIDA.value,
                Mensagem.status == PENDENTE,
                col(Mensagem.tentar_em) <= agora,
                col(Mensagem.canal).in_(canais),
            )
            .order_by(col(Mensagem.id))
            .limit(LOTE)
        )
        async with sessao(self.engine) as s:
            linhas = list((await s.exec(consulta)).all())
        tentadas = 0
        for mensagem, devedor in linhas:
            assert mensagem.id is not None and mensagem.tentar_em is not None
            destino = devedor.endereco_de_chat(mensagem.canal)
            if destino is None:
                await self._fechar(mensagem.id, "falhou: sem endereço no canal")
                continue
            if not await self._reservar(mensagem.id, mensagem.tentar_em, agora):
                continue  # another instance took it
            tentadas += 1
            await self.enviar(TipoCanal(mensagem.canal), destino, resposta_da_mensagem(mensagem))
        return tentadas

    async def _reservar(self, mensagem_id: int, tentar_em: datetime, agora: datetime) -> bool:
        """Claim a due reply: only the sweep whose UPDATE changed the row sends it."""
        comando = (
            update(_MENSAGEM)
            .where(_MENSAGEM.c.id == mensagem_id, _MENSAGEM.c.tentar_em == tentar_em, _MENSAGEM.c.status == PENDENTE)
            .values(tentar_em=agora + PRAZO_RESPOSTA)
        )
        async with self.engine.begin() as c:
            return bool((await c.execute(comando)).rowcount == 1)

    async def _anterior(self, canal: TipoCanal, mensagem_id: int, id_provedor: str | None) -> str | None:
        if id_provedor is None:
            await self._sem_resposta(mensagem_id, chave_da_resposta(mensagem_id))
            return None
        await self.agrupados.rodar(lambda t: resposta_enviada(t, mensagem_id, canal.value, id_provedor))
        return id_provedor

    async def _sem_resposta(self, mensagem_id: int, chave: str) -> None:
        """The key was handed to the provider with no id recorded. Recently: another worker may be in the call
        (a replayed update), so look again once any call must have ended. Long ago: that worker died during the
        call and it may or may not have gone out — `incerta`, for a person."""
        async with sessao(self.engine) as s:
            linha = await s.get(EnvioChave, chave)
        if linha is not None and self.relogio() - linha.iniciado_em < PRAZO_RESPOSTA:
            comando = (
                update(_MENSAGEM)
                .where(_MENSAGEM.c.id == mensagem_id, _MENSAGEM.c.status == PENDENTE)
                .values(tentar_em=linha.iniciado_em + PRAZO_RESPOSTA)
            )
            async with self.engine.begin() as c:
                await c.execute(comando)
            return
        log.warning("resposta %s entregue ao provedor sem resposta registrada: incerta", mensagem_id)
        await self._fechar(mensagem_id, "incerta")

    async def _adiar(self, mensagem_id: int, erro: ErroCanal) -> None:
        async with sessao(self.engine) as s:
            mensagem = await s.get(Mensagem, mensagem_id)
            assert mensagem is not None
            if mensagem.tentativas >= len(ESPERAS):
                mensagem.status, mensagem.tentar_em = "falhou: desistiu", None
                log.warning("resposta %s: desisti depois de %s tentativas (%s)", mensagem_id, mensagem.tentativas, erro)
            else:
                mensagem.tentar_em = self.relogio() + ESPERAS[mensagem.tentativas]
                mensagem.tentativas += 1
            s.add(mensagem)
            await s.commit()

    async def _fechar(self, mensagem_id: int, status: str) -> None:
        """Settle a reply that did not go (or may not have): only while it is still pending, so a worker that
        sent it meanwhile keeps its `enviada`."""
        comando = (
            update(_MENSAGEM)
            .where(_MENSAGEM.c.id == mensagem_id, _MENSAGEM.c.status == PENDENTE)
            .values(status=status, tentar_em=None)
        )
        async with self.engine.begin() as c:
            await c.execute(comando)
