"""One wave of sends: a few outbox rows handed to the provider at once, within the channel's rate.

With a ledger (`RemetenteRegistrado`) the wave's keys are written in one commit before any call, and the answers
come back as a `Livro` for the caller to record in the same commit that settles the rows. A plain `Remetente`
(tests' fakes, a provider that can be asked by key) is just called.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.dados.registro import RemetenteRegistrado, iniciar
from bot.disparo.cota import Cota
from bot.porta import Envio, EnvioIncerto, ErroCanal, Remetente, SemConfirmacao

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Resultado:
    """What the provider said about one send: an id, a refusal, or nothing we can trust (it may have gone out)."""

    id_provedor: str | None = None
    erro: ErroCanal | None = None
    incerto: str | None = None


@dataclass
class Livro:
    """The ledger's side of a wave, written with the rows' settlement: ids to record, keys to drop."""

    confirmados: dict[str, str] = field(default_factory=dict)
    esquecidos: list[str] = field(default_factory=list)


async def _um(remetente: Remetente, envio: Envio) -> Resultado:
    try:
        return Resultado(id_provedor=await remetente.enviar(envio))
    except (SemConfirmacao, EnvioIncerto) as erro:  # it may have gone out: never sent again blindly
        return Resultado(incerto=str(erro))
    except ErroCanal as erro:
        return Resultado(erro=erro)
    except Exception as erro:  # unforeseen, maybe after the request left: treated as a send without an answer
        log.exception("envio %s: erro inesperado do canal", envio.chave)
        return Resultado(incerto=f"erro inesperado do canal ({type(erro).__name__})")


async def enviar_onda(
    remetente: Remetente, envios: Sequence[Envio], cota: Cota, quando: datetime
) -> tuple[list[Resultado], Livro]:
    """Send a wave concurrently, once the shared rate allows all of it; one `Resultado` per envio, in order."""
    livro = Livro()
    if not isinstance(remetente, RemetenteRegistrado):
        await cota.tomar(len(envios))
        return list(await asyncio.gather(*(_um(remetente, e) for e in envios))), livro
    chaves = [e.chave for e in envios if e.chave is not None]
    anteriores = await iniciar(remetente.engine, envios[0].canal.value, chaves, quando)
    novos = [e for e in envios if e.chave not in anteriores]
    if novos:
        await cota.tomar(len(novos))
    respostas = dict(zip((id(e) for e in novos), await asyncio.gather(*(_um(remetente.remetente, e) for e in novos)),
                         strict=True))  # fmt: skip
    resultados = []
    for envio in envios:
        if envio.chave in anteriores:
            anterior = anteriores[envio.chave]
            texto = f"{envio.chave}: já entregue ao provedor antes, sem resposta registrada"
            resultados.append(Resultado(id_provedor=anterior) if anterior else Resultado(incerto=texto))
            continue
        resultado = respostas[id(envio)]
        if envio.chave is not None and resultado.id_provedor is not None:
            livro.confirmados[envio.chave] = resultado.id_provedor
        elif envio.chave is not None and resultado.erro is not None:  # refused: nothing went out under this key
            livro.esquecidos.append(envio.chave)
        resultados.append(resultado)
    return resultados, livro
