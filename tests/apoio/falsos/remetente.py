"""Recording fakes of the sending port (`Remetente`): told to fail, to refuse an address, or to 'die' before or after
the provider accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.porta import Envio, ErroCanal, Indeliveravel


class Queda(BaseException):
    """The dispatcher's process dies here: nothing after this line of the dispatcher runs."""


@dataclass
class RemetenteFalso:
    enviados: list[Envio] = field(default_factory=list)
    falhas: list[ErroCanal] = field(default_factory=list)  # raised one per call, before accepting
    morrer_antes: bool = False
    morrer_depois: bool = False
    relogio: Callable[[], float] | None = None  # when given, `instantes` records the clock at every send
    instantes: list[float] = field(default_factory=list)
    recusar: str | None = None  # the address that answers undeliverable (not on WhatsApp), every time
    _por_chave: dict[str, str] = field(default_factory=dict)

    async def enviar(self, envio: Envio) -> str:
        if envio.destino == self.recusar:
            raise Indeliveravel("bloqueado", "131026")
        if self.relogio is not None:
            self.instantes.append(self.relogio())
        if self.morrer_antes:
            self.morrer_antes = False
            raise Queda
        if self.falhas:
            raise self.falhas.pop(0)
        self.enviados.append(envio)
        id_provedor = f"wamid.{len(self.enviados)}"
        if envio.chave:
            self._por_chave[envio.chave] = id_provedor
        if self.morrer_depois:
            self.morrer_depois = False
            raise Queda
        return id_provedor

    async def localizar(self, chave: str) -> str | None:
        return self._por_chave.get(chave)


@dataclass
class RemetenteSemConsulta:
    """A provider that cannot be asked whether a key went out."""

    enviados: list[Envio] = field(default_factory=list)

    async def enviar(self, envio: Envio) -> str:
        self.enviados.append(envio)
        return f"id.{len(self.enviados)}"
