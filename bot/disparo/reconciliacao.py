"""After a crash: rows claimed long ago and never settled are looked up by key; and a failed row's next channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.regua import Modelo, Regua
from bot.dados.banco import sessao
from bot.dados.fila import inserir, interrompidas, marcar
from bot.dados.modelos import Devedor
from bot.dados.saida import Saida, SituacaoSaida
from bot.porta import EnvioIncerto, Remetente, TipoCanal
from bot.regua.agenda import DevedorRegua

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


async def reconciliar(
    engine: AsyncEngine,
    regua: Regua,
    remetentes: Mapping[TipoCanal, Remetente],
    agora: datetime,
    reserva: timedelta,
    resumo: Resumo,
) -> None:
    """Rows claimed more than `reserva` ago belong to a dispatcher that died: sent, to send again, or uncertain."""
    async with sessao(engine) as s:
        presas = await interrompidas(s, agora - reserva)
    for saida in presas:
        assert saida.id is not None
        remetente = remetentes.get(TipoCanal(saida.canal))
        async with sessao(engine) as s:
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


async def proximo_canal(engine: AsyncEngine, regua: Regua, saida: Saida, agora: datetime) -> None:
    """Fall back to the step's next channel the debtor can be reached on."""
    passo = next((p for p in regua.passos if p.nome == saida.passo), None)
    async with sessao(engine) as s:
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
            da_variante = saida.dados.get("modelos_variante", {}).get(nome)
            modelo = passo.modelos[canal] if da_variante is None else Modelo.model_validate(da_variante)
            variaveis = saida.dados.get("variaveis", {})
            await inserir(s, [{
                "alvo": saida.alvo, "passo": saida.passo, "devedor_id": saida.devedor_id, "prazo": saida.prazo,
                "dados": saida.dados, "variante": saida.variante, "canal": nome, "destino": destino,
                "texto": modelo.texto.format_map(variaveis),
                "modelo": modelo.modelo, "parametros": [variaveis[p] for p in modelo.parametros],
                "canais_restantes": saida.canais_restantes[indice + 1 :], "proxima_tentativa": agora,
                "situacao": SituacaoSaida.PENDENTE.value, "tentativas": 0, "usar_modelo": False,
            }])  # fmt: skip
            return
