"""The neutral flow model (what a `fluxos/*.toml` file becomes) and the fixed vocabulary it may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Guarda(StrEnum):
    """Conditions a transition may require (`se = "..."`). Evaluated purely from facts and memory."""

    IDENTIDADE_CONFERE = "identidade_confere"
    IDENTIDADE_PARCIAL = "identidade_parcial"
    TENTATIVAS_ESGOTADAS = "tentativas_esgotadas"
    IDENTIDADE_CONFIRMADA = "identidade_confirmada"
    TEM_PENDENCIAS = "tem_pendencias"
    TEM_ACORDO_ATIVO = "tem_acordo_ativo"
    TEM_OFERTA = "tem_oferta"
    PODE_CONCEDER = "pode_conceder"
    PROPOSTA_ATENDIDA = "proposta_atendida"
    PROPOSTA_POSSIVEL = "proposta_possivel"
    DATA_PERMITIDA = "data_permitida"
    IDENTIDADE_TENTADA = "identidade_tentada"
    OFERTA_PARCELADA = "oferta_parcelada"
    PODE_PARCELAR = "pode_parcelar"


class Acao(StrEnum):
    """Actions a transition may run (`acoes = ["..."]`); some take an argument after `:`."""

    CONFIRMAR_IDENTIDADE = "confirmar_identidade"
    REGISTRAR_FATOR_IDENTIDADE = "registrar_fator_identidade"
    REGISTRAR_FALHA_IDENTIDADE = "registrar_falha_identidade"
    REGISTRAR_MOTIVO = "registrar_motivo"
    PAUSAR_COBRANCA = "pausar_cobranca"
    TRANSFERIR = "transferir"
    REGISTRAR_OPTOUT = "registrar_optout"
    MARCAR_NUMERO_ERRADO = "marcar_numero_errado"
    OFERECER = "oferecer"
    CONCEDER = "conceder"
    OFERECER_A_VISTA = "oferecer_a_vista"
    OFERECER_PARCELADO = "oferecer_parcelado"
    APLICAR_PROPOSTA = "aplicar_proposta"
    MUDAR_DATA = "mudar_data"
    REGISTRAR_ACORDO = "registrar_acordo"
    REGISTRAR_PAGAMENTO_INFORMADO = "registrar_pagamento_informado"


# Actions that cost money or trust when taken on a misread: the engine asks instead of guessing.
CUSTOSAS = frozenset({Acao.REGISTRAR_ACORDO, Acao.REGISTRAR_OPTOUT, Acao.MARCAR_NUMERO_ERRADO})

MOTIVOS = ("esqueci", "sem_renda", "doenca", "contestacao", "ja_paguei", "outro")
MOTIVOS_TRANSFERENCIA = (
    "pedido",
    "contestacao",
    "identidade",
    "proposta",
    "incompreensao",
    "ja_paguei",
    "sem_oferta",
    "sem_acordo",
)
MOTIVOS_PAUSA = ("contestacao", "ja_paguei")

# Which actions need an argument, and from which list.
ARGUMENTOS: dict[Acao, tuple[str, ...]] = {
    Acao.REGISTRAR_MOTIVO: MOTIVOS,
    Acao.TRANSFERIR: MOTIVOS_TRANSFERENCIA,
    Acao.PAUSAR_COBRANCA: MOTIVOS_PAUSA,
}

QUALQUER = "qualquer"
"""`quando = "qualquer"`: any message not taken by an earlier transition of the state."""
AO_ENTRAR = "ao_entrar"
"""`quando = "ao_entrar"`: followed as soon as the state is entered, without waiting for a message."""
ESPECIAIS = frozenset({QUALQUER, AO_ENTRAR})


@dataclass(frozen=True)
class Passo:
    """One action with its optional argument, e.g. `transferir:pedido`."""

    acao: Acao
    argumento: str | None = None

    def __str__(self) -> str:
        return f"{self.acao}:{self.argumento}" if self.argumento else str(self.acao)


@dataclass(frozen=True)
class Opcao:
    """A button: the intent it stands for and its title (≤ 20 characters, WhatsApp's limit).

    `se_nao`: a condition that hides the button ("Quero parcelar" when the offer already is parcelado).
    """

    intencao: str
    titulo: str
    se_nao: Guarda | None = None


@dataclass(frozen=True)
class Aparte:
    """An intent answered in any state without leaving it: a question, a pause, a complaint.

    `mensagem` is said once identity is confirmed; before it, `antes_da_identidade` (or `mensagem` when that
    says nothing about the debt). `opcoes` replace the state's buttons under the answer when given.
    """

    intencao: str
    mensagem: str
    antes_da_identidade: str | None = None
    opcoes: tuple[Opcao, ...] | None = None

    def mensagem_para(self, identidade_ok: bool) -> str:
        return self.mensagem if identidade_ok or self.antes_da_identidade is None else self.antes_da_identidade


@dataclass(frozen=True)
class Transicao:
    quando: tuple[str, ...]
    ir_para: str
    se: Guarda | None = None
    se_nao: Guarda | None = None
    acoes: tuple[Passo, ...] = ()
    mensagem: str | None = None

    def aceita(self, intencao: str | None) -> bool:
        return QUALQUER in self.quando or (intencao is not None and intencao in self.quando)

    @property
    def automatica(self) -> bool:
        return AO_ENTRAR in self.quando

    @property
    def custosa(self) -> bool:
        return any(p.acao in CUSTOSAS for p in self.acoes)


@dataclass(frozen=True)
class Estado:
    nome: str
    mensagem: str | None
    opcoes: tuple[Opcao, ...] = ()
    transicoes: tuple[Transicao, ...] = ()
    final: bool = False
    descricao: str = ""


@dataclass(frozen=True)
class Fluxo:
    nome: str
    arquivo: str
    inicio: str
    transferencia: str
    mensagem_nao_entendi: str
    mensagem_oferecer_atendente: str
    estados: dict[str, Estado]
    globais: tuple[Transicao, ...] = ()
    descricao: str = ""
    intencoes_proprias: tuple[str, ...] = field(default=())
    apartes: dict[str, Aparte] = field(default_factory=dict)

    def intencoes_usadas(self, estado: Estado) -> set[str]:
        """Intents the classifier should consider in `estado` (its transitions, buttons, the globals, apartes)."""
        nomes = {q for t in (*estado.transicoes, *self.globais) for q in t.quando if q not in ESPECIAIS}
        return nomes | {o.intencao for o in estado.opcoes} | set(self.apartes)

    def destino(self, estado: Estado, intencao: str) -> Transicao | Aparte | None:
        """What a message of `intencao` does in `estado` when no condition stands in the way: the first transition
        that takes it (globals first, as the engine tries them) or its aparte; None means "não entendi"."""
        for transicao in (*(t for t in self.globais if t.ir_para != estado.nome), *estado.transicoes):
            if intencao in transicao.quando and transicao.se is None and transicao.se_nao is None:
                return transicao
        tomadas = {q for t in (*self.globais, *estado.transicoes) for q in t.quando}
        return self.apartes.get(intencao) if intencao not in tomadas else None

    def intencoes_custosas(self, estado: Estado) -> set[str]:
        """Intents that may follow a costly transition in `estado` (an agreement, an opt-out, a wrong number)."""
        return {q for t in (*self.globais, *estado.transicoes) if t.custosa for q in t.quando if q not in ESPECIAIS}
