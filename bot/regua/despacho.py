"""Outbox dispatch, the adapter: claim due rows, ask the contact policy again, send, settle; reconcile crashes.

Every row is claimed (committed as `enviando`) before the provider is called and settled after, with the row's
key as `Envio.chave`. A dispatcher that dies in between leaves a claimed row; the next round asks the provider
whether that key went out (`Localizavel`) and records it, or sends it now if it did not: never twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.canais.email import Carta
from bot.canais.porta import (
    Envio,
    EnvioIncerto,
    ErroCanal,
    Indeliveravel,
    JanelaFechada,
    Remetente,
    SemConfirmacao,
    TentarDepois,
    TipoCanal,
)
from bot.dados.banco import sessao
from bot.dados.modelos import Devedor
from bot.dados.saida import Saida, SituacaoSaida
from bot.regua import fatos
from bot.regua.config import Regua
from bot.regua.fila import inserir, interrompidas, janela_fechada_tardia, marcar, reservar
from bot.regua.plano import DevedorRegua
from bot.regua.politica import Adiado, Descartado, Impedimento, Liberado, decidir

log = logging.getLogger(__name__)
JANELA_WHATSAPP = timedelta(hours=24)
RESERVA = timedelta(minutes=5)  # a claim older than this belongs to a dispatcher that died
_ENVIANDO = SituacaoSaida.ENVIANDO.value


@runtime_checkable
class Localizavel(Protocol):
    """A provider that can tell whether a message with this idempotency key was accepted, and its id."""

    async def localizar(self, chave: str) -> str | None: ...


@dataclass
class Resumo:
    enviadas: int = 0
    adiadas: int = 0
    descartadas: int = 0
    falhas: int = 0
    reconciliadas: int = 0


@dataclass
class Despachante:
    engine: AsyncEngine
    regua: Regua
    remetentes: Mapping[TipoCanal, Remetente]
    desligados: frozenset[TipoCanal] = frozenset()  # used by the steps but off (no credentials)
    carta: Carta | None = None  # e-mail reminders: the frame template and the creditor's identification
    _ultimo_por_destino: dict[str, datetime] = field(default_factory=dict)
    _por_segundo: dict[tuple[TipoCanal, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if TipoCanal.EMAIL in self.remetentes and self.carta is None:
            raise ValueError("lembretes por e-mail precisam de uma Carta (mensagens/lembrete.email.j2 e o credor)")

    async def rodada(self, agora: datetime) -> Resumo:
        """One tick of the clock: reconcile interrupted sends, then send what is due, within the rate limits."""
        resumo = Resumo()
        await self.reconciliar(agora, resumo)
        for canal in self.remetentes:
            segundo = (canal, int(agora.timestamp()))
            livres = self.regua.limites.taxa(canal) - self._por_segundo.get(segundo, 0)
            async with sessao(self.engine) as s:
                linhas = await reservar(s, canal.value, agora, livres)
            self._por_segundo[segundo] = self._por_segundo.get(segundo, 0) + len(linhas)
            for saida in linhas:
                await self._uma(saida, agora, resumo)
        for canal in self.desligados - set(self.remetentes):
            await self._sem_canal(canal, agora, resumo)
        return resumo

    async def _sem_canal(self, canal: TipoCanal, agora: datetime, resumo: Resumo) -> None:
        """A channel that is off never sends: its due rows fail with the reason and pass to the step's next channel."""
        async with sessao(self.engine) as s:
            linhas = await reservar(s, canal.value, agora, self.regua.limites.taxa(canal))
        for saida in linhas:
            await self._falhou(saida, f"canal {canal.value} desligado (sem credenciais em [canais.{canal.value}])",
                               agora, resumo)  # fmt: skip

    async def reconciliar(self, agora: datetime, resumo: Resumo) -> None:
        async with sessao(self.engine) as s:
            presas = await interrompidas(s, agora - RESERVA)
        for saida in presas:
            assert saida.id is not None
            remetente = self.remetentes.get(TipoCanal(saida.canal))
            async with sessao(self.engine) as s:
                if not isinstance(remetente, Localizavel):
                    motivo = "envio interrompido e o provedor não informa se saiu: confira antes de reenviar"
                    await marcar(s, saida.id, _ENVIANDO, situacao=SituacaoSaida.INCERTA.value, motivo=motivo)
                    continue
                try:
                    id_provedor = await remetente.localizar(saida.chave)
                except EnvioIncerto as incerto:
                    motivo = f"envio interrompido e sem resposta do provedor ({incerto}): confira antes de reenviar"
                    await marcar(s, saida.id, _ENVIANDO, situacao=SituacaoSaida.INCERTA.value, motivo=motivo)
                    resumo.reconciliadas += 1
                    continue
                if id_provedor is not None:
                    await marcar(s, saida.id, _ENVIANDO, situacao=SituacaoSaida.ENVIADA.value,
                                 id_provedor=id_provedor, enviada_em=saida.reservada_em, motivo=None)  # fmt: skip
                else:
                    await marcar(s, saida.id, _ENVIANDO, situacao=SituacaoSaida.PENDENTE.value,
                                 proxima_tentativa=agora, motivo="envio interrompido antes do provedor")  # fmt: skip
            resumo.reconciliadas += 1

    async def _uma(self, saida: Saida, agora: datetime, resumo: Resumo) -> None:
        assert saida.id is not None
        async with sessao(self.engine) as s:
            devedor = await s.get(Devedor, saida.devedor_id)
            assert devedor is not None
            aberto = await fatos.em_aberto(s, saida.alvo)
            regua_devedor = (await fatos.devedores(s, self.regua.politica, agora, saida.devedor_id)).get(
                saida.devedor_id
            )
            envios = (
                await fatos.contatos(s, agora - timedelta(days=8), pendentes=False, devedor_id=saida.devedor_id)
            ).get(saida.devedor_id, [])
            janela = await fatos.ultima_entrada_whatsapp(s, saida.devedor_id)
        envios = [e for e in envios if e != saida.reservada_em]  # this row's own claim is not a prior contact
        impedimento = _impedimento(regua_devedor, aberto)
        decisao = decidir(self.regua.politica, devedor.uf, agora, envios, impedimento, saida.prazo)
        ultimo = self._ultimo_por_destino.get(saida.destino)
        espera = timedelta(seconds=self.regua.limites.segundos_por_usuario)
        if isinstance(decisao, Liberado) and ultimo is not None and agora - ultimo < espera:
            decisao = Adiado(ultimo + espera, "limite por destinatário do provedor")
        if isinstance(decisao, Descartado):
            await self._marcar(saida, situacao=SituacaoSaida.DESCARTADA.value, motivo=decisao.motivo)
            resumo.descartadas += 1
        elif isinstance(decisao, Adiado):
            await self._marcar(saida, situacao=SituacaoSaida.PENDENTE.value, proxima_tentativa=decisao.quando,
                               motivo=decisao.motivo, tentativas=saida.tentativas - 1)  # fmt: skip
            resumo.adiadas += 1
        else:
            fora_da_janela = janela is None or agora - janela >= JANELA_WHATSAPP
            await self._enviar(saida, agora, saida.usar_modelo or fora_da_janela, resumo)

    async def _enviar(self, saida: Saida, agora: datetime, com_modelo: bool, resumo: Resumo) -> None:
        canal = TipoCanal(saida.canal)
        try:
            id_provedor = await self.remetentes[canal].enviar(_envio(saida, com_modelo, self.carta))
        except JanelaFechada:
            if not com_modelo:
                await self._enviar(saida, agora, True, resumo)
                return
            await self._falhou(saida, "janela fechada mesmo com modelo aprovado", agora, resumo)
            return
        except TentarDepois as erro:
            await self._tentar_depois(saida, erro, agora, resumo)
            return
        except (EnvioIncerto, SemConfirmacao) as incerto:  # it may have gone out: never sent again blindly
            await self._marcar(
                saida, situacao=SituacaoSaida.INCERTA.value, motivo=f"{incerto}: confira antes de reenviar"
            )
            return
        except (Indeliveravel, ErroCanal) as erro:
            await self._falhou(saida, _descrever(erro), agora, resumo)
            return
        self._ultimo_por_destino[saida.destino] = agora
        await self._marcar(saida, situacao=SituacaoSaida.ENVIADA.value, id_provedor=id_provedor, enviada_em=agora,
                           motivo=None, usar_modelo=com_modelo)  # fmt: skip
        resumo.enviadas += 1
        if canal == TipoCanal.WHATSAPP and not com_modelo:
            async with sessao(self.engine) as s:  # a 131047 status may have come before the row was settled
                if await fatos.falhou_fora_da_janela(s, id_provedor):
                    await janela_fechada_tardia(s, id_provedor, agora)

    async def _tentar_depois(self, saida: Saida, erro: ErroCanal, agora: datetime, resumo: Resumo) -> None:
        if saida.tentativas >= self.regua.limites.tentativas_max:
            await self._falhou(saida, f"{_descrever(erro)}; {saida.tentativas} tentativas", agora, resumo)
            return
        espera = timedelta(seconds=self.regua.limites.espera_inicial_segundos * 2 ** (saida.tentativas - 1))
        await self._marcar(saida, situacao=SituacaoSaida.PENDENTE.value, proxima_tentativa=agora + espera,
                           motivo=f"erro transitório: {_descrever(erro)}")  # fmt: skip
        resumo.adiadas += 1

    async def _falhou(self, saida: Saida, motivo: str, agora: datetime, resumo: Resumo) -> None:
        await self._marcar(saida, situacao=SituacaoSaida.FALHOU.value, motivo=motivo)
        resumo.falhas += 1
        await self._proximo_canal(saida, agora)

    async def _proximo_canal(self, saida: Saida, agora: datetime) -> None:
        """Fall back to the step's next channel the debtor can be reached on."""
        passo = next((p for p in self.regua.passos if p.nome == saida.passo), None)
        async with sessao(self.engine) as s:
            devedor = await s.get(Devedor, saida.devedor_id)
            if passo is None or devedor is None:
                return
            alvo = DevedorRegua(devedor.id or 0, devedor.cpf, devedor.nome, devedor.uf, telefone=devedor.telefone,
                                telegram_id=devedor.telegram_id, email=devedor.email)  # fmt: skip
            for indice, nome in enumerate(saida.canais_restantes):
                canal = TipoCanal(nome)
                destino = alvo.destino(canal)
                if destino is None or canal not in passo.modelos:
                    continue
                modelo = passo.modelos[canal]
                variaveis = saida.dados.get("variaveis", {})
                await inserir(s, [{
                    **{k: getattr(saida, k) for k in ("alvo", "passo", "devedor_id", "prazo", "dados")},
                    "canal": nome, "destino": destino, "texto": modelo.texto.format_map(variaveis),
                    "modelo": modelo.modelo, "parametros": [variaveis[p] for p in modelo.parametros],
                    "canais_restantes": saida.canais_restantes[indice + 1 :], "proxima_tentativa": agora,
                    "situacao": SituacaoSaida.PENDENTE.value, "tentativas": 0, "usar_modelo": False,
                }])  # fmt: skip
                return

    async def _marcar(self, saida: Saida, **valores: object) -> None:
        assert saida.id is not None
        async with sessao(self.engine) as s:
            await marcar(s, saida.id, _ENVIANDO, **valores)


def _impedimento(devedor: DevedorRegua | None, aberto: bool) -> Impedimento:
    if not aberto:
        return Impedimento(obsoleto="não está mais em aberto (paga ou renegociada)")
    return devedor.impedimento() if devedor else Impedimento(obsoleto="devedor removido")


def _envio(saida: Saida, com_modelo: bool, carta: Carta | None) -> Envio:
    canal = TipoCanal(saida.canal)
    if canal == TipoCanal.EMAIL and carta is not None:
        return carta.lembrete(saida.destino, saida.texto, saida.modelo, saida.chave)
    if canal == TipoCanal.WHATSAPP and not com_modelo:
        return Envio(canal, saida.destino, saida.texto, chave=saida.chave)
    return Envio(canal, saida.destino, saida.texto, modelo=saida.modelo, parametros=tuple(saida.parametros),
                 chave=saida.chave)  # fmt: skip


def _descrever(erro: ErroCanal) -> str:
    return f"{erro} ({erro.codigo})" if erro.codigo else str(erro)
