"""The conversation memory: typed inside, and the JSON stored with every conversation still reads the same."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.conversa.fatos import Entrada, Memoria, NovoAcordo, PropostaFeita, Transferir
from bot.negociacao.plano import Plano
from tests.apoio.dialogo import Dialogo, fatos_maria
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import AGORA

# Stored by the version before the memory was typed (`Memoria.para_dict()`, state "confirmacao"): Maria asked for
# the 30th, offered 100 a month, and was shown the 4-parcel plan. Kept literally: conversations stored like this
# exist and must go on the same way.
GRAVADA: dict[str, Any] = {
    "identidade_ok": True,
    "fatores_ok": ["cpf"],
    "falhas_identidade": 0,
    "incompreensoes": 0,
    "motivo": "esqueci",
    "opcao": 1,
    "nivel": 1,
    "plano": {
        "faixa": "atraso",
        "opcao": 1,
        "tipo": "parcelado",
        "valor_original": "308.50",
        "desconto": "6.00",
        "valor_negociado": "302.50",
        "juros_mensal_percentual": "0",
        "parcelas": [
            {"numero": 1, "valor": "75.63", "vencimento": "2026-11-30"},
            {"numero": 2, "valor": "75.62", "vencimento": "2026-12-30"},
            {"numero": 3, "valor": "75.62", "vencimento": "2027-02-01"},
            {"numero": 4, "valor": "75.63", "vencimento": "2027-03-01"},
        ],
    },
    "concessao": False,
    "proposta": {
        "texto": "consigo pagar 100 por mes",
        "valor_parcela": "100.00",
        "parcelas": None,
        "valor_total": None,
        "atendida": True,
    },
    "primeiro_vencimento": "2026-11-30",
    "acordos": 0,
    "acordo": None,
    "ultima_atividade": "2026-11-23T14:00:00+00:00",
}


def _passo(texto: str) -> tuple[str, Memoria, list[str], list[object]]:
    motor = projeto_padrao().motor
    decisao = motor.passo("confirmacao", Memoria.de_dict(copy.deepcopy(GRAVADA)), Entrada(texto), fatos_maria(), AGORA)
    return decisao.estado, decisao.memoria, [r.texto for r in decisao.respostas], list(decisao.efeitos)


def test_memoria_gravada_le_tipada_e_grava_igual() -> None:
    memoria = Memoria.de_dict(copy.deepcopy(GRAVADA))
    assert memoria.plano is not None and memoria.plano.quantidade == 4 and memoria.plano.total == Decimal("302.50")
    proposta = PropostaFeita("consigo pagar 100 por mes", valor_parcela=Decimal("100.00"), atendida=True)
    assert memoria.proposta == proposta
    assert memoria.primeiro_vencimento == date(2026, 11, 30)
    assert memoria.ultima_atividade == AGORA and memoria.fatores_ok == ("cpf",)
    assert memoria.para_dict() == GRAVADA
    assert json.loads(json.dumps(memoria.para_dict())) == GRAVADA  # what the JSON column holds


def test_memoria_gravada_e_a_mesma_da_conversa_ao_vivo() -> None:
    dialogo = Dialogo(projeto_padrao().motor, fatos_maria())
    for texto in ("oi", "sim", "390", "esqueci", "só consigo dia 30", "consigo pagar 100 por mes"):
        dialogo.diz(texto)
    assert dialogo.estado == "confirmacao"
    assert dialogo.memoria == Memoria.de_dict(GRAVADA)


def test_memoria_gravada_fecha_o_acordo_mostrado() -> None:
    """The replies below are what the version before the typed memory answered from the same stored JSON."""
    estado, memoria, textos, efeitos = _passo("aceito")
    assert estado == "pagamento"
    assert "Para pagar a entrada, de *R$\xa075,63*, até 30/11/2026" in textos[0]
    (acordo,) = [e for e in efeitos if isinstance(e, NovoAcordo)]
    assert (acordo.chave, acordo.origem) == ("conversa-7-acordo-1", (1, 2))
    assert acordo.plano == Plano.de_dict(GRAVADA["plano"])
    assert memoria.para_dict()["acordo"] == GRAVADA["plano"] and memoria.acordos == 1


def test_memoria_gravada_muda_a_data_do_plano_guardado() -> None:
    estado, memoria, textos, _ = _passo("dia 28")
    assert estado == "confirmacao"
    assert "Parcela 2/4: R$\xa075,62 — vence 28/12/2026" in textos[0]
    assert memoria.primeiro_vencimento == date(2026, 11, 28)
    assert memoria.para_dict()["plano"] == {
        **GRAVADA["plano"],
        "parcelas": [
            {"numero": 1, "valor": "75.63", "vencimento": "2026-11-30"},
            {"numero": 2, "valor": "75.62", "vencimento": "2026-12-28"},
            {"numero": 3, "valor": "75.62", "vencimento": "2027-01-28"},
            {"numero": 4, "valor": "75.63", "vencimento": "2027-03-01"},
        ],
    }


def test_memoria_gravada_passa_a_proposta_e_a_oferta_a_equipe() -> None:
    estado, _, _, efeitos = _passo("quero falar com atendente")
    assert estado == "transferido"
    (transferir,) = [e for e in efeitos if isinstance(e, Transferir)]
    assert transferir.dados["proposta"] == GRAVADA["proposta"]
    assert transferir.dados["ultima_oferta"] == GRAVADA["plano"]


def test_memoria_de_versao_antiga_ignora_chaves_desconhecidas_e_completa_as_ausentes() -> None:
    antiga = {"identidade_ok": True, "fatores_ok": ["cpf"], "tentativas": 2, "plano": GRAVADA["plano"]}
    memoria = Memoria.de_dict(antiga)
    assert memoria.identidade_ok and memoria.plano == Plano.de_dict(GRAVADA["plano"])
    assert (memoria.proposta, memoria.acordo, memoria.primeiro_vencimento, memoria.nivel) == (None, None, None, -1)
    assert Memoria.de_dict({}) == Memoria() == Memoria.de_dict(None)


@pytest.mark.parametrize(
    ("chave", "valor", "mensagem"),
    [
        ("plano", {**GRAVADA["plano"], "parcelas": []}, "memoria.plano: plano inválido: plano sem parcelas"),
        ("proposta", {**GRAVADA["proposta"], "valor_parcela": 1.5}, "memoria.proposta: proposta inválida: valor 1.5"),
        ("proposta", {"valor_parcela": "100"}, "memoria.proposta: proposta inválida: falta a chave 'texto'"),
        ("fatores_ok", "cpf", "memoria.fatores_ok: 'cpf' (esperada uma lista de textos"),
        ("nivel", "2", "memoria.nivel: '2' (esperado um número inteiro)"),
        ("acordos", True, "memoria.acordos: True (esperado um número inteiro)"),
        ("identidade_ok", 1, "memoria.identidade_ok: 1 (esperado true ou false)"),
        ("primeiro_vencimento", "30/11/2026", "memoria.primeiro_vencimento: '30/11/2026' (esperada uma data AAAA-MM-"),
        ("ultima_atividade", 3, "memoria.ultima_atividade: 3 (esperados data e hora ISO 8601"),
        ("ultima_atividade", "2026-11-23T14:00", "memoria.ultima_atividade: '2026-11-23T14:00' sem fuso horário"),
    ],
)
def test_memoria_ilegivel_diz_qual_chave(chave: str, valor: object, mensagem: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(mensagem)):
        Memoria.de_dict({**GRAVADA, chave: valor})
