"""The history an agent reads: a pt-BR sentence per event and per person's action, never an internal word."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.console.historico import ACOES, EVENTOS, frase_acao, frase_evento
from tests.apoio.console import Ambiente, entrar, postar

NOMES = {"agente:1": "Ana Atendente", "agente:2": "Beto Agente"}
EXEMPLOS_EVENTOS: dict[str, tuple[dict[str, object], str]] = {
    "identidade_ok": ({"fator": "cpf"}, "Identidade confirmada (CPF)"),
    "identidade_fator_ok": ({"fator": "nascimento"}, "data de nascimento confirmado; falta o outro fator"),
    "identidade_falha": ({"fator": "cpf", "tentativa": 2}, "Identidade não confirmada: CPF errado (tentativa 2)"),
    "motivo": ({"motivo": "sem_renda", "texto": "tô sem trampo"}, "Motivo do atraso: está sem renda"),
    "oferta": ({"opcao": 0, "total": "979.80", "parcelas": 1}, "Oferta: opção 1 do book, à vista, total R$\xa0979,80"),
    "proposta": (
        {"texto": "200 por mês", "valor_parcela": "200", "parcelas": None, "valor_total": None, "atendida": False},
        "Contraproposta do devedor: parcela de R$\xa0200,00 (não cabe no book)",
    ),
    "data_pedida": ({"data": "2026-12-10"}, "O devedor pediu o vencimento para 10/12/2026"),
    "aparte": ({"intencao": "golpe", "texto": "isso é golpe?"}, "Pergunta fora do roteiro, respondida pelo bot"),
    "pagamento_informado": ({"texto": "já paguei", "data": None}, "O devedor diz que já pagou"),
    "comprovante_a_conferir": (
        {"origem": "comprovante", "anexo": 4, "valor": "100.00", "motivo": "nenhuma parcela em aberto de R$ 100,00"},
        "Comprovante enviado a conferir: nenhuma parcela em aberto de R$ 100,00",
    ),
    "acordo": ({"acordo_id": 3, "total": "1200.5"}, "Acordo nº 3 registrado: total R$\xa01.200,50"),
    "transferencia": ({"motivo": "pedido"}, "Passada a uma pessoa: pediu uma pessoa"),
    "pausa": (
        {"motivo": "promessa", "data": "2026-11-30", "valor": "150.00"},
        "Régua pausada: promessa de pagamento de R$\xa0150,00 para 30/11/2026",
    ),
    "optout": ({"texto": "PARAR", "canal": "whatsapp"}, "pediu para não receber mais mensagens"),
    "numero_errado": ({"texto": "não sou eu", "canal": "whatsapp"}, "número errado"),
    "pagamento": (
        {
            "acordo": 3,
            "parcela": 1,
            "valor": "150.00",
            "data": "2026-11-24",
            "restante": "0.00",
            "quitado": True,
            "provedor": "asaas",
            "id_provedor": "pay_1",
        },
        "Pagamento de R$\xa0150,00 em 24/11/2026: parcela 1 do acordo nº 3 (Asaas); acordo quitado",
    ),
    "agradecimento_sem_canal": ({}, "o agradecimento não saiu"),
    "cobranca_emitida": ({"documento": 9, "provedor": "asaas", "id_externo": "x"}, "documento nº 9 emitida (Asaas)"),
    "cobranca_emitida_sem_canal": ({"documento": 9}, "o devedor não foi avisado: nenhum canal disponível"),
    "erro_provedor": ({"documento": 9, "provedor": "asaas", "erro": "CPF inválido"}, "(CPF inválido); nova tentativa"),
    "erro_provedor_desistiu": (
        {"documento": 9, "provedor": "asaas", "chave": "k", "tentativas": 5, "erro": "timeout"},
        "Cobrança do documento nº 9 não emitida após 5 tentativas (timeout): envie o link de novo ou renegocie",
    ),
    "acordo_quebrado": (
        {"acordo": 3, "dias_para_quebra": 30, "abatido": "150.00"},
        "Acordo nº 3 quebrado após 30 dias sem pagamento; dívida original reaberta, abatido R$\xa0150,00",
    ),
    "alerta_transferencia": ({"transferencia_id": 1, "motivo": "pedido", "minutos": 30}, "ninguém assumiu em 30 min"),
    "contato_por_pessoa": ({}, "Um atendente escreveu primeiro"),
    "identificacao_telegram_falha": ({}, "CPF errado na identificação pelo Telegram"),
    "identificacao_telegram_bloqueada": ({"falhas": 5}, "bloqueada após 5 CPFs errados"),
}
EXEMPLOS_ACOES: dict[str, tuple[dict[str, object], str]] = {
    "assumiu": ({}, "Ana Atendente assumiu a conversa"),
    "reatribuiu": (
        {"de": "agente:1", "para": "agente:2"},
        "Ana Atendente passou a conversa de Ana Atendente para Beto",
    ),
    "respondeu": ({"caracteres": 12}, "Ana Atendente respondeu ao devedor"),
    "anotou": ({}, "Ana Atendente escreveu uma nota"),
    "promessa": ({"valor": "150.00", "data": "2026-11-30"}, "registrou a promessa de R$\xa0150,00 para 30/11/2026"),
    "devolveu": ({"ponto": "oferta", "opcao": 1, "aprovado": False}, "ao bot em “oferta”, com a opção 2 do book"),
    "pediu_aprovacao": ({"limites": ["18 parcelas"]}, "pediu aprovação de um plano acima do book (18 parcelas)"),
    "aprovou_oferta": ({"aprovacao": 1}, "Ana Atendente aprovou o plano acima do book"),
    "recusou_oferta": ({"aprovacao": 1}, "Ana Atendente recusou o plano acima do book"),
    "emitiu_link": ({"acordo": 3, "parcela": 2, "documento": 7, "novo": True}, "parcela 2 do acordo nº 3 (documento"),
    "registrou_pagamento": (
        {"documento": 7, "acordo": 3, "parcela": 2, "valor": "99.9", "data": "2026-11-20", "id_pagamento": "n"},
        "registrou o pagamento conferido de R$\xa099,90 em 20/11/2026 (parcela 2 do acordo nº 3)",
    ),
}
PALAVRA_INTERNA = re.compile(r"[a-z]+_[a-z]+|\b\d+\.\d\d\b")  # identidade_ok, sem_renda, 979.80


def test_pagamento_informado_por_comprovante() -> None:
    dados = {"origem": "comprovante", "anexo": 4, "valor": "489.90", "data": "2026-11-22", "alvo": "parcela:3"}
    frase = frase_evento("pagamento_informado", dados)
    assert frase == "Comprovante enviado confere em 22/11/2026: R$\xa0489,90, aguardando a confirmação do banco"


def test_todo_tipo_tem_exemplo() -> None:
    assert set(EXEMPLOS_EVENTOS) == set(EVENTOS) and set(EXEMPLOS_ACOES) == set(ACOES)


@pytest.mark.parametrize("tipo", sorted(EXEMPLOS_EVENTOS))
def test_frase_de_cada_evento(tipo: str) -> None:
    dados, esperado = EXEMPLOS_EVENTOS[tipo]
    frase = frase_evento(tipo, dados)
    assert esperado in frase and not PALAVRA_INTERNA.search(frase), frase


@pytest.mark.parametrize("acao", sorted(EXEMPLOS_ACOES))
def test_frase_de_cada_acao(acao: str) -> None:
    dados, esperado = EXEMPLOS_ACOES[acao]
    frase = frase_acao(acao, dados, "Ana Atendente", NOMES)
    assert esperado in frase and not PALAVRA_INTERNA.search(frase), frase


def test_tipo_desconhecido_ou_linha_antiga_ainda_aparece() -> None:
    assert frase_evento("novo_tipo", {}) == "Registro “novo_tipo”"
    assert frase_evento("oferta", {"opcao": "x"}) == "Registro “oferta”"  # never a crash of the page
    assert frase_acao("nova_acao", {}, "Ana", NOMES) == "Ana: ação “nova_acao”"


async def test_pagina_mostra_eventos_e_acoes_em_frases(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    for acao, campos in [("assumir", {}), ("promessas", {"valor": "150,00", "data": "2026-11-30"}),
                         ("devolver", {"ponto": "oferta", "opcao": "0"})]:  # fmt: skip
        amb.relogio.agora += timedelta(minutes=1)
        assert await postar(ana, conversa, acao, **campos) == 303
    html = await (await ana.get(f"/console/conversas/{conversa}")).text()
    historico = re.search(r'<ul class="eventos" id="historico">(.*?)</ul>', html, re.S)
    assert historico is not None
    linhas = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", historico.group(1))]
    textos = [linha.split(" ", 2)[2] for linha in linhas]  # after "dd/mm/aaaa hh:mm"
    inicio = [
        "Identidade confirmada (CPF)",
        "Passada a uma pessoa: pediu uma pessoa",
        "Ana assumiu a conversa",
    ]
    assert textos[:3] == inicio
    assert "Ana registrou a promessa de R$\xa0150,00 para 30/11/2026" in textos
    assert "Régua pausada: promessa de pagamento de R$\xa0150,00 para 30/11/2026" in textos
    assert "Ana devolveu a conversa ao bot em “oferta”, com a opção 1 do book" in textos
    assert any(t.startswith("Oferta: opção 1 do book") and "(escolhida pelo atendente)" in t for t in textos)
    assert not [t for t in textos if PALAVRA_INTERNA.search(t)]
