"""One simulated negotiation: a persona talks to the real engine (`Motor.passo`), message by message.

The persona reads only what a debtor sees (the buttons offered, the plan shown) and answers with a button or in
their own words; the engine decides everything else exactly as in production: identity, the offer book, concessions,
the agreement. No rule of the book is copied here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from bot.conversa.fatos import Decisao, Entrada, Fatos, Memoria, NovoAcordo
from bot.conversa.motor import Motor
from bot.negociacao.plano import Plano
from bot.simulacao.persona import Persona, Resposta

MAX_MENSAGENS = 30  # a conversation that goes round in circles ends here, without agreement
_FRASES = {
    "sim": "sim, pode ser",
    "nao": "não consigo pagar isso",
    "confirmar": "confirmo",
    "motivo_esqueci": "esqueci de pagar",
    "motivo_sem_renda": "perdi o emprego",
    "motivo_doenca": "fiquei doente",
    "motivo_outro": "tive uns problemas",
}


@dataclass(frozen=True)
class Perfil:
    """A debtor as the simulation sees them: their persona and the figures drawn for them, in reais."""

    persona: Persona
    responde: bool
    a_vista: Decimal  # the most they pay at once
    parcela: Decimal  # the most they pay each month

    def aceita(self, plano: Plano) -> bool:
        if plano.tipo == "a_vista":
            return plano.total <= self.a_vista
        demais = [p.valor for p in plano.parcelas[1:]]
        return plano.entrada.valor <= self.a_vista and max(demais, default=Decimal(0)) <= self.parcela


@dataclass(frozen=True)
class Desfecho:
    plano: Plano | None  # the agreement, if one was closed
    ofertas: int  # offers the persona saw
    mensagens: int  # messages the persona sent
    motivo: str  # acordo, sem resposta, desistiu, transferido, sem acordo, sem saída


@dataclass
class _Conversa:
    motor: Motor
    fatos: Fatos
    perfil: Perfil
    agora: datetime
    estado: str | None = None
    memoria: Memoria = field(default_factory=Memoria)
    mensagens: int = 0
    ofertas: int = 0
    recusas: int = 0
    visto: Plano | None = None  # the last plan weighed
    aceito: bool = False
    identidade: int = 0  # identity answers given
    ultimas: Decisao | None = None  # the bot's last decision: its buttons are what the persona may press

    def dizer(self, intencao: str | None, texto: str, opcoes: dict[str, str]) -> Decisao:
        self.mensagens += 1
        if intencao is not None and self.perfil.persona.responde is Resposta.BOTOES and intencao in opcoes:
            entrada = Entrada(opcoes[intencao], opcao=intencao)
        else:
            entrada = Entrada(_FRASES.get(intencao or "", texto) if intencao else texto)
        decisao = self.motor.passo(self.estado, self.memoria, entrada, self.fatos, self.agora)
        self.estado, self.memoria = decisao.estado, decisao.memoria
        return decisao

    def proxima(self, opcoes: dict[str, str]) -> tuple[str | None, str] | str:
        """The persona's next answer (intent, words), or why they stop talking."""
        if not self.memoria.identidade_ok:
            return self._identificar(opcoes)
        motivo = f"motivo_{self.perfil.persona.motivo.value}"
        if motivo in opcoes:
            return motivo, _FRASES[motivo]
        if self.memoria.plano is not None and self.memoria.plano != self.visto:
            return self._pesar(self.memoria.plano, opcoes)
        if self.aceito and "sim" in opcoes:
            return "sim", _FRASES["confirmar"]
        return "desistiu" if self.ofertas else "sem saída"  # the bot has nothing new to offer: the persona leaves

    def _identificar(self, opcoes: dict[str, str]) -> tuple[str | None, str] | str:
        if "sim" in opcoes and self.identidade == 0:
            return "sim", _FRASES["sim"]
        self.identidade += 1
        devedor = self.fatos.devedor
        if self.identidade == 1:
            return None, devedor.cpf[:3]
        if self.identidade == 2 and devedor.nascimento is not None:
            return None, f"{devedor.nascimento:%d/%m/%Y}"
        return "sem saída"

    def _pesar(self, plano: Plano, opcoes: dict[str, str]) -> tuple[str | None, str] | str:
        self.visto, self.ofertas = self.memoria.plano, self.ofertas + 1
        if self.perfil.aceita(plano):
            self.aceito = True
            return "sim", _FRASES["sim"]
        self.recusas += 1
        if self.recusas > self.perfil.persona.paciencia or "nao" not in opcoes:
            return "desistiu"
        return "nao", _FRASES["nao"]


def negociar(motor: Motor, fatos: Fatos, perfil: Perfil, agora: datetime) -> Desfecho:
    """Talk until an agreement, a hand-off, the end of the flow, or the persona gives up."""
    conversa = _Conversa(motor, fatos, perfil, agora)
    if not perfil.responde:
        return Desfecho(None, 0, 0, "sem resposta")
    resposta: tuple[str | None, str] | str = (None, "oi")
    while isinstance(resposta, tuple) and conversa.mensagens < MAX_MENSAGENS:
        decisao = conversa.dizer(*resposta, _opcoes(conversa.ultimas))
        conversa.ultimas = decisao
        acordo = next((e for e in decisao.efeitos if isinstance(e, NovoAcordo)), None)
        if acordo is not None:
            return Desfecho(acordo.plano, conversa.ofertas, conversa.mensagens, "acordo")
        if decisao.transferida:
            return Desfecho(None, conversa.ofertas, conversa.mensagens, "transferido")
        if motor.fluxo.estados[decisao.estado].final:
            return Desfecho(None, conversa.ofertas, conversa.mensagens, "sem acordo")
        resposta = conversa.proxima(_opcoes(decisao))
    motivo = resposta if isinstance(resposta, str) else "sem saída"
    return Desfecho(None, conversa.ofertas, conversa.mensagens, motivo)


def _opcoes(decisao: Decisao | None) -> dict[str, str]:
    """The buttons of the bot's last messages: intent → title."""
    if decisao is None:
        return {}
    return {o.intencao: o.titulo for r in decisao.respostas for o in r.opcoes}
