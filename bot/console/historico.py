"""A conversation's history as an agent reads it: pt-BR sentences, amounts in reais, dates as dd/mm/aaaa.

The bot's and the payments' events (table `evento`) and every action a person took (table `auditoria`), in the
order they happened. Each kind has one sentence here; a kind this module does not know still gets a line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.atendentes import Auditoria
from bot.dados.modelos import PREFIXO_AGENTE, Evento
from bot.formatos import brl, data_br

MOTIVOS_ATRASO = {
    "esqueci": "esqueceu",
    "sem_renda": "está sem renda",
    "doenca": "doença",
    "contestacao": "contesta a cobrança",
    "ja_paguei": "diz que já pagou",
    "outro": "outro motivo",
}
MOTIVOS_TRANSFERENCIA = {
    "pedido": "pediu uma pessoa",
    "contestacao": "contesta a cobrança",
    "identidade": "identidade bloqueada após tentativas erradas",
    "proposta": "contraproposta fora do book",
    "incompreensao": "o bot não entendeu repetidas vezes",
    "ja_paguei": "diz que já pagou (conferir)",
    "sem_oferta": "nenhuma opção do book serve",
    "sem_acordo": "não fechou acordo",
    "comprovante": "comprovante que não confere (conferir com prioridade)",
}
FATORES = {"cpf": "CPF", "nascimento": "data de nascimento"}
PONTOS = {
    "inicio": "início",
    "saldo": "saldo e motivo",
    "oferta": "oferta",
    "pagamento": "pagamento",
    "encerrar": "encerrar",
}
PROVEDORES = {
    "local": "boleto/PIX próprio",
    "asaas": "Asaas",
    "agente": "conferido por um atendente",
    "retorno": "retorno bancário",
}


@dataclass(frozen=True)
class LinhaHistorico:
    quando: datetime
    texto: str
    pessoa: bool  # an action of a person (audit log), not of the bot or the payments


def _reais(valor: Any) -> str:
    return brl(Decimal(str(valor)))


def _dia(valor: Any) -> str:
    return data_br(date.fromisoformat(str(valor)[:10]))


def _provedor(d: Mapping[str, Any]) -> str:
    nome = str(d.get("provedor", ""))
    return PROVEDORES.get(nome, nome)


def _oferta(d: Mapping[str, Any]) -> str:
    forma = "à vista" if int(d.get("parcelas", 1)) == 1 else f"em {d['parcelas']}x"
    por = {"atendente": " (escolhida pelo atendente)", "aprovacao": " (plano aprovado por um gestor)"}
    origem = por.get(str(d.get("por", "")), "")
    return f"Oferta: opção {int(d['opcao']) + 1} do book, {forma}, total {_reais(d['total'])}{origem}"


def _proposta(d: Mapping[str, Any]) -> str:
    partes = []
    if d.get("parcelas"):
        partes.append(f"{d['parcelas']} parcelas")
    if d.get("valor_parcela"):
        partes.append(f"parcela de {_reais(d['valor_parcela'])}")
    if d.get("valor_total"):
        partes.append(f"total de {_reais(d['valor_total'])}")
    pedido = ", ".join(partes) or f"“{d.get('texto', '')}”"
    return f"Contraproposta do devedor: {pedido} ({'cabe' if d.get('atendida') else 'não cabe'} no book)"


def _pagamento(d: Mapping[str, Any]) -> str:
    via = _provedor(d)
    frase = f"Pagamento de {_reais(d['valor'])} em {_dia(d['data'])}: parcela {d['parcela']} do acordo nº {d['acordo']}"
    fim = "acordo quitado" if d.get("quitado") else f"faltam {_reais(d['restante'])}"
    return f"{frase} ({via}); {fim}"


def _pausa(d: Mapping[str, Any]) -> str:
    if d.get("motivo") == "promessa":
        return f"Régua pausada: promessa de pagamento de {_reais(d['valor'])} para {_dia(d['data'])}"
    return f"Régua pausada: {MOTIVOS_ATRASO.get(d.get('motivo', ''), d.get('motivo', ''))}"


EVENTOS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "identidade_ok": lambda d: f"Identidade confirmada ({FATORES.get(d.get('fator', ''), d.get('fator', ''))})",
    "identidade_fator_ok": lambda d: f"{FATORES.get(d.get('fator', ''), 'Um fator')} confirmado; falta o outro fator",
    "identidade_falha": lambda d: (
        f"Identidade não confirmada: {FATORES.get(d.get('fator') or '', 'resposta')} "
        f"errado (tentativa {d.get('tentativa', '?')})"
    ),
    "motivo": lambda d: f"Motivo do atraso: {MOTIVOS_ATRASO.get(d['motivo'], d['motivo'])}",
    "oferta": _oferta,
    "proposta": _proposta,
    "data_pedida": lambda d: f"O devedor pediu o vencimento para {_dia(d['data'])}",
    "aparte": lambda d: f"Pergunta fora do roteiro, respondida pelo bot: “{d.get('texto', '')}”",
    "pagamento_informado": lambda d: (
        ("Comprovante enviado confere" if d.get("origem") == "comprovante" else "O devedor diz que já pagou")
        + (f" em {_dia(d['data'])}" if d.get("data") else "")
        + (f": {_reais(d['valor'])}, aguardando a confirmação do banco" if d.get("valor") else "")
    ),
    "comprovante_a_conferir": lambda d: f"Comprovante enviado a conferir: {d.get('motivo', 'sem leitura')}",
    "acordo": lambda d: f"Acordo nº {d['acordo_id']} registrado: total {_reais(d['total'])}",
    "transferencia": lambda d: f"Passada a uma pessoa: {MOTIVOS_TRANSFERENCIA.get(d['motivo'], d['motivo'])}",
    "pausa": _pausa,
    "optout": lambda d: f"O devedor pediu para não receber mais mensagens (opt-out, por {d.get('canal', '?')})",
    "numero_errado": lambda d: f"Disse que não é o devedor: número errado ({d.get('canal', '?')})",
    "pagamento": _pagamento,
    "agradecimento_sem_canal": lambda d: "Pagamento confirmado; o agradecimento não saiu: nenhum canal para o devedor",
    "cobranca_emitida": lambda d: f"Cobrança do documento nº {d['documento']} emitida ({_provedor(d)})",
    "cobranca_emitida_sem_canal": lambda d: (
        f"Cobrança do documento nº {d['documento']} emitida, mas o devedor não foi avisado: nenhum canal disponível"
    ),
    "erro_provedor": lambda d: (
        f"O provedor {_provedor(d)} não emitiu "
        f"a cobrança do documento nº {d['documento']} ({d.get('erro') or 'sem motivo'}); nova tentativa automática"
    ),
    "erro_provedor_desistiu": lambda d: (
        f"Cobrança do documento nº {d['documento']} não emitida após "
        f"{d.get('tentativas', '?')} tentativas ({d.get('erro') or 'sem motivo'}): envie o link de novo ou renegocie"
    ),
    "acordo_quebrado": lambda d: (
        f"Acordo nº {d['acordo']} quebrado após {d['dias_para_quebra']} dias sem pagamento; "
        f"dívida original reaberta, abatido {_reais(d['abatido'])}"
    ),
    "alerta_transferencia": lambda d: f"Alerta aos gestores: ninguém assumiu em {d.get('minutos', '?')} min",
    "contato_por_pessoa": lambda d: "Um atendente escreveu primeiro (conta nos limites de contato da régua)",
    "identificacao_telegram_falha": lambda d: "CPF errado na identificação pelo Telegram",
    "identificacao_telegram_bloqueada": lambda d: (
        f"Identificação pelo Telegram bloqueada após {d.get('falhas', '?')} CPFs errados"
    ),
}


def _devolveu(d: Mapping[str, Any]) -> str:
    if d.get("ponto") == "encerrar":
        return "devolveu a conversa ao bot e a encerrou"
    frase = f"devolveu a conversa ao bot em “{PONTOS.get(str(d.get('ponto', '')), d.get('ponto', ''))}”"
    if d.get("aprovado"):
        return f"{frase}, com o plano aprovado"
    return f"{frase}, com a opção {int(d['opcao']) + 1} do book" if d.get("opcao") is not None else frase


ACOES: dict[str, Callable[[Mapping[str, Any], Callable[[str], str]], str]] = {
    "assumiu": lambda d, nome: "assumiu a conversa",
    "reatribuiu": lambda d, nome: f"passou a conversa de {nome(d.get('de', ''))} para {nome(d.get('para', ''))}",
    "respondeu": lambda d, nome: "respondeu ao devedor",
    "anotou": lambda d, nome: "escreveu uma nota",
    "promessa": lambda d, nome: f"registrou a promessa de {_reais(d['valor'])} para {_dia(d['data'])}",
    "devolveu": lambda d, nome: _devolveu(d),
    "pediu_aprovacao": lambda d, nome: (
        "pediu aprovação de um plano acima do book" + (f" ({'; '.join(d['limites'])})" if d.get("limites") else "")
    ),
    "aprovou_oferta": lambda d, nome: "aprovou o plano acima do book",
    "recusou_oferta": lambda d, nome: "recusou o plano acima do book",
    "emitiu_link": lambda d, nome: (
        f"enviou o link de pagamento da parcela {d['parcela']} do acordo nº {d['acordo']}"
        + (" (documento novo)" if d.get("novo") else "")
    ),
    "registrou_pagamento": lambda d, nome: (
        f"registrou o pagamento conferido de {_reais(d['valor'])} em "
        f"{_dia(d['data'])} (parcela {d['parcela']} do acordo nº {d['acordo']})"
    ),
}


def frase_evento(tipo: str, dados: Mapping[str, Any]) -> str:
    try:
        return EVENTOS[tipo](dados)
    except (KeyError, ValueError, TypeError, InvalidOperation):  # an unknown kind, or a row from an older version
        return f"Registro “{tipo}”"


def frase_acao(acao: str, dados: Mapping[str, Any], quem: str, nomes: Mapping[str, str]) -> str:
    def nome(dono: str) -> str:
        return {"bot": "o bot", "fila": "a fila"}.get(dono) or nomes.get(dono, dono)

    try:
        return f"{quem} {ACOES[acao](dados, nome)}"
    except (KeyError, ValueError, TypeError, InvalidOperation):
        return f"{quem}: ação “{acao}”"


async def carregar_historico(
    s: AsyncSession, devedor_id: int, conversa_id: int, nomes: Mapping[str, str]
) -> list[LinhaHistorico]:
    """The debtor's events and the people's actions on this conversation, oldest first (`nomes`: owner → name)."""
    eventos = (await s.exec(select(Evento).where(Evento.devedor_id == devedor_id).order_by(col(Evento.id)))).all()
    acoes = (
        await s.exec(select(Auditoria).where(Auditoria.conversa_id == conversa_id).order_by(col(Auditoria.id)))
    ).all()
    linhas = [LinhaHistorico(e.criado_em, frase_evento(e.tipo, e.dados), False) for e in eventos]
    for a in acoes:
        quem = nomes.get(f"{PREFIXO_AGENTE}{a.usuario_id}", "Alguém")
        linhas.append(LinhaHistorico(a.criada_em, frase_acao(a.acao, a.dados, quem, nomes), True))
    return sorted(linhas, key=lambda linha: linha.quando)  # stable: same instant keeps the table's order
