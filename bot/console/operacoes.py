"""What a person does to a conversation: take it, reassign it, reply, note, promise, give it back.

Each operation checks who may do it, changes the rows and writes the audit entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.atendimento.servico import Variacoes, aplicar_decisao, carregar_fatos
from bot.conversa.fatos import Fatos, Memoria
from bot.conversa.motor import Motor
from bot.dados.atendentes import Auditoria, Nota, Papel, PromessaPagamento, Usuario
from bot.dados.modelos import (
    PREFIXO_AGENTE,
    Conversa,
    Devedor,
    Direcao,
    Dono,
    Mensagem,
    SituacaoTransferencia,
    Transferencia,
)
from bot.dados.pausas import pausar
from bot.formatos import primeiro_nome
from bot.negociacao.plano import Plano

TEXTO_MAXIMO = 2000


class Recusa(Exception):
    """The person may not do this (status 403/404/409 with a pt-BR message)."""

    def __init__(self, status: int, mensagem: str) -> None:
        super().__init__(mensagem)
        self.status = status
        self.mensagem = mensagem


class Ponto(StrEnum):
    """Where a conversation goes back to the bot."""

    INICIO = "inicio"  # the next debtor message starts over (identity asked again if the session expired)
    SALDO = "saldo"
    OFERTA = "oferta"
    PAGAMENTO = "pagamento"
    ENCERRAR = "encerrar"


_PRECISA_IDENTIDADE = {Ponto.SALDO, Ponto.OFERTA, Ponto.PAGAMENTO}
ESTADO_ACORDO_VIGENTE = "acordo_vigente"


def dono_de(usuario: Usuario) -> str:
    return f"{PREFIXO_AGENTE}{usuario.id}"


def pode_ler(usuario: Usuario, conversa: Conversa) -> bool:
    """A gestor reads everything; an agent every conversation not owned by another agent."""
    if usuario.papel == Papel.GESTOR:
        return True
    return not conversa.dono.startswith(PREFIXO_AGENTE) or conversa.dono == dono_de(usuario)


def auditar(
    s: AsyncSession, usuario: Usuario, acao: str, agora: datetime, conversa_id: int | None, **dados: Any
) -> None:
    s.add(Auditoria(usuario_id=usuario.id, acao=acao, conversa_id=conversa_id, dados=dados, criada_em=agora))


async def conversa_legivel(s: AsyncSession, usuario: Usuario, conversa_id: int) -> Conversa:
    conversa = await s.get(Conversa, conversa_id)
    # The same answer for "does not exist" and "not yours": an agent learns nothing about others' chats.
    if conversa is None or not pode_ler(usuario, conversa):
        raise Recusa(404, "conversa inexistente ou de outra pessoa")
    return conversa


async def propria(s: AsyncSession, usuario: Usuario, conversa_id: int) -> Conversa:
    conversa = await conversa_legivel(s, usuario, conversa_id)
    if conversa.dono != dono_de(usuario):
        raise Recusa(409, "assuma a conversa antes de escrever nela")
    return conversa


async def transferencia_aberta(s: AsyncSession, conversa_id: int) -> Transferencia | None:
    consulta = (
        select(Transferencia)
        .where(Transferencia.conversa_id == conversa_id, Transferencia.situacao != SituacaoTransferencia.ENCERRADA)
        .order_by(col(Transferencia.id).desc())
    )
    return (await s.exec(consulta)).first()


async def assumir(s: AsyncSession, usuario: Usuario, conversa_id: int, agora: datetime) -> None:
    """Take a conversation from the queue (or from the bot): from now on only this person writes in it."""
    conversa = await conversa_legivel(s, usuario, conversa_id)
    if conversa.dono == dono_de(usuario):
        return
    if conversa.dono.startswith(PREFIXO_AGENTE):
        raise Recusa(409, "outra pessoa já atende esta conversa; um gestor pode reatribuí-la")
    await _atribuir(s, conversa, usuario, agora)
    auditar(s, usuario, "assumiu", agora, conversa_id)
    await s.commit()


async def reatribuir(s: AsyncSession, gestor: Usuario, conversa_id: int, para: int, agora: datetime) -> None:
    if gestor.papel != Papel.GESTOR:
        raise Recusa(403, "só um gestor reatribui conversas")
    conversa = await conversa_legivel(s, gestor, conversa_id)
    destino = await s.get(Usuario, para)
    if destino is None or not destino.ativo:
        raise Recusa(404, "usuário inexistente ou desativado")
    anterior = conversa.dono
    await _atribuir(s, conversa, destino, agora)
    auditar(s, gestor, "reatribuiu", agora, conversa_id, de=anterior, para=dono_de(destino))
    await s.commit()


async def _atribuir(s: AsyncSession, conversa: Conversa, usuario: Usuario, agora: datetime) -> None:
    assert conversa.id is not None
    conversa.dono = dono_de(usuario)
    s.add(conversa)
    transferencia = await transferencia_aberta(s, conversa.id)
    if transferencia is not None:
        transferencia.situacao = SituacaoTransferencia.EM_ATENDIMENTO.value
        transferencia.atendida_em = transferencia.atendida_em or agora
        s.add(transferencia)


@dataclass(frozen=True)
class Destino:
    """Where an agent's reply goes: the channel and the debtor's address on it."""

    canal: str
    endereco: str | None
    primeiro_nome: str
    ultima_entrada: datetime | None  # the debtor's last message in this conversation (WhatsApp's 24 h window)


async def responder(s: AsyncSession, usuario: Usuario, conversa_id: int, texto: str, agora: datetime) -> Mensagem:
    """Store the agent's reply as an outbound message; the caller sends it through the channel, if any."""
    texto = texto.strip()
    if not texto:
        raise Recusa(400, "mensagem vazia")
    if len(texto) > TEXTO_MAXIMO:
        raise Recusa(413, f"mensagem longa demais (máximo {TEXTO_MAXIMO} caracteres)")
    conversa = await propria(s, usuario, conversa_id)
    mensagem = Mensagem(
        conversa_id=conversa_id,
        direcao=Direcao.SAIDA.value,
        canal=conversa.canal,
        texto=texto,
        status="pendente",
        criada_em=agora,
    )
    s.add(mensagem)
    auditar(s, usuario, "respondeu", agora, conversa_id, caracteres=len(texto))
    await s.commit()
    return mensagem


async def destino(s: AsyncSession, conversa_id: int) -> Destino:
    conversa = await s.get(Conversa, conversa_id)
    assert conversa is not None
    devedor = await s.get(Devedor, conversa.devedor_id)
    assert devedor is not None
    endereco = devedor.endereco_de_chat(conversa.canal)
    ultima = (
        select(Mensagem.criada_em)
        .where(Mensagem.conversa_id == conversa_id, Mensagem.direcao == Direcao.ENTRADA.value)
        .order_by(col(Mensagem.criada_em).desc())
        .limit(1)
    )
    return Destino(conversa.canal, endereco, primeiro_nome(devedor.nome), (await s.exec(ultima)).first())


async def marcar_envio(s: AsyncSession, mensagem: Mensagem, status: str, id_externo: str | None) -> None:
    mensagem.status = status
    mensagem.id_externo = id_externo
    s.add(mensagem)
    await s.commit()


async def anotar(s: AsyncSession, usuario: Usuario, conversa_id: int, texto: str, agora: datetime) -> None:
    await conversa_legivel(s, usuario, conversa_id)
    texto = texto.strip()
    if not texto or len(texto) > TEXTO_MAXIMO:
        raise Recusa(400, f"nota vazia ou longa demais (máximo {TEXTO_MAXIMO} caracteres)")
    assert usuario.id is not None
    s.add(Nota(conversa_id=conversa_id, usuario_id=usuario.id, texto=texto, criada_em=agora))
    auditar(s, usuario, "anotou", agora, conversa_id)
    await s.commit()


async def prometer(
    s: AsyncSession, usuario: Usuario, conversa_id: int, valor: Decimal, data: date, agora: datetime
) -> None:
    conversa = await propria(s, usuario, conversa_id)
    if valor <= 0 or valor != valor.quantize(Decimal("0.01")):
        raise Recusa(400, "valor inválido: informe reais e centavos, maior que zero")
    if data < agora.date():
        raise Recusa(400, "a data da promessa já passou")
    assert usuario.id is not None
    s.add(
        PromessaPagamento(
            conversa_id=conversa_id,
            devedor_id=conversa.devedor_id,
            usuario_id=usuario.id,
            valor=valor,
            data=data,
            criada_em=agora,
        )
    )
    # The régua holds its reminders while a promise stands (`pausa` events are honoured for `pausa_dias`).
    pausar(s, conversa.devedor_id, "promessa", agora, conversa_id, data=data.isoformat(), valor=str(valor))
    auditar(s, usuario, "promessa", agora, conversa_id, valor=str(valor), data=data.isoformat())
    await s.commit()


def _estado_de(ponto: Ponto, motor: Motor, fatos: Fatos) -> str:
    """The flow's state for a give-back point. At "pagamento" the agreement exists already: where the flow has
    the state for a standing agreement, the bot shows the next payment there instead of celebrating a new deal."""
    vigente = fatos.acordo_ativo is not None and ESTADO_ACORDO_VIGENTE in motor.fluxo.estados
    return ESTADO_ACORDO_VIGENTE if ponto is Ponto.PAGAMENTO and vigente else ponto.value


async def _link_desde_a_devolucao(s: AsyncSession, conversa_id: int) -> bool:
    """Whether someone sent the payment link in this conversation since it was last given back to the bot."""
    ultima = (
        await s.exec(
            select(Auditoria.acao)
            .where(Auditoria.conversa_id == conversa_id, col(Auditoria.acao).in_(["emitiu_link", "devolveu"]))
            .order_by(col(Auditoria.id).desc())
        )
    ).first()
    return ultima == "emitiu_link"


async def devolver(
    s: AsyncSession,
    motor: Motor,
    usuario: Usuario,
    conversa_id: int,
    ponto: Ponto,
    agora: datetime,
    opcao: int | None = None,
    plano: Plano | None = None,
    variacoes: Variacoes | None = None,
) -> list[Mensagem]:
    """Give the chat back to the bot at `ponto` (or close it); the bot speaks at once where the point has a message.

    At the offer, `opcao` (from the book) or `plano` (approved above the book) becomes the debtor's offer.
    """
    conversa = await conversa_legivel(s, usuario, conversa_id)
    if conversa.dono != dono_de(usuario) and usuario.papel != Papel.GESTOR:
        raise Recusa(409, "só quem atende a conversa (ou um gestor) pode devolvê-la")
    memoria = Memoria.de_dict(conversa.memoria)
    if ponto in _PRECISA_IDENTIDADE and not memoria.identidade_ok:
        raise Recusa(409, "o devedor ainda não confirmou a identidade: devolva ao início ou encerre")
    devedor = await s.get(Devedor, conversa.devedor_id)
    assert devedor is not None and conversa.id is not None
    conversa.dono = Dono.BOT.value
    falas: list[Mensagem] = []
    if ponto is Ponto.INICIO:
        conversa.estado = ""
    elif ponto is Ponto.ENCERRAR:
        conversa.estado = motor.fluxo.estados["encerrado"].nome if "encerrado" in motor.fluxo.estados else ""
    elif ponto is Ponto.PAGAMENTO and await _link_desde_a_devolucao(s, conversa.id):
        conversa.estado = ponto.value  # the person just sent the codes: the bot waits, it does not send them again
    else:
        fatos = await carregar_fatos(s, motor.config, devedor, conversa, agora, variacoes=variacoes)
        if ponto is Ponto.PAGAMENTO and fatos.acordo_ativo is None:
            raise Recusa(409, "este devedor não tem acordo ativo: não há pagamento a retomar")
        try:
            oferta = (opcao, plano) if ponto is Ponto.OFERTA else (None, None)
            decisao = motor.retomar(_estado_de(ponto, motor, fatos), memoria, fatos, agora, *oferta)
        except ValueError as erro:
            raise Recusa(409, str(erro)) from erro
        falas = (await aplicar_decisao(s, decisao, devedor, conversa, agora, motor.config)).mensagens
    s.add(conversa)
    transferencia = await transferencia_aberta(s, conversa.id)
    if transferencia is not None:
        transferencia.situacao = SituacaoTransferencia.ENCERRADA.value
        s.add(transferencia)
    auditar(s, usuario, "devolveu", agora, conversa_id, ponto=ponto.value, opcao=opcao, aprovado=plano is not None)
    await s.commit()
    return falas
