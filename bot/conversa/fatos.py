"""What the engine reads (facts, memory, the debtor's message) and what it returns (a decision)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.conversa.modelo import Opcao
from bot.negociacao.politica import LivroOfertas
from bot.negociacao.saldo import ParcelaAberta


@dataclass(frozen=True)
class DevedorFatos:
    nome: str
    cpf: str
    uf: str
    nascimento: date | None = None
    segmento: str | None = None


@dataclass(frozen=True)
class DocumentoAtivo:
    """The payable document of an active agreement's first open installment (its page still opens)."""

    id: int
    parcela: int
    de: int
    valor: Decimal
    vencimento: date
    linha_digitavel: str
    pix: str
    link: str


@dataclass(frozen=True)
class AcordoAtivo:
    """An agreement the debtor already has: shown instead of negotiating again.

    `documento` is None while its first open installment has no payable document (an expired page the bot
    was not asked to renew, or a PSP charge not issued yet).
    """

    numero: int
    plano: Mapping[str, Any]
    documento: DocumentoAtivo | None = None
    documento_vencido: bool = False  # its page expired and the bot was not asked for a new one


@dataclass(frozen=True)
class Variacao:
    """The debtor's experiment variants for the conversation, resolved by the adapter (`resultados.variantes`)."""

    rotulo: str  # "experimento:variante[,…]", recorded with every reply and agreement
    mensagens: Mapping[str, str] = field(default_factory=dict)  # a message's template → the variant's template
    livro: LivroOfertas | None = None  # the variant's offer book (within the configured one); None: the configured


@dataclass(frozen=True)
class Fatos:
    """Everything the engine may know about the debtor, loaded by the adapter before a step."""

    conversa_id: int
    devedor: DevedorFatos
    parcelas: tuple[ParcelaAberta, ...]
    acordo_ativo: AcordoAtivo | None = None
    variacao: Variacao | None = None

    def livro(self, configurado: LivroOfertas) -> LivroOfertas:
        """The offer book the debtor negotiates with: their experiment variant's, else the configured one."""
        variado = None if self.variacao is None else self.variacao.livro
        return configurado if variado is None else variado

    def mensagem(self, nome: str) -> str:
        """The template the debtor's variant uses for message `nome`."""
        return nome if self.variacao is None else self.variacao.mensagens.get(nome, nome)


@dataclass(frozen=True)
class Entrada:
    """One debtor message: its text and, for a button press, the intent the button stands for.

    `sugestao`: an intent an outside adviser (the optional LLM) read when the local model was unsure; the engine
    weighs it as a doubtful reading, so it never registers an agreement or an opt-out on its own.
    `falada`: the text is a voice note's transcript (`bot/canais/voz.py`); a speech-to-text slip must not close
    a deal or stop the messages, so every costly intent heard in audio is asked back first.
    """

    texto: str
    opcao: str | None = None
    sugestao: str | None = None
    falada: bool = False  # transcribed from a voice note: a costly intent is confirmed before it is acted on


@dataclass(frozen=True)
class Memoria:
    """What the conversation remembers between messages (stored as JSON with the conversation)."""

    identidade_ok: bool = False
    fatores_ok: tuple[str, ...] = ()
    falhas_identidade: int = 0
    incompreensoes: int = 0
    motivo: str | None = None
    opcao: int | None = None
    nivel: int = -1
    plano: dict[str, Any] | None = None
    concessao: bool = False
    proposta: dict[str, Any] | None = None
    primeiro_vencimento: str | None = None
    acordos: int = 0
    acordo: dict[str, Any] | None = None
    ultima_atividade: str | None = None

    def com(self, **mudancas: Any) -> Memoria:
        return replace(self, **mudancas)

    def para_dict(self) -> dict[str, Any]:
        dados = asdict(self)
        dados["fatores_ok"] = list(self.fatores_ok)
        return dados

    @classmethod
    def de_dict(cls, dados: dict[str, Any] | None) -> Memoria:
        """Tolerant of keys from older versions: unknown ones are dropped, missing ones take defaults."""
        if not dados:
            return cls()
        nomes = {f.name for f in fields(cls)}
        limpos = {k: v for k, v in dados.items() if k in nomes}
        if "fatores_ok" in limpos:
            limpos["fatores_ok"] = tuple(limpos["fatores_ok"])
        return cls(**limpos)

    def expirou(self, agora: datetime, horas: int) -> bool:
        if self.ultima_atividade is None:
            return False
        return (agora - datetime.fromisoformat(self.ultima_atividade)).total_seconds() > horas * 3600


@dataclass(frozen=True)
class Resposta:
    """One message to the debtor; `documento` is the payment document it shows (its PDF goes with it)."""

    texto: str
    opcoes: tuple[Opcao, ...] = ()
    documento: int | None = None
    mensagem_id: int | None = None  # set by the adapter: the stored row, the key the channel sends it under


@dataclass(frozen=True)
class RegistrarEvento:
    tipo: str
    dados: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transferir:
    motivo: str
    dados: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PausarCobranca:
    motivo: str


@dataclass(frozen=True)
class OptOut:
    texto: str


@dataclass(frozen=True)
class NumeroErrado:
    texto: str


@dataclass(frozen=True)
class NovoAcordo:
    """Store the agreement (idempotent on `chave`); the adapter has `bot.pagamentos` issue its first document."""

    chave: str
    plano: Mapping[str, Any]
    origem: tuple[int, ...]


Efeito = RegistrarEvento | Transferir | PausarCobranca | OptOut | NumeroErrado | NovoAcordo


@dataclass(frozen=True)
class Decisao:
    estado: str
    memoria: Memoria
    respostas: tuple[Resposta, ...]
    efeitos: tuple[Efeito, ...]
    intencao: str | None = None
    variante: str | None = None  # the experiments' variants it was decided under (`Variacao.rotulo`), recorded

    @property
    def transferida(self) -> bool:
        return any(isinstance(e, Transferir) for e in self.efeitos)
