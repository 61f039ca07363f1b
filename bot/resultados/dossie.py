"""The evidence file of one debtor, as plain data: what was said, when, on which channel and why it was allowed.

Built from the stored record only (messages, reminders, delivery reports, events, agreements, documents,
payments, hand-offs, agents' actions); the PDF and the JSON of an export are drawn from this same structure.
Identity is masked (first name and initials, CPF `***.533.447-**`), and so are CPFs, phones and e-mails the
debtor typed in the chat (LGPD art. 6 III: the file proves the contacts, it does not spread personal data).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendario import fuso
from bot.config.arquivo import Config
from bot.dados.atendentes import Auditoria, Usuario
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.entrada import StatusEntrega
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Conversa,
    Devedor,
    Direcao,
    DocumentoPagamento,
    Evento,
    Mensagem,
    Transferencia,
)
from bot.dados.saida import Saida
from bot.formatos import mascarar_cpf
from bot.mascara import mascarar
from bot.resultados.justificativa import justificar

ACAO_EXPORTACAO = "dossie_exportado"  # the audit row of each export (bot.resultados.exportacao)
ORDEM_STATUS = ("sent", "delivered", "read", "failed")


def nome_mascarado(nome: str) -> str:
    """`Maria da Silva Santos` → `Maria S. S.`: enough to tell files apart, not to identify a stranger."""
    partes = nome.split()
    iniciais = [f"{p[0].upper()}." for p in partes[1:] if len(p) > 2]
    return " ".join([partes[0].capitalize(), *iniciais]) if partes else ""


def conteudo_canonico(dados: dict[str, Any]) -> bytes:
    """The bytes the SHA-256 covers: the file's data as JSON with sorted keys (stable across runs)."""
    return json.dumps(dados, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def sha256_do_conteudo(dados: dict[str, Any]) -> str:
    return hashlib.sha256(conteudo_canonico({k: v for k, v in dados.items() if k != "sha256"})).hexdigest()


class _Leitor:
    """The queries of one debtor's file, and the instants written both in UTC and in the debtor's time zone."""

    def __init__(self, s: AsyncSession, devedor: Devedor) -> None:
        assert devedor.id is not None
        self.s, self.devedor, self.id, self.zona = s, devedor, devedor.id, fuso(devedor.uf)

    def instante(self, quando: datetime | None) -> dict[str, str] | None:
        if quando is None:
            return None
        return {"utc": quando.isoformat(), "local": quando.astimezone(self.zona).isoformat()}

    async def conversas(self) -> list[Conversa]:
        return list((await self.s.exec(select(Conversa).where(Conversa.devedor_id == self.id))).all())

    async def status(self, canal: str, ids: Sequence[str | None]) -> dict[str, list[StatusEntrega]]:
        conhecidos = [i for i in ids if i]
        if not conhecidos:
            return {}
        linhas = await self.s.exec(
            select(StatusEntrega).where(StatusEntrega.canal == canal, col(StatusEntrega.id_externo).in_(conhecidos))
        )
        por_id: dict[str, list[StatusEntrega]] = {}
        for linha in linhas.all():
            por_id.setdefault(linha.id_externo, []).append(linha)
        return por_id


def _relatos(relatos: Sequence[StatusEntrega], leitor: _Leitor) -> list[dict[str, Any]]:
    ordenados = sorted(relatos, key=lambda r: ORDEM_STATUS.index(r.status) if r.status in ORDEM_STATUS else 9)
    return [{"status": r.status, "codigo": r.codigo, "instante": leitor.instante(r.instante)} for r in ordenados]


async def _mensagens(leitor: _Leitor, conversas: Sequence[Conversa]) -> list[Mensagem]:
    ids = [c.id for c in conversas]
    consulta = (
        select(Mensagem).where(col(Mensagem.conversa_id).in_(ids)).order_by(col(Mensagem.criada_em), col(Mensagem.id))
    )
    return list((await leitor.s.exec(consulta)).all())


async def _contatos(leitor: _Leitor, config: Config, mensagens: Sequence[Mensagem]) -> list[dict[str, Any]]:
    """Every message that went out — régua reminders and conversation messages — with why it was allowed."""
    saidas = (
        await leitor.s.exec(
            select(Saida)
            .where(Saida.devedor_id == leitor.id, col(Saida.enviada_em).is_not(None))
            .order_by(col(Saida.enviada_em))
        )
    ).all()
    da_regua = [s.enviada_em for s in saidas if s.enviada_em is not None]
    entradas = [m.criada_em for m in mensagens if m.direcao == Direcao.ENTRADA.value]
    politica, uf = config.regua.politica, leitor.devedor.uf

    def motivo(instante: datetime, de_regua: bool) -> str:
        ultima = None if de_regua else max((e for e in entradas if e <= instante), default=None)
        return justificar(politica, uf, instante, da_regua, ultima)

    contatos: list[dict[str, Any]] = []
    for canal in {s.canal for s in saidas} | {m.canal for m in mensagens}:
        relatos = await leitor.status(canal, [s.id_provedor for s in saidas] + [m.id_externo for m in mensagens])
        for saida in (s for s in saidas if s.canal == canal):
            assert saida.enviada_em is not None
            contatos.append(
                {
                    "instante": leitor.instante(saida.enviada_em),
                    "canal": canal,
                    "origem": f"régua: passo {saida.passo}",
                    "modelo": saida.modelo,
                    "variante": saida.variante,  # the experiments' variants it carried ("experimento:variante")
                    "texto": mascarar(saida.texto),
                    "situacao": saida.situacao,
                    "entrega": _relatos(relatos.get(saida.id_provedor or "", []), leitor),
                    "permitido_porque": motivo(saida.enviada_em, True),
                }
            )
        for mensagem in (m for m in mensagens if m.canal == canal and m.direcao == Direcao.SAIDA.value):
            contatos.append(
                {
                    "instante": leitor.instante(mensagem.criada_em),
                    "canal": canal,
                    "origem": "conversa",
                    "modelo": None,
                    "variante": mensagem.variante,
                    "texto": mascarar(mensagem.texto),
                    "situacao": mensagem.status,
                    "entrega": _relatos(relatos.get(mensagem.id_externo or "", []), leitor),
                    "permitido_porque": motivo(mensagem.criada_em, False),
                }
            )
    return sorted(contatos, key=lambda c: c["instante"]["utc"])


async def _acordos(leitor: _Leitor) -> list[dict[str, Any]]:
    acordos = (await leitor.s.exec(select(Acordo).where(Acordo.devedor_id == leitor.id).order_by(col(Acordo.id)))).all()
    resultado = []
    for acordo in acordos:
        parcelas = (
            await leitor.s.exec(
                select(AcordoParcela).where(AcordoParcela.acordo_id == acordo.id).order_by(col(AcordoParcela.numero))
            )
        ).all()
        documentos = (
            await leitor.s.exec(
                select(DocumentoPagamento)
                .where(DocumentoPagamento.acordo_id == acordo.id)
                .order_by(col(DocumentoPagamento.id))
            )
        ).all()
        pagamentos = (
            await leitor.s.exec(
                select(PagamentoRecebido)
                .where(PagamentoRecebido.acordo_id == acordo.id)
                .order_by(col(PagamentoRecebido.id))
            )
        ).all()
        resultado.append(
            {
                "id": acordo.id,
                "instante": leitor.instante(acordo.criado_em),
                "tipo": acordo.tipo,
                "valor_original": str(acordo.valor_original),
                "desconto": str(acordo.desconto),
                "total": str(acordo.total),
                "situacao": acordo.situacao,
                "parcelas": [
                    {
                        "numero": p.numero,
                        "valor": str(p.valor),
                        "vencimento": p.vencimento.isoformat(),
                        "situacao": p.situacao,
                    }
                    for p in parcelas
                ],
                "documentos": [
                    {
                        "nosso_numero": d.nosso_numero,
                        "parcela": d.acordo_parcela_numero,
                        "valor": str(d.valor),
                        "vencimento": d.vencimento.isoformat(),
                        "linha_digitavel": d.linha_digitavel,
                        "instante": leitor.instante(d.criado_em),
                    }
                    for d in documentos
                ],
                "pagamentos": [
                    {
                        "valor": str(p.valor),
                        "pago_em": p.pago_em.isoformat(),
                        "origem": p.origem,
                        "provedor": p.provedor,
                        "instante": leitor.instante(p.criado_em),
                    }
                    for p in pagamentos
                ],
            }
        )
    return resultado


async def _eventos(leitor: _Leitor) -> list[dict[str, Any]]:
    eventos = (
        await leitor.s.exec(
            select(Evento).where(Evento.devedor_id == leitor.id).order_by(col(Evento.criado_em), col(Evento.id))
        )
    ).all()
    return [
        {"tipo": e.tipo, "instante": leitor.instante(e.criado_em), "dados": _sem_texto_livre(e.dados)} for e in eventos
    ]


def _sem_texto_livre(dados: dict[str, Any]) -> dict[str, Any]:
    """Events keep the debtor's words in `texto`: masked like the conversation."""
    return {k: mascarar(v) if k == "texto" and isinstance(v, str) else v for k, v in dados.items()}


async def _transferencias(leitor: _Leitor) -> list[dict[str, Any]]:
    linhas = (
        await leitor.s.exec(
            select(Transferencia).where(Transferencia.devedor_id == leitor.id).order_by(col(Transferencia.id))
        )
    ).all()
    return [
        {
            "motivo": t.motivo,
            "situacao": t.situacao,
            "instante": leitor.instante(t.criada_em),
            "atendida": leitor.instante(t.atendida_em),
        }
        for t in linhas
    ]


async def _acoes(leitor: _Leitor, conversas: Sequence[Conversa]) -> list[dict[str, Any]]:
    """Every action of a person on this debtor: on the debtor's conversations, and earlier exports of this file."""
    ids = [c.id for c in conversas]
    consulta = (
        select(Auditoria, Usuario)
        .join(Usuario, col(Usuario.id) == col(Auditoria.usuario_id), isouter=True)
        .where(col(Auditoria.conversa_id).in_(ids) | (col(Auditoria.acao) == ACAO_EXPORTACAO))
        .order_by(col(Auditoria.criada_em), col(Auditoria.id))
    )
    acoes = []
    for auditoria, usuario in (await leitor.s.exec(consulta)).all():
        if auditoria.acao == ACAO_EXPORTACAO and auditoria.dados.get("devedor") != leitor.id:
            continue
        quem = f"{usuario.nome} ({usuario.papel})" if usuario else "linha de comando"
        acoes.append(
            {
                "acao": auditoria.acao,
                "quem": quem,
                "instante": leitor.instante(auditoria.criada_em),
                "dados": _sem_texto_livre(auditoria.dados),
            }
        )
    return acoes


async def montar(
    s: AsyncSession, config: Config, devedor: Devedor, agora: datetime, emitido_por: str
) -> dict[str, Any]:
    """The whole file of one debtor as JSON-ready data, with the SHA-256 of everything else in it."""
    leitor = _Leitor(s, devedor)
    conversas = await leitor.conversas()
    mensagens = await _mensagens(leitor, conversas)
    credor = config.credor
    dados: dict[str, Any] = {
        "credor": {"nome": credor.nome, "cnpj": credor.cnpj, "endereco": credor.endereco},
        "devedor": {
            "id": devedor.id,
            "nome": nome_mascarado(devedor.nome),
            "cpf": mascarar_cpf(devedor.cpf),
            "uf": devedor.uf,
            "fuso": leitor.zona.key,
            "optout": leitor.instante(devedor.optout_em),
        },
        "emitido": {"instante": leitor.instante(agora), "por": emitido_por},
        "contatos": await _contatos(leitor, config, mensagens),
        "conversa": [
            {
                "instante": leitor.instante(m.criada_em),
                "canal": m.canal,
                "direcao": m.direcao,
                "texto": mascarar(m.texto),
                "situacao": m.status,
            }
            for m in mensagens
        ],
        "acordos": await _acordos(leitor),
        "transferencias": await _transferencias(leitor),
        "eventos": await _eventos(leitor),
        "acoes_de_pessoas": await _acoes(leitor, conversas),
    }
    dados["sha256"] = sha256_do_conteudo(dados)
    return dados
