"""Delivering outbound events: fan each new event out to its destinations, then POST the due deliveries.

Every step is keyed in the database: a delivery is unique per (event, destination), claimed by moving its
`tentar_em` forward before the POST (a crash retries it later, a second server does not take it meanwhile),
and settled after. A receiver may get an event twice (a crash after its 2xx): the `id` field lets it ignore it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.config.erros import ConfigInvalida, ErroConfig
from bot.config.integracoes import Destino, IntegracoesConfig
from bot.dados.banco import sessao
from bot.dados.integracao import EntregaEvento, EventoSaida, SituacaoEntrega
from bot.dados.modelos import Devedor
from bot.integracoes.assinatura import (
    CABECALHO_ASSINATURA,
    CABECALHO_EVENTO,
    CABECALHO_ID,
    CABECALHO_INSTANTE,
    assinar,
    espera,
)
from bot.tarefas import a_cada, no_servidor

log = logging.getLogger(__name__)

LOTE = 50
PRAZO_DA_TENTATIVA = timedelta(minutes=5)  # a claimed delivery not settled by then (a crash) is due again


@dataclass(frozen=True)
class Resultado:
    status: int | None
    erro: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def corpo_do_evento(evento: EventoSaida, cpf: str | None) -> bytes:
    """The JSON POSTed: `id` is stable across retries (receivers deduplicate by it)."""
    conteudo = {
        "id": f"{evento.evento}:{evento.chave}",
        "evento": evento.evento,
        "ocorrido_em": evento.criado_em.isoformat(),
        "devedor": {"id": evento.devedor_id, "cpf": cpf},
        "dados": evento.dados,
    }
    return json.dumps(conteudo, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class Postagem:
    """The outbox worker of `serve`; `segredos` maps each destination's name to its HMAC secret."""

    engine: AsyncEngine
    config: IntegracoesConfig
    segredos: Mapping[str, str]
    relogio: Callable[[], datetime]
    sorteio: random.Random = field(default_factory=random.Random)

    async def rodada(self) -> int:
        """Fan out, then deliver what is due; returns how many POSTs were made."""
        await self.distribuir()
        feitas = 0
        limite = aiohttp.ClientTimeout(total=self.config.tempo_limite_segundos)
        async with aiohttp.ClientSession(timeout=limite) as http:
            for entrega_id in await self._devidas():
                feitas += await self._entregar(http, entrega_id)
        return feitas

    async def distribuir(self) -> None:
        """One delivery per subscribed destination for each event not yet fanned out (destinations of today's
        config: an event no destination wants is marked done with no delivery)."""
        async with sessao(self.engine) as s:
            novos = (
                await s.exec(
                    select(EventoSaida)
                    .where(col(EventoSaida.distribuido).is_(False))
                    .order_by(col(EventoSaida.id))
                    .limit(LOTE * 4)
                )
            ).all()
            if not novos:
                return
            agora = self.relogio()
            for evento in novos:
                for destino in self.config.destinos:
                    if evento.evento in destino.eventos:
                        s.add(EntregaEvento(evento_saida_id=evento.id or 0, destino=destino.nome, tentar_em=agora,
                                            criado_em=agora))  # fmt: skip
                evento.distribuido = True
                s.add(evento)
            try:
                await s.commit()
            except IntegrityError:  # another server fanned the same events out first
                await s.rollback()

    async def _devidas(self) -> list[int]:
        nomes = [d.nome for d in self.config.destinos]
        consulta = (
            select(EntregaEvento.id)
            .where(
                EntregaEvento.situacao == SituacaoEntrega.PENDENTE.value,
                col(EntregaEvento.tentar_em) <= self.relogio(),
                col(EntregaEvento.destino).in_(nomes),
            )
            .order_by(col(EntregaEvento.tentar_em))
            .limit(LOTE)
        )
        async with sessao(self.engine) as s:
            return [i for i in (await s.exec(consulta)).all() if i is not None]

    async def _tomar(self, entrega_id: int) -> tuple[EntregaEvento, EventoSaida, str | None] | None:
        """Claim one due delivery (None: another server took it, or it is no longer due)."""
        agora = self.relogio()
        async with sessao(self.engine) as s:
            entrega = await s.get(EntregaEvento, entrega_id)
            if entrega is None or entrega.tentar_em is None or entrega.situacao != SituacaoEntrega.PENDENTE.value:
                return None
            tomada = await s.exec(
                update(EntregaEvento)
                .where(col(EntregaEvento.id) == entrega_id, col(EntregaEvento.tentar_em) == entrega.tentar_em)
                .values(tentar_em=agora + PRAZO_DA_TENTATIVA, tentativas=EntregaEvento.tentativas + 1)
            )
            if tomada.rowcount != 1:
                return None
            await s.commit()
            await s.refresh(entrega)
            evento = await s.get(EventoSaida, entrega.evento_saida_id)
            assert evento is not None
            devedor = await s.get(Devedor, evento.devedor_id) if evento.devedor_id else None
            return entrega, evento, devedor.cpf if devedor else None

    async def _entregar(self, http: aiohttp.ClientSession, entrega_id: int) -> int:
        tomada = await self._tomar(entrega_id)
        if tomada is None:
            return 0
        entrega, evento, cpf = tomada
        destino = next(d for d in self.config.destinos if d.nome == entrega.destino)
        resultado = await self._postar(http, destino, evento, cpf)
        await self._assentar(entrega, resultado)
        return 1

    async def _postar(
        self, http: aiohttp.ClientSession, destino: Destino, evento: EventoSaida, cpf: str | None
    ) -> Resultado:
        corpo = corpo_do_evento(evento, cpf)
        instante = int(self.relogio().timestamp())
        cabecalhos = {
            "Content-Type": "application/json",
            CABECALHO_EVENTO: evento.evento,
            CABECALHO_ID: f"{evento.evento}:{evento.chave}",
            CABECALHO_INSTANTE: str(instante),
            CABECALHO_ASSINATURA: assinar(self.segredos[destino.nome], instante, corpo),
        }
        try:
            async with http.post(destino.url, data=corpo, headers=cabecalhos, allow_redirects=False) as resposta:
                texto = (await resposta.text(errors="replace"))[:200]
                erro = None if 200 <= resposta.status < 300 else f"HTTP {resposta.status}: {texto}".strip()
                return Resultado(resposta.status, erro)
        except TimeoutError:
            return Resultado(None, f"sem resposta em {self.config.tempo_limite_segundos:g} s")
        except aiohttp.ClientError as falha:
            return Resultado(None, f"falha de conexão: {type(falha).__name__}: {falha}"[:300])

    async def _assentar(self, entrega: EntregaEvento, resultado: Resultado) -> None:
        agora = self.relogio()
        valores: dict[str, object] = {"ultimo_status": resultado.status, "ultimo_erro": resultado.erro}
        if resultado.ok:
            valores |= {"situacao": SituacaoEntrega.ENTREGUE.value, "entregue_em": agora, "tentar_em": None}
        elif entrega.tentativas >= self.config.tentativas:
            valores |= {"situacao": SituacaoEntrega.DESISTIDA.value, "tentar_em": None}
            log.warning("evento %s não entregue a %s depois de %d tentativas", entrega.evento_saida_id,
                        entrega.destino, entrega.tentativas)  # fmt: skip
        else:
            pausa = espera(entrega.tentativas, self.config.espera_inicial_segundos,
                           self.config.espera_maxima_segundos, self.sorteio)  # fmt: skip
            valores["tentar_em"] = agora + pausa
        async with sessao(self.engine) as s:
            await s.exec(update(EntregaEvento).where(col(EntregaEvento.id) == entrega.id).values(**valores))
            await s.commit()

    async def vigiar(self, parar: asyncio.Event, intervalo: float = 5.0) -> None:
        """The server's loop: a round every `intervalo` seconds until `parar`."""
        await a_cada(intervalo, parar, self.rodada, "falha ao entregar os eventos de integração")


POSTAGEM = web.AppKey("postagem", Postagem)
_TAREFA: web.AppKey[asyncio.Task[None]] = web.AppKey("postagem_tarefa")


def instalar(app: web.Application, postagem: Postagem) -> None:
    """Run the delivery loop while the server runs."""
    app[POSTAGEM] = postagem
    no_servidor(app, _TAREFA, postagem)


def segredos_do_ambiente(config: IntegracoesConfig, arquivo: str, ambiente: Mapping[str, str]) -> dict[str, str]:
    """Each destination's secret from the environment variable its config names; every missing one at once."""
    faltando = [
        ErroConfig(
            arquivo,
            f"integracoes.destinos[{i}].segredo_env",
            f"a variável de ambiente {d.segredo_env} não está definida (ou está vazia); esperado nela o "
            f"segredo da assinatura dos eventos enviados a {d.nome!r}",
            valor=d.segredo_env,
        )
        for i, d in enumerate(config.destinos)
        if not ambiente.get(d.segredo_env, "").strip()
    ]
    if faltando:
        raise ConfigInvalida(faltando)
    return {d.nome: ambiente[d.segredo_env].strip() for d in config.destinos}
