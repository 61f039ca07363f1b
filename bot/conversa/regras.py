"""The fixed vocabulary of guards and actions, evaluated purely over one step's facts and memory."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from bot.config.arquivo import Config, MetodoIdentidade
from bot.conversa.fatos import (
    Efeito,
    Entrada,
    Fatos,
    Memoria,
    NovoAcordo,
    NumeroErrado,
    OptOut,
    PausarCobranca,
    PropostaFeita,
    RegistrarEvento,
    Transferir,
)
from bot.conversa.modelo import Acao, Guarda, Passo
from bot.conversa.nlu import Interpretacao, normalizar
from bot.conversa.nlu.numeros import numerais_em_digitos
from bot.formatos import so_digitos
from bot.negociacao.ofertas import Proposta, ResultadoProposta, avaliar_proposta, escolher_faixa, montar_plano
from bot.negociacao.plano import Plano, PlanoImpossivel
from bot.negociacao.politica import Faixa, LivroOfertas
from bot.negociacao.saldo import Saldo, calcular_saldo


@dataclass
class Avaliacao:
    """One step's view of the world; derived values are computed once, on first use."""

    config: Config
    fatos: Fatos
    memoria: Memoria
    entrada: Entrada
    interpretacao: Interpretacao
    agora: datetime
    hoje: date

    def com_memoria(self, memoria: Memoria) -> Avaliacao:
        """The same step seen with the memory as the actions left it (derived values kept)."""
        nova = replace(self, memoria=memoria)
        for chave in ("saldo", "faixa"):
            if chave in self.__dict__:
                nova.__dict__[chave] = self.__dict__[chave]
        return nova

    @cached_property
    def saldo(self) -> Saldo:
        return calcular_saldo(self.fatos.parcelas, self.config.encargos, self.hoje, self.fatos.devedor.uf)

    @property
    def livro(self) -> LivroOfertas:
        """The offer book for this debtor: their experiment variant's, else the configured one."""
        return self.fatos.livro(self.config.ofertas)

    @cached_property
    def faixa(self) -> Faixa | None:
        return escolher_faixa(self.livro, self.saldo, self.fatos.devedor.segmento)

    # -- identity -------------------------------------------------------------------------------

    @property
    def fatores(self) -> tuple[str, ...]:
        metodo = self.config.identidade.metodo
        sem_nascimento = self.fatos.devedor.nascimento is None
        if metodo == MetodoIdentidade.NASCIMENTO and not sem_nascimento:
            return ("nascimento",)
        if metodo == MetodoIdentidade.AMBOS and not sem_nascimento:
            return ("cpf", "nascimento")
        return ("cpf",)  # also when the portfolio has no birth date for this debtor

    @property
    def fator_pendente(self) -> str | None:
        return next((f for f in self.fatores if f not in self.memoria.fatores_ok), None)

    @cached_property
    def identidade_tentada(self) -> bool:
        """The message looks like an answer to the identity question (digits or a date), not a question or an offer."""
        entidades = self.interpretacao.entidades
        if self.fator_pendente is None or entidades.valor is not None or entidades.parcelas is not None:
            return False
        if self.fator_pendente == "nascimento":
            return _data_informada(self.entrada.texto, self.interpretacao) is not None
        return bool(digitos_informados(self.entrada.texto))

    @cached_property
    def fator_confere(self) -> bool:
        fator = self.fator_pendente
        if fator == "cpf":
            digitos = digitos_informados(self.entrada.texto)
            cpf = self.fatos.devedor.cpf
            return (len(digitos) == 3 and cpf.startswith(digitos)) or digitos == cpf
        if fator == "nascimento":
            return _data_informada(self.entrada.texto, self.interpretacao) == self.fatos.devedor.nascimento
        return False

    @property
    def tentativas_restantes(self) -> int:
        return max(self.config.identidade.tentativas - self.memoria.falhas_identidade, 0)

    # -- offers ---------------------------------------------------------------------------------

    def plano(self, opcao: int, parcelas: int | None = None) -> Plano | None:
        faixa = self.faixa
        if faixa is None or not 0 <= opcao < len(faixa.opcoes):
            return None
        primeiro = self.vencimento_pedido
        try:
            return montar_plano(
                faixa,
                opcao,
                self.saldo,
                self.hoje,
                self.fatos.devedor.uf,
                self.livro,
                parcelas,
                primeiro,
            )
        except PlanoImpossivel:
            return None

    def proxima_opcao(self, depois_de: int, tipo: str | None = None) -> int | None:
        faixa = self.faixa
        if faixa is None:
            return None
        for indice in range(depois_de + 1, len(faixa.opcoes)):
            if (tipo is None or faixa.opcoes[indice].tipo == tipo) and self.plano(indice) is not None:
                return indice
        return None

    def opcao_do_tipo(self, tipo: str) -> int | None:
        """The most generous option of that kind already conceded, else the next one (a concession)."""
        faixa = self.faixa
        if faixa is None:
            return None
        ja_concedidas = [
            i for i in range(min(self.memoria.nivel, len(faixa.opcoes) - 1), -1, -1) if faixa.opcoes[i].tipo == tipo
        ]
        for indice in ja_concedidas:
            if self.plano(indice) is not None:
                return indice
        return self.proxima_opcao(max(self.memoria.nivel, -1), tipo)

    @property
    def proposta(self) -> Proposta | None:
        entidades = self.interpretacao.entidades
        if entidades.parcelas is None and entidades.valor is None:
            return None
        if entidades.parcelas is not None:
            return Proposta(valor_parcela=entidades.valor, parcelas=entidades.parcelas)
        if self.interpretacao.intencao == "a_vista" or "vista" in self.entrada.texto.lower():
            return Proposta(valor_total=entidades.valor)
        return Proposta(valor_parcela=entidades.valor)

    @cached_property
    def resultado_proposta(self) -> ResultadoProposta | None:
        proposta = self.proposta
        if self.faixa is None or proposta is None:
            return None
        return avaliar_proposta(
            self.faixa,
            self.saldo,
            proposta,
            self.hoje,
            self.fatos.devedor.uf,
            self.livro,
            self.vencimento_pedido,
        )

    @property
    def data_pedida(self) -> date | None:
        return self.interpretacao.entidades.data

    def data_permitida(self) -> bool:
        return self._no_prazo(self.data_pedida)

    def _no_prazo(self, dia: date | None) -> bool:
        limite = self.hoje + timedelta(days=self.livro.prazo_max_dias)
        return dia is not None and self.hoje <= dia <= limite

    @property
    def vencimento_pedido(self) -> date | None:
        """The first due date the debtor asked for: in this message, else earlier in the conversation; kept through
        every proposal until they change it (a day that is no longer within the limit is dropped)."""
        for dia in (self.data_pedida, self.memoria.primeiro_vencimento):
            if self._no_prazo(dia):
                return dia
        return None


def digitos_informados(texto: str) -> str:
    """The CPF digits a message gives, as people type them on a phone.

    "390", "390.533.447-05", "3 9 0", "tres nove zero", "trezentos e noventa", "39o" (a letter o for zero) and
    "os 3 primeiros sao 390" and "390.533" (its first three) all give their digits; a message without them, "".
    """
    texto = re.sub(r"(?<=\d)[oO]|[oO](?=\d)", "0", texto)
    texto = re.sub(r"(?<=\d)[.\-](?=\d)", "", texto)  # 390.533.447-05 is one number
    numeros = [t for t in numerais_em_digitos(normalizar(texto).split()) if t.isdigit()]
    juntos = "".join(numeros)
    if len(juntos) == 11 or (len(juntos) == 3 and all(len(n) == 1 for n in numeros)):
        return juntos  # "390 533 447 05", "3 9 0"
    tres = [n for n in numeros if len(n) == 3]
    if tres:
        return tres[-1]  # "os 3 primeiros sao 390"
    longos = [n for n in numeros if 3 < len(n) < 11]
    return longos[-1][:3] if longos else ""  # "390.533": the CPF's beginning, more than was asked


def _data_informada(texto: str, interpretacao: Interpretacao) -> date | None:
    if interpretacao.entidades.data is not None:
        return interpretacao.entidades.data
    digitos = so_digitos(texto)
    if len(digitos) == 8:  # 12051980
        try:
            return date(int(digitos[4:]), int(digitos[2:4]), int(digitos[:2]))
        except ValueError:
            return None
    return None


GUARDAS: dict[Guarda, Callable[[Avaliacao], bool]] = {
    Guarda.IDENTIDADE_CONFERE: lambda a: a.fator_confere and len(a.memoria.fatores_ok) + 1 >= len(a.fatores),
    Guarda.IDENTIDADE_PARCIAL: lambda a: a.fator_confere and len(a.memoria.fatores_ok) + 1 < len(a.fatores),
    Guarda.TENTATIVAS_ESGOTADAS: lambda a: a.identidade_tentada and not a.fator_confere and a.tentativas_restantes <= 1,
    Guarda.IDENTIDADE_TENTADA: lambda a: a.identidade_tentada,
    Guarda.PODE_PARCELAR: lambda a: a.opcao_do_tipo("parcelado") is not None,
    Guarda.OFERTA_PARCELADA: lambda a: a.memoria.plano is not None and a.memoria.plano.tipo == "parcelado",
    Guarda.IDENTIDADE_CONFIRMADA: lambda a: a.memoria.identidade_ok,
    Guarda.TEM_PENDENCIAS: lambda a: bool(a.saldo.linhas),
    Guarda.TEM_ACORDO_ATIVO: lambda a: a.fatos.acordo_ativo is not None,
    Guarda.TEM_OFERTA: lambda a: a.proxima_opcao(-1) is not None,
    Guarda.PODE_CONCEDER: lambda a: a.proxima_opcao(a.memoria.opcao if a.memoria.opcao is not None else -1) is not None,
    Guarda.PROPOSTA_ATENDIDA: lambda a: a.resultado_proposta is not None and a.resultado_proposta.atende,
    Guarda.PROPOSTA_POSSIVEL: lambda a: a.resultado_proposta is not None,
    Guarda.DATA_PERMITIDA: Avaliacao.data_permitida,
}

Resultado = tuple[Memoria, list[Efeito]]


def _oferecer(a: Avaliacao, memoria: Memoria, opcao: int | None, concessao: bool = False) -> Resultado:
    if opcao is None:
        return memoria, []
    plano = a.plano(opcao)
    if plano is None:
        return memoria, []
    nova = replace(memoria, opcao=opcao, nivel=max(memoria.nivel, opcao), plano=plano, concessao=concessao)
    return nova, [RegistrarEvento("oferta", {"opcao": opcao, "total": str(plano.total), "parcelas": plano.quantidade})]


def _aplicar_proposta(a: Avaliacao, memoria: Memoria) -> Resultado:
    resultado = a.resultado_proposta
    proposta = a.proposta
    if resultado is None or proposta is None:
        return memoria, []
    feita = PropostaFeita(
        a.entrada.texto, proposta.valor_parcela, proposta.parcelas, proposta.valor_total, resultado.atende
    )
    plano = resultado.plano
    nova = replace(
        memoria,
        primeiro_vencimento=a.vencimento_pedido or memoria.primeiro_vencimento,
        opcao=plano.opcao,
        nivel=max(memoria.nivel, plano.opcao),
        plano=plano,
        proposta=feita,
        concessao=False,
    )
    return nova, [RegistrarEvento("proposta", dict(feita.para_dict()))]


def _mudar_data(a: Avaliacao, memoria: Memoria) -> Resultado:
    pedida = a.data_pedida
    if pedida is None or memoria.opcao is None or not a.data_permitida():
        return memoria, []
    com_data = replace(memoria, primeiro_vencimento=pedida)
    atual = memoria.plano
    a_nova = a.com_memoria(com_data)
    plano = a_nova.plano(memoria.opcao, atual.quantidade if atual and atual.tipo == "parcelado" else None)
    if plano is None:
        return memoria, []
    return replace(com_data, plano=plano), [RegistrarEvento("data_pedida", {"data": pedida.isoformat()})]


def _registrar_acordo(a: Avaliacao, memoria: Memoria) -> Resultado:
    if memoria.plano is None:
        return memoria, []
    plano = memoria.plano
    sequencia = memoria.acordos + 1
    chave = f"conversa-{a.fatos.conversa_id}-acordo-{sequencia}"
    origem = tuple(linha.parcela.id for linha in a.saldo.linhas)
    nova = replace(memoria, acordos=sequencia, acordo=plano)
    return nova, [NovoAcordo(chave, plano, origem)]


def _confirmar_identidade(a: Avaliacao, memoria: Memoria) -> Resultado:
    fator = a.fator_pendente or "cpf"
    fatores_ok = (*memoria.fatores_ok, fator)
    confirmada = all(f in fatores_ok for f in a.fatores)
    nova = replace(
        memoria,
        fatores_ok=fatores_ok,
        identidade_ok=confirmada,
        falhas_identidade=0 if confirmada else memoria.falhas_identidade,
    )
    tipo = "identidade_ok" if confirmada else "identidade_fator_ok"
    return nova, [RegistrarEvento(tipo, {"fator": fator})]


def _falha_identidade(a: Avaliacao, memoria: Memoria) -> Resultado:
    falhas = memoria.falhas_identidade + 1
    return replace(memoria, falhas_identidade=falhas), [
        RegistrarEvento("identidade_falha", {"fator": a.fator_pendente, "tentativa": falhas})
    ]


def _transferir(a: Avaliacao, memoria: Memoria, motivo: str) -> Resultado:
    dados: dict[str, Any] = {"texto": a.entrada.texto}
    if motivo == "pedido" and a.interpretacao.alternativas:  # "já paguei mas quero falar com alguém"
        dados["tambem"] = list(a.interpretacao.alternativas)
    if memoria.proposta is not None:
        dados["proposta"] = memoria.proposta.para_dict()
    if memoria.plano is not None and memoria.identidade_ok:
        dados["ultima_oferta"] = memoria.plano.para_dict()
    return memoria, [Transferir(motivo, dados)]


def _motivo(a: Avaliacao, memoria: Memoria, motivo: str) -> Resultado:
    return replace(memoria, motivo=motivo), [RegistrarEvento("motivo", {"motivo": motivo, "texto": a.entrada.texto})]


def _oferecer_tipo(tipo: str) -> Callable[[Avaliacao, Memoria, str], Resultado]:
    def acao(a: Avaliacao, memoria: Memoria, _argumento: str) -> Resultado:
        if a.proposta is not None and a.resultado_proposta is not None:
            return _aplicar_proposta(a, memoria)  # "quero parcelar em 5x" carries its own proposal
        opcao = a.opcao_do_tipo(tipo)
        if opcao is not None and opcao == memoria.opcao:  # a re-offer moves: the next of that kind, or any next
            opcao = a.proxima_opcao(opcao, tipo) or a.proxima_opcao(opcao) or opcao
        if opcao is None and memoria.plano is None:  # none of that kind for this balance: the first offer, at least
            opcao = a.proxima_opcao(-1)
        return _oferecer(a, memoria, opcao, concessao=memoria.opcao is not None and opcao != memoria.opcao)

    return acao


def _conceder(a: Avaliacao, memoria: Memoria) -> Resultado:
    atual = memoria.opcao if memoria.opcao is not None else -1
    return _oferecer(a, memoria, a.proxima_opcao(atual), concessao=True)


def _pagamento_informado(a: Avaliacao, memoria: Memoria) -> Resultado:
    dados = {"texto": a.entrada.texto, "data": a.data_pedida.isoformat() if a.data_pedida else None}
    return memoria, [RegistrarEvento("pagamento_informado", dados)]


ACOES: dict[Acao, Callable[[Avaliacao, Memoria, str], Resultado]] = {
    Acao.CONFIRMAR_IDENTIDADE: lambda a, m, _: _confirmar_identidade(a, m),
    Acao.REGISTRAR_FATOR_IDENTIDADE: lambda a, m, _: _confirmar_identidade(a, m),
    Acao.REGISTRAR_FALHA_IDENTIDADE: lambda a, m, _: _falha_identidade(a, m),
    Acao.REGISTRAR_MOTIVO: _motivo,
    Acao.PAUSAR_COBRANCA: lambda _a, m, motivo: (m, [PausarCobranca(motivo)]),
    Acao.TRANSFERIR: _transferir,
    Acao.REGISTRAR_OPTOUT: lambda a, m, _: (m, [OptOut(a.entrada.texto)]),
    Acao.MARCAR_NUMERO_ERRADO: lambda a, m, _: (m, [NumeroErrado(a.entrada.texto)]),
    Acao.OFERECER: lambda a, m, _: _oferecer(a, m, a.proxima_opcao(-1)),
    Acao.CONCEDER: lambda a, m, _: _conceder(a, m),
    Acao.OFERECER_A_VISTA: _oferecer_tipo("a_vista"),
    Acao.OFERECER_PARCELADO: _oferecer_tipo("parcelado"),
    Acao.APLICAR_PROPOSTA: lambda a, m, _: _aplicar_proposta(a, m),
    Acao.MUDAR_DATA: lambda a, m, _: _mudar_data(a, m),
    Acao.REGISTRAR_ACORDO: lambda a, m, _: _registrar_acordo(a, m),
    Acao.REGISTRAR_PAGAMENTO_INFORMADO: lambda a, m, _: _pagamento_informado(a, m),
}


def executar(passo: Passo, a: Avaliacao, memoria: Memoria) -> Resultado:
    """Run one action; `a` sees the memory as it was before the transition, `memoria` is the running one."""
    return ACOES[passo.acao](a, memoria, passo.argumento or "")
