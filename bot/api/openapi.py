"""The OpenAPI 3.1 document served at `/api/v1/openapi.json` (plain data; a test checks it lists every route)."""

from __future__ import annotations

from typing import Any

_ERRO = {
    "type": "object",
    "required": ["erro"],
    "properties": {
        "erro": {"type": "string", "description": "o que houve, em português"},
        "campo": {"type": "string", "description": "o campo (ou cabeçalho, ou parâmetro) com problema"},
        "erros": {
            "type": "array",
            "description": "numa carga, cada problema de cada item: campo como parcelas[3].cpf",
            "items": {
                "type": "object",
                "properties": {
                    "campo": {"type": "string"},
                    "mensagem": {"type": "string"},
                    "valor": {"type": "string"},
                },
            },
        },
    },
}
_TEXTO_OU_NUMERO = {"type": ["string", "number", "null"]}
_PARCELA = {
    "type": "object",
    "description": "uma parcela, com as mesmas colunas e a mesma validação da carteira CSV (docs/dados.md)",
    "required": ["cpf", "nome", "uf", "contrato", "parcela", "valor", "vencimento"],
    "properties": {
        nome: _TEXTO_OU_NUMERO
        for nome in (
            "cpf",
            "nome",
            "telefone",
            "uf",
            "contrato",
            "parcela",
            "valor",
            "vencimento",
            "telegram_id",
            "email",
            "nascimento",
            "segmento",
            "descricao",
        )
    },
    "additionalProperties": False,
}
_PAGINA = {
    "type": "object",
    "properties": {
        "itens": {"type": "array", "items": {"type": "object"}},
        "pagina": {"type": "integer"},
        "por_pagina": {"type": "integer"},
        "total": {"type": "integer"},
        "paginas": {"type": "integer"},
    },
}
_ID = {"name": "devedor_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
_PAGINACAO = [
    {"name": "pagina", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "por_pagina", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
]
_ENCERRADA = "cobrança encerrada por opt-out: nada mudou"
_MOTIVO = {
    "type": "object",
    "properties": {"motivo": {"type": "string", "maxLength": 200}},
    "additionalProperties": False,
}


def _json(esquema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": esquema}}}


def _operacao(resumo: str, escopo: str, respostas: dict[str, str], **extra: Any) -> dict[str, Any]:
    todas = {"401": "token ausente, inválido ou revogado", "403": "token sem o escopo", "429": "limite por minuto"}
    return {
        "summary": resumo,
        "security": [{"token": [escopo]}],
        "responses": {
            codigo: {"description": texto} | _json(_ERRO if codigo[0] == "4" else {"type": "object"})
            for codigo, texto in (respostas | todas).items()
        },
        **extra,
    }


def documento_openapi() -> dict[str, Any]:
    ler, carteira, cobranca = "devedores:ler", "carteira:escrever", "cobranca:escrever"
    pagamentos = "pagamentos:escrever"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cobrança amigável — API",
            "version": "1",
            "description": 'Valores em reais como texto ("150.00"), datas AAAA-MM-DD, instantes ISO-8601 com fuso. '
            "Erros em JSON com `erro` e `campo`. Veja docs/integracao.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}, "schemas": {"Erro": _ERRO}},
        "paths": {
            "/carteira": {
                "post": _operacao(
                    "Inclui ou atualiza devedores, contratos e parcelas (tudo ou nada; por contrato e parcela)",
                    carteira,
                    {
                        "200": "resumo do que mudou",
                        "400": "corpo inválido",
                        "413": "parcelas demais",
                        "422": "itens com erro; nada gravado",
                    },
                    requestBody=_json(
                        {
                            "type": "object",
                            "required": ["parcelas"],
                            "properties": {"parcelas": {"type": "array", "items": _PARCELA}},
                        }
                    ),
                )
            },
            "/devedores": {
                "get": _operacao(
                    "Lista os devedores (paginada)",
                    ler,
                    {"200": "uma página", "400": "paginação inválida"},
                    parameters=_PAGINACAO,
                )
            },
            "/devedores/busca": {
                "post": _operacao(
                    "Situação de um devedor pelo CPF (no corpo, nunca na URL)",
                    ler,
                    {"200": "a situação", "400": "CPF inválido", "404": "CPF desconhecido"},
                    requestBody=_json(
                        {"type": "object", "required": ["cpf"], "properties": {"cpf": {"type": "string"}}}
                    ),
                )
            },
            "/devedores/{devedor_id}": {
                "get": _operacao(
                    "Situação: contatos, cobrança (ativa, pausada, opt-out), parcelas, acordo ativo",
                    ler,
                    {"200": "a situação", "404": "devedor desconhecido"},
                    parameters=[_ID],
                )
            },
            "/devedores/{devedor_id}/acordos": {
                "get": _operacao(
                    "Acordos do devedor com suas parcelas e o que já foi pago (paginada)",
                    ler,
                    {"200": "uma página", "404": "devedor desconhecido"},
                    parameters=[_ID, *_PAGINACAO],
                )
            },
            "/devedores/{devedor_id}/documentos": {
                "get": _operacao(
                    "Boletos e PIX emitidos para o devedor (paginada)",
                    ler,
                    {"200": "uma página", "404": "devedor desconhecido"},
                    parameters=[_ID, *_PAGINACAO],
                )
            },
            "/devedores/{devedor_id}/pausa": {
                "post": _operacao(
                    "Pausa a régua deste devedor (por regua.pausa_dias, ou até ser retomada)",
                    cobranca,
                    {"200": "pausada", "400": "motivo ausente", "404": "devedor desconhecido", "409": _ENCERRADA},
                    parameters=[_ID],
                    requestBody={"required": True} | _json(_MOTIVO | {"required": ["motivo"]}),
                ),
                "delete": _operacao(
                    "Retoma a régua",
                    cobranca,
                    {"200": "ativa", "404": "devedor desconhecido", "409": _ENCERRADA},
                    parameters=[_ID],
                ),
            },
            "/devedores/{devedor_id}/optout": {
                "post": _operacao(
                    "Registra que o devedor não quer mais mensagens (os lembretes pendentes são descartados)",
                    cobranca,
                    {"201": "registrado", "200": "já estava registrado", "404": "devedor desconhecido"},
                    parameters=[_ID],
                    requestBody={"required": False} | _json(_MOTIVO),  # no body at all is fine too
                )
            },
            "/pagamentos": {
                "post": _operacao(
                    "Registra o pagamento de um documento (nosso número ou txid), uma vez por Idempotency-Key",
                    pagamentos,
                    {
                        "201": "registrado",
                        "200": "já registrado com esta chave",
                        "400": "corpo ou chave inválidos",
                        "404": "documento desconhecido",
                        "422": "a chave já registrou outro pagamento (documento, valor ou data diferentes)",
                    },
                    parameters=[
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 100},
                        }
                    ],
                    requestBody=_json(
                        {
                            "type": "object",
                            "required": ["documento", "valor", "data"],
                            "properties": {
                                "documento": {"type": "string"},
                                "valor": {"type": ["string", "number"]},
                                "data": {"type": "string", "format": "date"},
                            },
                        }
                    ),
                )
            },
        },
    }
