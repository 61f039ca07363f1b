"""The adapter around the engine: load facts, run one step, store everything it decided in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.atendimento import rapido
from bot.atendimento.consultas import DEVEDOR_CONVERSA, PARCELAS_ABERTAS, nova_conversa
from bot.atendimento.llm import Conselheiro
from bot.boleto_pix.token import link_pagamento
from bot.calendario import fuso
from bot.config.arquivo import Config
from bot.conversa.fatos import (
    AcordoAtivo,
    Decisao,
    DevedorFatos,
    DocumentoAtivo,
    Entrada,
    Fatos,
    Memoria,
    NovoAcordo,
    NumeroErrado,
    OptOut,
    PausarCobranca,
    RegistrarEvento,
    Resposta,
    Transferir,
    Variacao,
)
from bot.conversa.modelo import Opcao
from bot.conversa.motor import Motor
from bot.dados.banco import sessao
from bot.dados.cru import Agrupados
from bot.dados.modelos import (
    Acordo,
    AcordoOrigem,
    AcordoParcela,
    Conversa,
    Devedor,
    Direcao,
    DocumentoPagamento,
    Dono,
    Evento,
    Mensagem,
    Parcela,
    SituacaoAcordoParcela,
    SituacaoParcela,
    Transferencia,
)
from bot.dados.pausas import registrar_optout
from bot.dados.repositorio import acordo_ativo, token_do_documento
from bot.dados.respostas import nova_resposta, respostas_pendentes
from bot.formatos import mascarar_cpf
from bot.negociacao.plano import ParcelaPlano, Plano
from bot.negociacao.saldo import ParcelaAberta
from bot.pagamentos.documentos import Documentos, documento_atual, emitir, pagina_valida
from bot.pagamentos.emissao import MENSAGEM_EMITIDO, Emissor, contexto_do_documento

log = logging.getLogger(__name__)

_TENTATIVAS = 3  # a concurrent update of the same conversation is retried, then reported

# Who resolves a debtor's experiment variants for the conversation (`resultados.atribuicao.da_conversa`): handed in
# by the caller, so the conversation never reads an experiment.
Variacoes = Callable[[AsyncSession, int, datetime], Awaitable[Variacao | None]]


class DevedorDesconhecido(LookupError):
    """No debtor with that id: the caller answers with a generic message and reveals nothing."""


@dataclass(frozen=True)
class Atendimento:
    """Receives one debtor message on a channel and returns the bot's replies (none while a person owns it)."""

    motor: Motor
    engine: AsyncEngine
    relogio: Callable[[], datetime]
    emissor: Emissor | None = None  # a PSP issues the charges: called after the agreement is stored
    conselheiro: Conselheiro | None = None  # the optional LLM, asked when the local model is unsure
    variacoes: Variacoes | None = None  # the debtors' experiment variants (templates, offer book); None: none
    # The hot path's group commit (`bot/dados/cru.py`): the common step shares its transaction with the other
    # workers' steps, claims and sends of the moment; the inbound workers use the same one.
    agrupados: Agrupados = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "agrupados", Agrupados(self.engine))

    async def receber(
        self, devedor_id: int, canal: str, entrada: Entrada, id_externo: str | None = None
    ) -> list[Resposta]:
        # An expired page or a paid installment must never be what the bot shows: with an active agreement the
        # document is renewed first (`_receber` finds it with the debtor and stops before writing anything).
        garantido: bool | None = None  # the document checked (False) or renewed (True) before this step
        if self.conselheiro is not None and entrada.opcao is None:
            entrada = await self._com_sugestao(self.conselheiro, devedor_id, canal, entrada)
        if "\x00" in entrada.texto or "\x00" in (entrada.opcao or ""):  # no database column stores NUL
            entrada = replace(entrada, texto=entrada.texto.replace("\x00", ""), opcao=_sem_nul(entrada.opcao))
        for tentativa in range(_TENTATIVAS):
            try:
                while isinstance(resultado := await self._receber(devedor_id, canal, entrada, id_externo, garantido),
                                 _Garantir):  # fmt: skip
                    documentos = Documentos(self.engine, self.motor.config, self.emissor)
                    await documentos.garantir(resultado.acordo_id, self.relogio(), renovar=resultado.renovar)
                    garantido = resultado.renovar
                return resultado
            except StaleDataError:
                log.info("conversa do devedor %s alterada em paralelo; tentativa %s", devedor_id, tentativa + 1)
            except IntegrityError:
                if id_externo is not None and (ainda := await self._ainda_por_enviar(canal, id_externo)) is not None:
                    return ainda  # the same provider message came before: only its replies not yet sent
                if tentativa == _TENTATIVAS - 1:
                    raise
        raise RuntimeError(f"conversa do devedor {devedor_id} em conflito após {_TENTATIVAS} tentativas")

    async def _com_sugestao(self, conselheiro: Conselheiro, devedor_id: int, canal: str, entrada: Entrada) -> Entrada:
        """Ask the adviser, outside any transaction, when the local model is unsure of this message."""
        async with sessao(self.engine) as s:
            linha = (await s.exec(DEVEDOR_CONVERSA, params={"d": devedor_id, "c": canal})).first()
        if linha is None or (linha[1] is not None and linha[1].dono != Dono.BOT):
            return entrada
        devedor, conversa, _ = linha
        estado = conversa.estado if conversa is not None else None
        intencoes = self.motor.duvida(estado, entrada.texto, devedor.uf, self.relogio())
        if not intencoes:
            return entrada
        return replace(entrada, sugestao=await conselheiro.sugerir(entrada.texto, intencoes))

    async def _ainda_por_enviar(self, canal: str, id_externo: str) -> list[Resposta] | None:
        """None if this provider message was never stored; else the replies to it still waiting to leave (an
        instance died between storing and sending them), to be sent under their keys."""
        async with sessao(self.engine) as s:
            recebida = await _mensagem_existente(s, canal, id_externo)
            if recebida is None:
                return None
            return [resposta_da_mensagem(m) for m in await respostas_pendentes(s, recebida)]

    async def _receber(
        self, devedor_id: int, canal: str, entrada: Entrada, id_externo: str | None, garantido: bool | None
    ) -> list[Resposta] | _Garantir:
        """One step in one transaction; a message seen before fails on its unique key (IntegrityError) at commit.

        The common step runs on the driver (`rapido.py`); the rest, and any step with experiments, through the ORM.
        """
        agora = self.relogio()
        if self.variacoes is None and garantido is None:
            try:
                feito = await self.agrupados.rodar(
                    lambda t: rapido.passo(self.motor, t, devedor_id, canal, entrada, id_externo, agora), isolado=True
                )
            except rapido.NaoSimples:
                feito = None  # rolled back: the ORM step below decides again from the same facts
            else:
                if feito is None:
                    raise DevedorDesconhecido(devedor_id)
                if feito.decisao is not None:
                    _registrar_passo(feito.cpf, canal, feito.decisao)
                return feito.respostas
        return await self._receber_orm(devedor_id, canal, entrada, id_externo, garantido, agora)

    async def _receber_orm(
        self,
        devedor_id: int,
        canal: str,
        entrada: Entrada,
        id_externo: str | None,
        garantido: bool | None,
        agora: datetime,
    ) -> list[Resposta] | _Garantir:
        async with sessao(self.engine) as s:
            linha = (await s.exec(DEVEDOR_CONVERSA, params={"d": devedor_id, "c": canal})).first()
            if linha is None or linha[0].id is None:
                raise DevedorDesconhecido(devedor_id)
            devedor, conversa, acordo_id = linha
            config = self.motor.config
            if acordo_id is not None and garantido is None:
                # Free to renew with the embedded provider; with a PSP a renewal is a new charge: only on request.
                return _Garantir(acordo_id, renovar=config.pagamentos.provedor == "local")
            if conversa is None:
                conversa = await nova_conversa(s, devedor.id, canal, agora)
            texto = entrada.texto if entrada.opcao is None else f"{entrada.texto} [{entrada.opcao}]"
            recebida = _mensagem(conversa, Direcao.ENTRADA, texto, (), agora, id_externo)
            if conversa.dono != Dono.BOT:
                s.add(recebida)
                await s.commit()  # a person owns the chat: store the message, say nothing
                return []
            fatos = await carregar_fatos(s, config, devedor, conversa, agora, com_acordo=acordo_id is not None,
                                         variacoes=self.variacoes)  # fmt: skip
            decisao = self.motor.passo(
                conversa.estado or None, Memoria.de_dict(conversa.memoria), entrada, fatos, agora
            )
            if acordo_id is not None and not garantido and _pede_documento(decisao, fatos):
                return _Garantir(acordo_id, renovar=True)  # nothing written: renewed, the step runs again
            s.add(recebida)  # flushed once with the replies; a message seen before fails on its unique key
            aplicada = await aplicar_decisao(s, decisao, devedor, conversa, agora, config)
            codigos = [await self._codigos(s, d, devedor, conversa, agora, decisao.variante)
                       for d in aplicada.documentos if d.pix]  # fmt: skip
            await s.commit()
            _registrar_passo(devedor.cpf, canal, decisao)
        guardadas = zip([*decisao.respostas, *(r for r, _ in codigos)], [*aplicada.mensagens, *(m for _, m in codigos)],
                        strict=True)  # fmt: skip
        respostas = [replace(r, mensagem_id=m.id) for r, m in guardadas]
        return [*respostas, *await self._cobrar(aplicada.documentos, agora)]

    async def _codigos(
        self,
        s: AsyncSession,
        documento: DocumentoPagamento,
        devedor: Devedor,
        conversa: Conversa,
        agora: datetime,
        variante: str | None,
    ) -> tuple[Resposta, Mensagem]:
        """A new document's codes (embedded provider): stored with the agreement and sent with its PDF."""
        contexto = await contexto_do_documento(s, self.motor.config, documento, devedor)
        texto = self.motor.textos.renderizar(MENSAGEM_EMITIDO, contexto, conversa.canal)
        mensagem = _mensagem(conversa, Direcao.SAIDA, texto, (), agora, None, documento.id)
        mensagem.variante = variante
        s.add(mensagem)
        return Resposta(texto, documento=documento.id), mensagem

    async def _cobrar(self, documentos: list[DocumentoPagamento], agora: datetime) -> list[Resposta]:
        """With a PSP, new documents' charges after the commit: their codes, or a kind message if it failed."""
        respostas = []
        for documento in documentos:
            if self.emissor is not None and not documento.pix and documento.id is not None:
                aviso = await self.emissor.emitir(documento.id, agora)
                anexo = documento.id if aviso.emitido else None
                respostas.append(Resposta(aviso.texto, documento=anexo, mensagem_id=aviso.mensagem_id))
        return respostas


def _registrar_passo(cpf: str, canal: str, decisao: Decisao) -> None:
    if log.isEnabledFor(logging.INFO):
        efeitos = ", ".join(type(e).__name__ for e in decisao.efeitos) or "sem efeitos"
        mascarado = mascarar_cpf(cpf)
        log.info("devedor %s canal %s: %s → %s (%s)", mascarado, canal, decisao.intencao, decisao.estado, efeitos)


# Intents that ask for the payment document: with a PSP the only ones that renew an expired one.
PEDEM_DOCUMENTO = frozenset({"segunda_via"})


def _pede_documento(decisao: Decisao, fatos: Fatos) -> bool:
    """The debtor asked for the document and the active agreement has none payable to show."""
    ativo = fatos.acordo_ativo
    return decisao.intencao in PEDEM_DOCUMENTO and ativo is not None and ativo.documento is None


@dataclass(frozen=True)
class _Garantir:
    """The debtor has this active agreement: keep its document payable (`renovar`: even if it expired)."""

    acordo_id: int
    renovar: bool


def _sem_nul(texto: str | None) -> str | None:
    return None if texto is None else texto.replace("\x00", "")


@dataclass(frozen=True)
class Aplicada:
    """What a decision stored: the bot's replies and the payment documents its agreements issued."""

    mensagens: list[Mensagem]
    documentos: list[DocumentoPagamento]


async def aplicar_decisao(
    s: AsyncSession, decisao: Decisao, devedor: Devedor, conversa: Conversa, agora: datetime, config: Config
) -> Aplicada:
    """Carry out a decision in the session (not committed): effects, new state, the bot's replies."""
    documentos = await _aplicar(s, decisao, devedor, conversa, agora, config)
    _atualizar(conversa, decisao, agora)
    s.add(conversa)
    saida = [_mensagem(conversa, Direcao.SAIDA, r.texto, r.opcoes, agora, None, r.documento) for r in decisao.respostas]
    for mensagem in saida:
        mensagem.variante = decisao.variante
    s.add_all(saida)
    return Aplicada(saida, documentos)


async def _mensagem_existente(s: AsyncSession, canal: str, id_externo: str) -> Mensagem | None:
    consulta = select(Mensagem).where(
        Mensagem.canal == canal, Mensagem.direcao == Direcao.ENTRADA.value, Mensagem.id_externo == id_externo
    )
    return (await s.exec(consulta)).first()


def resposta_da_mensagem(mensagem: Mensagem) -> Resposta:
    """A stored reply as the channel sends it: text, buttons, document and the row's id (its key)."""
    botoes = tuple(Opcao(i, t) for i, t in zip(mensagem.intencoes, mensagem.opcoes, strict=False))
    return Resposta(mensagem.texto, botoes, mensagem.documento_id, mensagem.id)


def _mensagem(
    conversa: Conversa,
    direcao: Direcao,
    texto: str,
    opcoes: Sequence[Any],
    agora: datetime,
    id_externo: str | None,
    documento_id: int | None = None,
) -> Mensagem:
    assert conversa.id is not None
    if direcao is Direcao.ENTRADA:
        return Mensagem(conversa_id=conversa.id, direcao=direcao.value, canal=conversa.canal, texto=texto,
                        id_externo=id_externo, status="recebida", criada_em=agora)  # fmt: skip
    return nova_resposta(conversa, texto, agora, opcoes, documento_id)


def _atualizar(conversa: Conversa, decisao: Decisao, agora: datetime) -> None:
    conversa.estado = decisao.estado
    conversa.memoria = dict(decisao.memoria.para_dict())
    conversa.atualizada_em = agora
    flag_modified(conversa, "atualizada_em")  # the same instant as loaded would let the column's onupdate (the
    # wall clock) win over the service's clock
    if decisao.transferida:
        conversa.dono = Dono.FILA.value


async def carregar_fatos(
    s: AsyncSession,
    config: Config,
    devedor: Devedor,
    conversa: Conversa,
    agora: datetime,
    com_acordo: bool = True,
    variacoes: Variacoes | None = None,
) -> Fatos:
    """The facts the engine decides on; `com_acordo=False` when the caller knows there is no active agreement;
    `variacoes` adds the debtor's experiment variants."""
    assert devedor.id is not None and conversa.id is not None
    parcelas = tuple(
        ParcelaAberta(p.id or 0, c.numero, p.numero, p.em_aberto, p.vencimento, c.descricao or "")
        for p, c in (await s.exec(PARCELAS_ABERTAS, params={"d": devedor.id})).all()
    )
    return Fatos(
        conversa_id=conversa.id,
        devedor=DevedorFatos(devedor.nome, devedor.cpf, devedor.uf, devedor.nascimento, devedor.segmento),
        parcelas=parcelas,
        acordo_ativo=await _acordo_ativo(s, config, devedor, agora) if com_acordo else None,
        variacao=None if variacoes is None else await variacoes(s, devedor.id, agora),
    )


async def _acordo_ativo(s: AsyncSession, config: Config, devedor: Devedor, agora: datetime) -> AcordoAtivo | None:
    assert devedor.id is not None
    ativo = await acordo_ativo(s, devedor.id)
    if ativo is None:
        return None
    acordo, parcelas = ativo
    assert acordo.id is not None
    plano = Plano(
        faixa=acordo.faixa,
        opcao=acordo.opcao,
        tipo="a_vista" if acordo.tipo == "a_vista" else "parcelado",
        valor_original=acordo.valor_original,
        desconto=acordo.desconto,
        valor_negociado=acordo.valor_negociado,
        juros_mensal_percentual=Decimal(acordo.juros_mensal_percentual),
        parcelas=tuple(ParcelaPlano(p.numero, p.valor, p.vencimento) for p in parcelas),
    )
    abertas = [p.numero for p in parcelas if p.situacao == SituacaoAcordoParcela.ABERTA.value]
    doc = await documento_atual(s, acordo.id, abertas[0]) if abertas else None
    if doc is None or doc.id is None or not doc.pix:  # nothing issued yet, or a PSP charge still without codes
        return AcordoAtivo(acordo.id, plano)
    if not await pagina_valida(s, doc, agora.astimezone(fuso(devedor.uf)).date()):
        return AcordoAtivo(acordo.id, plano, documento_vencido=True)
    token = await token_do_documento(s, doc.id)
    documento = DocumentoAtivo(
        id=doc.id,
        parcela=doc.acordo_parcela_numero,
        de=len(parcelas),
        valor=doc.valor,
        vencimento=doc.vencimento,
        linha_digitavel=doc.linha_digitavel,
        pix=doc.pix,
        link=link_pagamento(config.web.url_publica, token) if token else "",
    )
    return AcordoAtivo(acordo.id, plano, documento)


async def _aplicar(
    s: AsyncSession, decisao: Decisao, devedor: Devedor, conversa: Conversa, agora: datetime, config: Config
) -> list[DocumentoPagamento]:
    """Carry out the engine's decisions (each idempotent on its natural key); returns the documents issued."""
    assert devedor.id is not None and conversa.id is not None
    documentos: list[DocumentoPagamento] = []
    for efeito in decisao.efeitos:
        match efeito:
            case RegistrarEvento(tipo, dados):
                com_variante = dados | {"variante": decisao.variante} if decisao.variante else dados  # offers too
                _evento(s, devedor, conversa, tipo, com_variante, agora)
            case Transferir(motivo, dados):
                s.add(
                    Transferencia(
                        conversa_id=conversa.id,
                        devedor_id=devedor.id,
                        motivo=motivo,
                        dados=dados,
                        criada_em=agora,
                    )
                )
                _evento(s, devedor, conversa, "transferencia", {"motivo": motivo}, agora)
            case PausarCobranca(motivo):
                _evento(s, devedor, conversa, "pausa", {"motivo": motivo}, agora)
            case OptOut(texto):
                if not await registrar_optout(
                    s, devedor, agora, f"canal {conversa.canal}", conversa.id, texto=texto, canal=conversa.canal
                ):
                    _evento(s, devedor, conversa, "optout_repetido", {"texto": texto, "canal": conversa.canal}, agora)
            case NumeroErrado(texto):
                devedor.telefone_invalido = True
                s.add(devedor)
                _evento(s, devedor, conversa, "numero_errado", {"texto": texto, "canal": conversa.canal}, agora)
            case NovoAcordo():
                documento = await _novo_acordo(s, efeito, devedor, conversa, agora, config, decisao.variante)
                if documento is not None:
                    documentos.append(documento)
    return documentos


def _evento(
    s: AsyncSession, devedor: Devedor, conversa: Conversa, tipo: str, dados: dict[str, Any], agora: datetime
) -> None:
    assert devedor.id is not None
    s.add(Evento(devedor_id=devedor.id, conversa_id=conversa.id, tipo=tipo, dados=dados, criado_em=agora))


async def _novo_acordo(
    s: AsyncSession,
    efeito: NovoAcordo,
    devedor: Devedor,
    conversa: Conversa,
    agora: datetime,
    config: Config,
    variante: str | None,
) -> DocumentoPagamento | None:
    """Store the agreement and issue its first document; None when this confirmation was stored before."""
    assert devedor.id is not None and conversa.id is not None
    if (await s.exec(select(Acordo).where(Acordo.chave == efeito.chave))).first() is not None:
        return None  # the same confirmation replayed: the agreement exists already
    plano = efeito.plano
    acordo = Acordo(
        devedor_id=devedor.id,
        conversa_id=conversa.id,
        faixa=plano.faixa,
        opcao=plano.opcao,
        tipo=plano.tipo,
        valor_original=plano.valor_original,
        desconto=plano.desconto,
        valor_negociado=plano.valor_negociado,
        total=plano.total,
        juros_mensal_percentual=str(plano.juros_mensal_percentual),
        chave=efeito.chave,
        criado_em=agora,
        variante=variante,
    )
    s.add(acordo)
    await s.flush()
    assert acordo.id is not None
    parcelas = [
        AcordoParcela(acordo_id=acordo.id, numero=p.numero, valor=p.valor, vencimento=p.vencimento)
        for p in plano.parcelas
    ]
    s.add_all(parcelas)
    for parcela_id in efeito.origem:
        s.add(AcordoOrigem(acordo_id=acordo.id, parcela_id=parcela_id))
        original = await s.get(Parcela, parcela_id)
        if original is not None:
            original.situacao = SituacaoParcela.NEGOCIADA.value
            s.add(original)
    await s.flush()
    entrada = parcelas[0]
    documento = await emitir(s, config.pagamentos, acordo, entrada, entrada.vencimento, devedor.uf, agora)
    _evento(s, devedor, conversa, "acordo", {"acordo_id": acordo.id, "total": str(plano.total)}, agora)
    return documento
