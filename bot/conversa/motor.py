"""The conversation engine: `Motor.passo(state, memory, message, facts, now) -> Decisao`, with no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from bot.calendario import fuso
from bot.config.arquivo import Config
from bot.conversa.expediente import MENSAGEM_FORA_DO_HORARIO, proximo_atendimento, retorno_da_equipe
from bot.conversa.fatos import Decisao, Efeito, Entrada, Fatos, Memoria, RegistrarEvento, Resposta, Transferir
from bot.conversa.modelo import AO_ENTRAR, Acao, Aparte, Estado, Fluxo, Opcao, Transicao
from bot.conversa.nlu import LIMIAR, Classificador, Interpretacao
from bot.conversa.nlu.entidades import Entidades
from bot.conversa.regras import GUARDAS, Avaliacao, executar
from bot.formatos import primeiro_nome
from bot.mensagens.textos import Textos
from bot.negociacao.plano import Plano
from bot.negociacao.saldo import proximas_parcelas

ATENDENTE = "atendente"
MENSAGEM_CONFIRMAR = "confirmar_intencao"
"""Asked when a costly intent (agreement, opt-out, wrong number) was read with doubt (`intencao_lida`)."""
MENSAGEM_CONFIRMAR_ACORDO = "confirmar_acordo"
"""Asked instead when the doubtful intent would close the agreement: it says back the plan that would be closed."""
_TITULOS_DE_CONFIRMACAO = {"parar": "Parar mensagens", "nao_sou_eu": "Não é meu número"}
_MAX_AUTOMATICAS = 20  # a cycle of ao_entrar transitions stops here instead of spinning
_BOTAO_ATENDENTE = Opcao(ATENDENTE, "Falar com atendente")


def _normal(texto: str) -> str:
    return " ".join(texto.lower().split())


@dataclass(frozen=True)
class Motor:
    """A loaded, checked flow with its vocabulary, messages and policy. Immutable; safe to share."""

    config: Config
    fluxo: Fluxo
    classificador: Classificador
    textos: Textos

    def passo(self, estado: str | None, memoria: Memoria, entrada: Entrada, fatos: Fatos, agora: datetime) -> Decisao:
        """Decide the reply to one debtor message. Never raises on odd input; never reads the clock."""
        decisao = _com_variante(self._decidir(estado, memoria, entrada, fatos, agora), fatos)
        if not decisao.transferida or proximo_atendimento(self.config.regua.politica, fatos.devedor.uf, agora) is None:
            return decisao
        # Handed to a person out of business hours: say when someone will answer instead of leaving them waiting.
        nada = Interpretacao(None, 0.0, Entidades(None, None, None, "", None))
        hoje = agora.astimezone(fuso(fatos.devedor.uf)).date()
        avaliacao = Avaliacao(self.config, fatos, decisao.memoria, entrada, nada, agora, hoje)
        aviso = self._resposta(MENSAGEM_FORA_DO_HORARIO, avaliacao, decisao.memoria)
        return replace(decisao, respostas=(*decisao.respostas, aviso))

    def _decidir(
        self, estado: str | None, memoria: Memoria, entrada: Entrada, fatos: Fatos, agora: datetime
    ) -> Decisao:
        if estado not in self.fluxo.estados or memoria.expirou(agora, self.config.conversa.sessao_horas):
            estado, memoria = None, Memoria()
        elif self.fluxo.estados[estado].final:  # a finished conversation starts over, identity kept
            estado, memoria = None, replace(memoria, incompreensoes=0)
        memoria = replace(memoria, ultima_atividade=agora)
        atual = self.fluxo.estados[estado or self.fluxo.inicio]
        hoje = agora.astimezone(fuso(fatos.devedor.uf)).date()
        lida = self.classificador.interpretar(entrada.texto, hoje, self._candidatas[atual.nome], fatos.devedor.uf)
        avaliacao = Avaliacao(self.config, fatos, memoria, entrada, lida, agora, hoje)
        botao = self._botao(entrada, self._opcoes(atual, avaliacao, memoria), lida)
        if botao is not None:
            avaliacao = replace(avaliacao, interpretacao=Interpretacao(botao, 1.0, lida.entidades))
        elif entrada.sugestao in self._candidatas[atual.nome] and self._em_duvida(lida):
            # The adviser's reading counts as a doubtful one: enough to answer, never enough to close a deal.
            sugerida = replace(lida, intencao=entrada.sugestao, confianca=LIMIAR)
            avaliacao = replace(avaliacao, interpretacao=sugerida)
        interpretacao = avaliacao.interpretacao
        # A global transition into the current state would only repeat it: there the state's own transitions decide.
        globais = tuple(t for t in self.fluxo.globais if t.ir_para != estado)
        transicoes = globais if estado is None else (*globais, *atual.transicoes)
        for transicao in transicoes:
            if transicao.aceita(interpretacao.intencao) and self._permite(transicao, avaliacao):
                duvidosa = avaliacao.entrada.falada or not interpretacao.inequivoca()
                if transicao.custosa and interpretacao.intencao is not None and duvidosa:
                    return self._confirmar(atual, transicao, avaliacao, memoria)
                return self._seguir(transicao, avaliacao, memoria)
        aparte = self.fluxo.apartes.get(interpretacao.intencao or "")
        if aparte is not None and not any(interpretacao.intencao in t.quando for t in atual.transicoes):
            return self._aparte(aparte, atual, avaliacao, memoria, novo=estado is None)
        if estado is None:  # a new conversation opens with the flow's greeting, whatever was said
            return self._decisao(
                self.fluxo.inicio, memoria, (self._entrar(atual, avaliacao, memoria),), (), interpretacao
            )
        return self._nao_entendeu(atual, avaliacao, memoria)

    def _aparte(self, aparte: Aparte, estado: Estado, avaliacao: Avaliacao, memoria: Memoria, novo: bool) -> Decisao:
        """Answer a question (or a pause, a complaint) and stay where the conversation was, buttons included."""
        opcoes = self._opcoes(estado, avaliacao, memoria) if aparte.opcoes is None else aparte.opcoes
        nome = aparte.mensagem_para(memoria.identidade_ok)
        respostas = [self._resposta(nome, avaliacao, memoria, opcoes, () if novo else opcoes)]
        if novo:  # the first message of a conversation: the answer, then the greeting
            respostas.append(self._entrar(estado, avaliacao, memoria))
        evento = RegistrarEvento("aparte", {"intencao": aparte.intencao, "texto": avaliacao.entrada.texto})
        return self._decisao(estado.nome, memoria, tuple(respostas), (evento,), avaliacao.interpretacao)

    def _confirmar(self, estado: Estado, transicao: Transicao, avaliacao: Avaliacao, memoria: Memoria) -> Decisao:
        """A costly intent read with doubt (a negation, a question, a yes with terms, a voice note): ask with buttons.

        Counted like a message not understood, so doubt after doubt still ends with a person.
        """
        intencao = avaliacao.interpretacao.intencao or ""
        opcoes = self._opcoes(estado, avaliacao, memoria)
        if not any(o.intencao == intencao for o in opcoes):
            opcoes = (Opcao(intencao, _TITULOS_DE_CONFIRMACAO.get(intencao, "Sim")), *opcoes)[:3]
        fecha = memoria.plano is not None and any(p.acao == Acao.REGISTRAR_ACORDO for p in transicao.acoes)
        return self._nao_entendeu(
            estado, avaliacao, memoria, MENSAGEM_CONFIRMAR_ACORDO if fecha else MENSAGEM_CONFIRMAR, opcoes
        )

    @staticmethod
    def _opcoes(estado: Estado, avaliacao: Avaliacao, memoria: Memoria) -> tuple[Opcao, ...]:
        """The state's buttons, without those its conditions hide now."""
        if all(o.se_nao is None for o in estado.opcoes):
            return estado.opcoes
        atual = avaliacao.com_memoria(memoria)
        return tuple(o for o in estado.opcoes if o.se_nao is None or not GUARDAS[o.se_nao](atual))

    def retomar(
        self,
        estado: str,
        memoria: Memoria,
        fatos: Fatos,
        agora: datetime,
        opcao: int | None = None,
        plano: Plano | None = None,
    ) -> Decisao:
        """A person hands the chat back: enter `estado` as a transition would, saying its message.

        `opcao` (an option of the debtor's tier in the offer book) becomes the current offer first, so a
        hand-back "to the offer" shows the plan the agent chose; `plano` does the same with a plan outside the
        book that a gestor approved (the caller checked the approval). Raises ValueError for an unknown state
        or an option the book does not allow for this debtor.
        """
        if estado not in self.fluxo.estados:
            raise ValueError(f"estado inexistente: {estado!r}")
        memoria = replace(memoria, ultima_atividade=agora)
        nada = Interpretacao(None, 0.0, Entidades(None, None, None, "", None))
        hoje = agora.astimezone(fuso(fatos.devedor.uf)).date()
        avaliacao = Avaliacao(self.config, fatos, memoria, Entrada(""), nada, agora, hoje)
        efeitos: tuple[Efeito, ...] = ()
        if opcao is not None:
            plano = avaliacao.plano(opcao)
            if plano is None:
                raise ValueError(f"a opção {opcao} do book não serve para este devedor")
            memoria = replace(memoria, opcao=opcao, nivel=max(memoria.nivel, opcao), plano=plano)
            dados = {"opcao": opcao, "total": str(plano.total), "parcelas": plano.quantidade, "por": "atendente"}
            efeitos = (RegistrarEvento("oferta", dados),)
        elif plano is not None:
            memoria = replace(memoria, opcao=plano.opcao, plano=plano)
            dados = {"opcao": plano.opcao, "total": str(plano.total), "parcelas": plano.quantidade, "por": "aprovacao"}
            efeitos = (RegistrarEvento("oferta", dados),)
        decisao = self._seguir(Transicao((AO_ENTRAR,), estado), avaliacao.com_memoria(memoria), memoria)
        return _com_variante(replace(decisao, efeitos=efeitos + decisao.efeitos), fatos)

    def duvida(self, estado: str | None, texto: str, uf: str, agora: datetime) -> tuple[str, ...]:
        """The intents an adviser may choose from when the local model is unsure of `texto`; () when it is sure."""
        atual = self.fluxo.estados.get(estado or "") or self.fluxo.estados[self.fluxo.inicio]
        if not texto.strip():
            return ()
        hoje = agora.astimezone(fuso(uf)).date()
        lida = self.classificador.interpretar(texto, hoje, self._candidatas[atual.nome], uf)
        return tuple(sorted(self._candidatas[atual.nome])) if self._em_duvida(lida) else ()

    def _em_duvida(self, lida: Interpretacao) -> bool:
        limite = self.config.conversa.llm.consultar_abaixo_de
        return lida.intencao is None or lida.confianca < limite

    def _botao(self, entrada: Entrada, opcoes: tuple[Opcao, ...], interpretacao: Interpretacao) -> str | None:
        """A button press, its number ("2") or its exact title ("Sou eu") name the intent directly."""
        if entrada.opcao is not None:
            return entrada.opcao if entrada.opcao in self._botoes_validos | {o.intencao for o in opcoes} else None
        numero = interpretacao.entidades.numero
        if numero is not None and 1 <= numero <= len(opcoes) and entrada.texto.strip().isdigit():
            return opcoes[numero - 1].intencao
        texto = _normal(entrada.texto)
        return next((o.intencao for o in opcoes if _normal(o.titulo) == texto), None)

    @cached_property
    def _candidatas(self) -> dict[str, frozenset[str]]:
        """Per state, the intents the classifier may answer there (computed once, not per message)."""
        return {nome: frozenset(self.fluxo.intencoes_usadas(e)) for nome, e in self.fluxo.estados.items()}

    @cached_property
    def _botoes_validos(self) -> frozenset[str]:
        """Buttons valid in any state: the hand-off, the global intents (asked back when doubtful), the apartes'."""
        globais = (q for t in self.fluxo.globais for q in t.quando)
        return frozenset(
            {ATENDENTE, *globais, *(o.intencao for a in self.fluxo.apartes.values() for o in a.opcoes or ())}
        )

    @staticmethod
    def _permite(transicao: Transicao, avaliacao: Avaliacao) -> bool:
        if transicao.se is not None and not GUARDAS[transicao.se](avaliacao):
            return False
        return transicao.se_nao is None or not GUARDAS[transicao.se_nao](avaliacao)

    def _seguir(self, transicao: Transicao, avaliacao: Avaliacao, memoria: Memoria) -> Decisao:
        """Follow a transition, then any `ao_entrar` transitions of the states it reaches."""
        memoria = replace(memoria, incompreensoes=0)
        efeitos: list[Efeito] = []
        respostas: list[Resposta] = []
        for _ in range(_MAX_AUTOMATICAS):
            for passo in transicao.acoes:
                memoria, novos = executar(passo, avaliacao, memoria)
                efeitos.extend(novos)
            destino = self.fluxo.estados[transicao.ir_para]
            if transicao.mensagem is not None:
                respostas.append(self._resposta(transicao.mensagem, avaliacao, memoria))
            if destino.mensagem is not None:
                respostas.append(self._entrar(destino, avaliacao, memoria))
            avaliacao = avaliacao.com_memoria(memoria)
            seguinte = self._automatica(destino, avaliacao)
            if seguinte is None:
                break
            transicao = seguinte
        return self._decisao(destino.nome, memoria, tuple(respostas), tuple(efeitos), avaliacao.interpretacao)

    def _automatica(self, estado: Estado, avaliacao: Avaliacao) -> Transicao | None:
        return next((t for t in estado.transicoes if t.automatica and self._permite(t, avaliacao)), None)

    def _entrar(self, estado: Estado, avaliacao: Avaliacao, memoria: Memoria) -> Resposta:
        opcoes = self._opcoes(estado, avaliacao, memoria)
        if estado.mensagem is None:
            return Resposta("", opcoes)
        return self._resposta(estado.mensagem, avaliacao, memoria, botoes=opcoes)

    def _nao_entendeu(
        self,
        estado: Estado,
        avaliacao: Avaliacao,
        memoria: Memoria,
        mensagem: str | None = None,
        botoes: tuple[Opcao, ...] | None = None,
    ) -> Decisao:
        """Re-prompt with the options; after repeated misses offer a person; never loop forever."""
        vezes = memoria.incompreensoes + 1
        memoria = replace(memoria, incompreensoes=vezes)
        limite = self.config.conversa.max_incompreensoes
        interpretacao = avaliacao.interpretacao
        if vezes >= 2 * limite:
            transferencia = self.fluxo.estados[self.fluxo.transferencia]
            efeito = Transferir("incompreensao", {"texto": avaliacao.entrada.texto, "estado": estado.nome})
            memoria = replace(memoria, incompreensoes=0)
            resposta = self._entrar(transferencia, avaliacao, memoria)
            return self._decisao(transferencia.nome, memoria, (resposta,), (efeito,), interpretacao)
        visiveis = self._opcoes(estado, avaliacao, memoria) if botoes is None else botoes
        if vezes >= limite:
            opcoes = (*visiveis, _BOTAO_ATENDENTE) if _BOTAO_ATENDENTE not in visiveis else visiveis
            nome = mensagem or self.fluxo.mensagem_oferecer_atendente
        else:
            opcoes, nome = visiveis, mensagem or self.fluxo.mensagem_nao_entendi
        resposta = self._resposta(nome, avaliacao, memoria, opcoes, opcoes)
        return self._decisao(estado.nome, memoria, (resposta,), (), interpretacao)

    def _decisao(
        self,
        estado: str,
        memoria: Memoria,
        respostas: tuple[Resposta, ...],
        efeitos: tuple[Efeito, ...],
        interpretacao: Interpretacao,
    ) -> Decisao:
        return Decisao(estado, memoria, respostas, efeitos, interpretacao.intencao)

    def _resposta(
        self,
        nome: str,
        avaliacao: Avaliacao,
        memoria: Memoria,
        opcoes: tuple[Opcao, ...] = (),
        botoes: tuple[Opcao, ...] = (),
    ) -> Resposta:
        """Message `nome` rendered (`opcoes` are the buttons it may name) with its buttons and, when the
        template shows the active agreement's payment document, that document attached (its PDF goes along)."""
        nome = avaliacao.fatos.mensagem(nome)  # the debtor's experiment variant may use another template
        texto = self.textos.renderizar(nome, contexto(avaliacao, memoria, opcoes))
        ativo = avaliacao.fatos.acordo_ativo
        documento = ativo.documento if ativo is not None and memoria.identidade_ok else None
        anexo = documento.id if documento is not None and self._mostra_documento(nome) else None
        return Resposta(texto, botoes, anexo)

    def _mostra_documento(self, nome: str) -> bool:
        return "documento" in self.textos.variaveis(nome)


def _com_variante(decisao: Decisao, fatos: Fatos) -> Decisao:
    """The decision labelled with the debtor's experiment variants, so its replies and agreement record them."""
    return decisao if fatos.variacao is None else replace(decisao, variante=fatos.variacao.rotulo)


def contexto(avaliacao: Avaliacao, memoria: Memoria, opcoes: tuple[Opcao, ...] = ()) -> dict[str, Any]:
    """What templates may use. Before identity is confirmed it holds nothing about the debt."""
    config, fatos = avaliacao.config, avaliacao.fatos
    atual = avaliacao.com_memoria(memoria)
    base: dict[str, Any] = {
        "credor": config.credor,
        "devedor": {"primeiro_nome": primeiro_nome(fatos.devedor.nome)},
        "pedir": atual.fator_pendente or "cpf",
        "tentativas_restantes": atual.tentativas_restantes,
        "opcoes": [o.titulo for o in opcoes],
        "intencao_lida": avaliacao.interpretacao.intencao,
        "falada": avaliacao.entrada.falada,
        "identidade_ok": memoria.identidade_ok,
        "retorno_equipe": retorno_da_equipe(config.regua.politica, fatos.devedor.uf, avaliacao.agora),
    }
    if not memoria.identidade_ok:
        return base
    return base | {
        "devedor": {"primeiro_nome": primeiro_nome(fatos.devedor.nome), "nome": fatos.devedor.nome},
        "saldo": avaliacao.saldo,
        "proximas": proximas_parcelas(fatos.parcelas, avaliacao.hoje, fatos.devedor.uf),
        "encargos": config.encargos,
        "plano": memoria.plano,
        "concessao": memoria.concessao,
        "proposta": memoria.proposta,
        "motivo": memoria.motivo,
        "acordo": memoria.acordo,
        "documento": fatos.acordo_ativo.documento if fatos.acordo_ativo else None,
        "acordo_ativo": fatos.acordo_ativo,
        "hoje": avaliacao.hoje,
        "prazo_max_dias": avaliacao.livro.prazo_max_dias,
    }
