"""The common conversation step on the driver (`bot/dados/cru.py`), without the ORM.

Most inbound messages come from a debtor with no active agreement and get replies, a new state, maybe events or
a hand-off. That step reads three statements and writes a few rows, and through the ORM it cost most of the
message's CPU. Here it runs as prepared statements in one transaction. Anything else goes through the ORM step in
`servico.py`: an agreement (documents), an opt-out, a wrong number, experiments (the variant resolver reads
through the ORM), or a conversation a person owns. When the decision turns out to need more, this transaction is
rolled back and the caller runs the ORM step, which decides again from the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from bot.atendimento.consultas import valores_de_nova_conversa
from bot.conversa.fatos import (
    Decisao,
    DevedorFatos,
    Entrada,
    Fatos,
    Memoria,
    PausarCobranca,
    RegistrarEvento,
    Resposta,
    Transferir,
)
from bot.conversa.motor import Motor
from bot.dados.cru import Preparados, Transacao
from bot.dados.integracao import EventoSaida, saida_do_evento
from bot.dados.modelos import (
    Acordo,
    Contrato,
    Conversa,
    Devedor,
    Direcao,
    Dono,
    Evento,
    Mensagem,
    Parcela,
    SituacaoAcordo,
    SituacaoParcela,
    Transferencia,
)
from bot.dados.respostas import valores_da_resposta
from bot.negociacao.saldo import ParcelaAberta

_DEVEDOR: Any = Devedor.__table__  # type: ignore[attr-defined]
_CONVERSA: Any = Conversa.__table__  # type: ignore[attr-defined]
_ACORDO: Any = Acordo.__table__  # type: ignore[attr-defined]
_PARCELA: Any = Parcela.__table__  # type: ignore[attr-defined]
_CONTRATO: Any = Contrato.__table__  # type: ignore[attr-defined]
_MENSAGEM: Any = Mensagem.__table__  # type: ignore[attr-defined]
_EVENTO: Any = Evento.__table__  # type: ignore[attr-defined]
_TRANSFERENCIA: Any = Transferencia.__table__  # type: ignore[attr-defined]

# The debtor, its conversation on the channel (NULLs before the first message) and whether it has an active
# agreement: the same reading as `consultas.DEVEDOR_CONVERSA`, in plain columns.
_LER = Preparados(
    select(
        _DEVEDOR.c.nome,
        _DEVEDOR.c.cpf,
        _DEVEDOR.c.uf,
        _DEVEDOR.c.nascimento,
        _DEVEDOR.c.segmento,
        _CONVERSA.c.id,
        _CONVERSA.c.estado,
        _CONVERSA.c.dono,
        _CONVERSA.c.memoria,
        _CONVERSA.c.versao,
        select(func.max(_ACORDO.c.id))
        .where(_ACORDO.c.devedor_id == _DEVEDOR.c.id, _ACORDO.c.situacao == SituacaoAcordo.ATIVO.value)
        .scalar_subquery(),
    )
    .select_from(_DEVEDOR)
    .outerjoin(_CONVERSA, (_CONVERSA.c.devedor_id == _DEVEDOR.c.id) & (_CONVERSA.c.canal == bindparam("c")))
    .where(_DEVEDOR.c.id == bindparam("d"))
)
_PARCELAS = Preparados(
    select(
        _PARCELA.c.id,
        _CONTRATO.c.numero,
        _PARCELA.c.numero,
        _PARCELA.c.valor,
        _PARCELA.c.valor_pago,
        _PARCELA.c.vencimento,
        _CONTRATO.c.descricao,
    )
    .join(_CONTRATO, _PARCELA.c.contrato_id == _CONTRATO.c.id)
    .where(_CONTRATO.c.devedor_id == bindparam("d"), _PARCELA.c.situacao == SituacaoParcela.ABERTA.value)
    .order_by(_PARCELA.c.vencimento, _PARCELA.c.id)
)
_NOVA_CONVERSA = Preparados(
    insert(_CONVERSA)
    .values({nome: bindparam(nome) for nome in valores_de_nova_conversa(0, "", datetime.min)})
    .returning(_CONVERSA.c.id)
)
_COLUNAS_MENSAGEM = (
    "conversa_id",
    "direcao",
    "canal",
    "texto",
    "opcoes",
    "intencoes",
    "id_externo",
    "status",
    "criada_em",
    "documento_id",
    "tentar_em",
    "variante",
)
_MENSAGEM_NOVA = Preparados(
    insert(_MENSAGEM).values({nome: bindparam(nome) for nome in _COLUNAS_MENSAGEM}).returning(_MENSAGEM.c.id)
)
_EVENTO_NOVO = Preparados(
    insert(_EVENTO)
    .values(
        devedor_id=bindparam("devedor_id"),
        conversa_id=bindparam("conversa_id"),
        tipo=bindparam("tipo"),
        dados=bindparam("dados"),
        criado_em=bindparam("agora"),
    )
    .returning(_EVENTO.c.id)
)
_SAIDA: Any = EventoSaida.__table__  # type: ignore[attr-defined]
_SAIDA_NOVA = Preparados(
    insert(_SAIDA).values(
        {c: bindparam(c) for c in ("evento", "chave", "devedor_id", "distribuido", "dados", "criado_em")}
    )
)
_TRANSFERENCIA_NOVA = Preparados(
    insert(_TRANSFERENCIA).values(
        conversa_id=bindparam("conversa_id"),
        devedor_id=bindparam("devedor_id"),
        motivo=bindparam("motivo"),
        dados=bindparam("dados"),
        criada_em=bindparam("agora"),
    )
)
# The ORM's version check, by hand: a concurrent writer of the same conversation makes this change nothing.
MUDAR_CONVERSA = Preparados(
    update(_CONVERSA)
    .where(_CONVERSA.c.id == bindparam("id"), _CONVERSA.c.versao == bindparam("versao"))
    .values(
        estado=bindparam("estado"),
        memoria=bindparam("memoria"),
        dono=bindparam("dono"),
        atualizada_em=bindparam("agora"),
        versao=_CONVERSA.c.versao + 1,
    )
)
_SIMPLES = (RegistrarEvento, PausarCobranca, Transferir)


class NaoSimples(Exception):
    """The step needs the ORM path: rolls back this transaction (nothing of it is written)."""


@dataclass(frozen=True)
class Passo:
    """What the hot step did: the replies stored (with their ids) and the decision, for the log."""

    respostas: list[Resposta]
    decisao: Decisao | None
    cpf: str


async def passo(
    motor: Motor, t: Transacao, devedor_id: int, canal: str, entrada: Entrada, id_externo: str | None, agora: datetime
) -> Passo | None:
    """One step in the caller's transaction; None when the debtor is unknown. Raises `NaoSimples` when the step
    needs the ORM path."""
    lida = await t.linha(_LER, {"d": devedor_id, "c": canal})
    if lida is None:
        return None
    nome, cpf, uf, nascimento, segmento, conversa_id, estado, dono, memoria, versao, acordo_id = lida
    if acordo_id is not None:
        raise NaoSimples("acordo ativo")
    if conversa_id is None:
        valores = valores_de_nova_conversa(devedor_id, canal, agora)
        (conversa_id,) = await t.linha(_NOVA_CONVERSA, valores) or (None,)
        estado, dono, memoria, versao = valores["estado"], valores["dono"], valores["memoria"], valores["versao"]
    texto = entrada.texto if entrada.opcao is None else f"{entrada.texto} [{entrada.opcao}]"
    recebida = {"conversa_id": conversa_id, "direcao": Direcao.ENTRADA.value, "canal": canal, "texto": texto,
                "opcoes": [], "intencoes": [], "id_externo": id_externo, "status": "recebida", "criada_em": agora,
                "documento_id": None, "tentar_em": None, "variante": None}  # fmt: skip
    if dono != Dono.BOT:
        await t.linha(_MENSAGEM_NOVA, recebida)  # a person owns the chat: store the message, say nothing
        return Passo([], None, cpf)
    parcelas = tuple(
        ParcelaAberta(i, contrato, numero, valor - (pago or 0), vencimento, descricao or "")
        for i, contrato, numero, valor, pago, vencimento, descricao in await t.linhas(_PARCELAS, {"d": devedor_id})
    )
    fatos = Fatos(conversa_id=conversa_id, devedor=DevedorFatos(nome, cpf, uf, nascimento, segmento), parcelas=parcelas)
    decisao = motor.passo(estado or None, Memoria.de_dict(memoria), entrada, fatos, agora)
    if any(not isinstance(efeito, _SIMPLES) for efeito in decisao.efeitos):
        raise NaoSimples(", ".join(type(efeito).__name__ for efeito in decisao.efeitos))
    await t.linha(_MENSAGEM_NOVA, recebida)  # a message seen before fails here, on its unique key
    respostas = []
    for resposta in decisao.respostas:
        valores = valores_da_resposta(canal, conversa_id, resposta.texto, agora, resposta.opcoes, resposta.documento)
        (mensagem_id,) = await t.linha(_MENSAGEM_NOVA, valores | {"id_externo": None, "variante": None}) or (None,)
        respostas.append(Resposta(resposta.texto, resposta.opcoes, resposta.documento, mensagem_id))
    await _efeitos(t, decisao, {"devedor_id": devedor_id, "conversa_id": conversa_id, "agora": agora})
    mudanca = {"id": conversa_id, "versao": versao, "estado": decisao.estado, "agora": agora,
               "memoria": dict(decisao.memoria.para_dict()),
               "dono": Dono.FILA.value if decisao.transferida else dono}  # fmt: skip
    if await t.executar(MUDAR_CONVERSA, mudanca) != 1:
        raise StaleDataError(f"conversa {conversa_id} alterada em paralelo")
    return Passo(respostas, decisao, cpf)


async def _efeitos(t: Transacao, decisao: Decisao, base: dict[str, Any]) -> None:
    """The simple effects, as the ORM step writes them (`servico._aplicar`)."""
    for efeito in decisao.efeitos:
        match efeito:
            case RegistrarEvento(tipo, dados):
                await _evento(t, base, tipo, dados)
            case PausarCobranca(motivo):
                await _evento(t, base, "pausa", {"motivo": motivo})
            case Transferir(motivo, dados):
                await t.executar(_TRANSFERENCIA_NOVA, base | {"motivo": motivo, "dados": dados})
                await _evento(t, base, "transferencia", {"motivo": motivo})


async def _evento(t: Transacao, base: dict[str, Any], tipo: str, dados: dict[str, Any]) -> None:
    """An `evento` row and, for the kinds the company hears about, its outbox row (as `integracao._capturar`)."""
    (evento_id,) = await t.linha(_EVENTO_NOVO, base | {"tipo": tipo, "dados": dados}) or (None,)
    saida = saida_do_evento(evento_id, base["devedor_id"], tipo, dados, base["agora"])
    if saida is not None:
        await t.executar(_SAIDA_NOVA, saida)
