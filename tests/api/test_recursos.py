"""`/api/v1` through a real HTTP client against `serve`'s app: tokens and scopes, the portfolio upsert with the
CSV import's validation, a debtor's status, pause/resume/opt-out, payments by idempotency key, pages, limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from bot.api.recursos import ROTAS
from bot.api.tokens import hash_do_token
from bot.dados.atendentes import Auditoria
from bot.dados.banco import sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.integracao import EventoSaida, TokenApi
from bot.dados.modelos import Devedor, DocumentoPagamento, Evento, Parcela
from bot.projeto import Projeto, carregar_projeto
from tests.apoio.ambiente_api import AmbienteApi, ambiente_api

CPF_NOVO = "52998224725"
ITEM = {"cpf": "529.982.247-25", "nome": "Joana Prado", "telefone": "(21) 99876-5432", "uf": "RJ",
        "contrato": "API-1", "parcela": 1, "valor": "250.00", "vencimento": "2026-12-10"}  # fmt: skip


@pytest.fixture
async def amb(projeto: Projeto, url: str) -> AsyncIterator[AmbienteApi]:
    """The API's environment (this module's `amb`; elsewhere `amb` is the console's)."""
    async with ambiente_api(projeto, url) as ambiente:
        yield ambiente


async def _contar(amb: AmbienteApi, modelo: Any) -> int:
    async with sessao(amb.engine) as s:
        return int((await s.exec(select(func.count()).select_from(modelo))).one())


async def test_token_ausente_invalido_sem_escopo_ou_revogado(amb: AmbienteApi) -> None:
    sem = await amb.cliente.get("/api/v1/devedores")
    assert sem.status == 401 and sem.headers["WWW-Authenticate"].startswith("Bearer")
    assert await sem.json() == {"erro": "token ausente: envie Authorization: Bearer <token>", "campo": "Authorization"}
    errado = await amb.cliente.get("/api/v1/devedores", headers={"Authorization": "Bearer cba_nao-existe"})
    assert errado.status == 401 and (await errado.json())["erro"] == "token inválido ou revogado"
    leitor = await amb.token("leitor", ["devedores:ler"])
    assert (await amb.cliente.get("/api/v1/devedores", headers=leitor)).status == 200
    proibido = await amb.cliente.post("/api/v1/devedores/1/optout", json={}, headers=leitor)
    assert proibido.status == 403 and "cobranca:escrever" in (await proibido.json())["erro"]
    async with sessao(amb.engine) as s:  # only the hash is stored
        guardado = (await s.exec(select(TokenApi).where(TokenApi.nome == "leitor"))).one()
        assert guardado.token_hash == hash_do_token(amb.tokens["leitor"]) and amb.tokens["leitor"] not in str(
            guardado.model_dump()
        )
        guardado.revogado_em = amb.relogio()
        s.add(guardado)
        await s.commit()
    assert (await amb.cliente.get("/api/v1/devedores", headers=leitor)).status == 401


async def test_carteira_inclui_e_repete_sem_duplicar(amb: AmbienteApi) -> None:
    cabecalhos = await amb.token("erp")
    itens = [ITEM, ITEM | {"parcela": 2, "vencimento": "10/01/2027", "valor": 250}]
    primeira = await amb.cliente.post("/api/v1/carteira", json={"parcelas": itens}, headers=cabecalhos)
    assert primeira.status == 200, await primeira.text()
    assert await primeira.json() == {
        "devedores": {CPF_NOVO: 9},
        "devedores_novos": 1,
        "devedores_atualizados": 0,
        "parcelas_novas": 2,
        "parcelas_atualizadas": 0,
        "parcelas_mantidas": 0,
    }
    mudada = [ITEM | {"valor": "260.00"}, itens[1]]
    segunda = await (await amb.cliente.post("/api/v1/carteira", json={"parcelas": mudada}, headers=cabecalhos)).json()
    assert segunda["parcelas_novas"] == 0 and segunda["parcelas_atualizadas"] == 1 and segunda["parcelas_mantidas"] == 1
    busca = await amb.cliente.post("/api/v1/devedores/busca", json={"cpf": CPF_NOVO}, headers=cabecalhos)
    situacao = await busca.json()
    assert situacao["nome"] == "Joana Prado" and situacao["telefone"] == "+5521998765432"
    assert [(p["parcela"], p["valor"]) for p in situacao["parcelas"]] == [(1, "260.00"), (2, "250.00")]
    assert situacao["em_aberto"] == "510.00" and situacao["cobranca"] == "ativa"
    async with sessao(amb.engine) as s:
        acoes = (await s.exec(select(Auditoria.acao).where(col(Auditoria.acao).startswith("api:")))).all()
    assert acoes == ["api:carteira", "api:carteira"]


async def test_carteira_com_erros_nao_grava_nada_e_nomeia_cada_campo(amb: AmbienteApi) -> None:
    cabecalhos = await amb.token("erp")
    antes = (await _contar(amb, Devedor), await _contar(amb, Parcela))
    itens = [
        ITEM,
        ITEM | {"cpf": "123.456.789-00", "contrato": "API-2"},
        ITEM | {"parcela": 1, "valor": "0"},
        ITEM | {"apelido": "Jo", "uf": ["RJ"]},
        "não é um objeto",
        ITEM | {"contrato": "CARNE-10234"},  # Maria's contract in the example portfolio
    ]
    resposta = await amb.cliente.post("/api/v1/carteira", json={"parcelas": itens}, headers=cabecalhos)
    assert resposta.status == 422
    corpo = await resposta.json()
    assert corpo["erro"].startswith("nada foi gravado")
    por_campo = {e["campo"]: e["mensagem"] for e in corpo["erros"]}
    assert por_campo["parcelas[1].cpf"] == "CPF inválido"
    assert por_campo["parcelas[2].valor"] == "valor deve ser maior que zero"
    assert por_campo["parcelas[3].apelido"].startswith("campo desconhecido")
    assert por_campo["parcelas[3].uf"] == "esperado um texto ou um número"
    assert por_campo["parcelas[4]"] == "esperado um objeto com as colunas da carteira"
    assert (await _contar(amb, Devedor), await _contar(amb, Parcela)) == antes
    repetido = await amb.cliente.post("/api/v1/carteira", json={"parcelas": [ITEM, ITEM | {"valor": "9.99"}]},
                                      headers=cabecalhos)  # fmt: skip
    assert repetido.status == 422 and (await repetido.json())["erros"] == [
        {"campo": "parcelas[1].parcela", "mensagem": "parcela repetida no contrato, já está na linha 0", "valor": "1"}
    ]
    sozinho = await amb.cliente.post("/api/v1/carteira", json={"parcelas": [itens[5]]}, headers=cabecalhos)
    assert sozinho.status == 422  # the database's contradiction: the contract is Maria's
    (erro,) = (await sozinho.json())["erros"]
    assert (
        erro["campo"] == "parcelas[0].contrato"
        and "já cadastrado no banco para o CPF ***.533.447-**" in erro["mensagem"]
    )
    for corpo_ruim, campo in (({"parcelas": []}, "parcelas"), ({"parcela": [ITEM]}, "parcela")):
        recusa = await amb.cliente.post("/api/v1/carteira", json=corpo_ruim, headers=cabecalhos)
        assert recusa.status == 400 and (await recusa.json())["campo"] == campo
    quebrado = await amb.cliente.post("/api/v1/carteira", data=b'{"parcelas": [', headers=cabecalhos)
    assert quebrado.status == 400 and (await quebrado.json()) == {"erro": "corpo inválido: esperado JSON"}
    grande = await amb.cliente.post("/api/v1/carteira", data=b"x" * 70_000, headers=cabecalhos)
    assert grande.status == 413 and "máximo 64 KB" in (await grande.json())["erro"]
    assert (await _contar(amb, Devedor), await _contar(amb, Parcela)) == antes


async def test_listas_paginadas(amb: AmbienteApi) -> None:
    cabecalhos = await amb.token("erp")
    total = await _contar(amb, Devedor)
    pagina = await (await amb.cliente.get("/api/v1/devedores?por_pagina=2&pagina=2", headers=cabecalhos)).json()
    assert pagina["total"] == total and pagina["pagina"] == 2 and len(pagina["itens"]) == 2
    assert pagina["paginas"] == -(-total // 2) and [d["id"] for d in pagina["itens"]] == [3, 4]
    for consulta in ("por_pagina=0", "por_pagina=501", "pagina=x"):
        recusa = await amb.cliente.get(f"/api/v1/devedores?{consulta}", headers=cabecalhos)
        assert recusa.status == 400 and (await recusa.json())["campo"] == consulta.split("=")[0]
    desconhecido = await amb.cliente.get("/api/v1/devedores/999999", headers=cabecalhos)
    assert desconhecido.status == 404 and (await desconhecido.json())["campo"] == "devedor_id"
    assert (await amb.cliente.get("/api/v1/nada", headers=cabecalhos)).status == 404
    metodo = await amb.cliente.put("/api/v1/pagamentos", headers=cabecalhos)
    assert metodo.status == 405 and "aceitos: POST" in (await metodo.json())["erro"]


async def test_pausa_retomada_e_optout(amb: AmbienteApi) -> None:
    cabecalhos = await amb.token("erp")
    sem_motivo = await amb.cliente.post("/api/v1/devedores/1/pausa", json={}, headers=cabecalhos)
    assert sem_motivo.status == 400 and (await sem_motivo.json())["campo"] == "motivo"
    pausa = await amb.cliente.post(
        "/api/v1/devedores/1/pausa", json={"motivo": "acordo no jurídico"}, headers=cabecalhos
    )
    assert pausa.status == 200 and (await pausa.json())["ate"].startswith("2026-12-08")
    situacao = await (await amb.cliente.get("/api/v1/devedores/1", headers=cabecalhos)).json()
    assert situacao["cobranca"] == "pausada" and situacao["pausa"] == "acordo no jurídico"
    assert (await amb.cliente.delete("/api/v1/devedores/1/pausa", headers=cabecalhos)).status == 200
    assert (await (await amb.cliente.get("/api/v1/devedores/1", headers=cabecalhos)).json())["cobranca"] == "ativa"
    primeiro = await amb.cliente.post("/api/v1/devedores/1/optout", json={"motivo": "pediu no SAC"}, headers=cabecalhos)
    assert primeiro.status == 201 and (await primeiro.json())["novo"] is True
    segundo = await amb.cliente.post("/api/v1/devedores/1/optout", json={}, headers=cabecalhos)
    assert segundo.status == 200 and (await segundo.json())["novo"] is False
    sem_corpo = await amb.cliente.post("/api/v1/devedores/2/optout", headers=cabecalhos)  # the motivo is optional
    assert sem_corpo.status == 201 and (await sem_corpo.json())["novo"] is True
    quebrado = await amb.cliente.post("/api/v1/devedores/3/optout", data=b"{", headers=cabecalhos)
    assert quebrado.status == 400 and (await quebrado.json())["erro"] == "corpo inválido: esperado JSON"
    situacao = await (await amb.cliente.get("/api/v1/devedores/1", headers=cabecalhos)).json()
    assert situacao["cobranca"] == "encerrada (opt-out)" and situacao["optout_em"] == amb.relogio().isoformat()
    for metodo in ("POST", "DELETE"):  # after an opt-out there is no collection to pause or resume
        recusa = await amb.cliente.request(metodo, "/api/v1/devedores/1/pausa", json={"motivo": "x"},
                                           headers=cabecalhos)  # fmt: skip
        assert recusa.status == 409 and (await recusa.json())["erro"].startswith(
            "a cobrança deste devedor está encerrada"
        )
    async with sessao(amb.engine) as s:
        eventos = (await s.exec(select(Evento.tipo).where(Evento.devedor_id == 1).order_by(col(Evento.id)))).all()
        saida = (await s.exec(select(EventoSaida).order_by(col(EventoSaida.id)))).all()
    assert eventos == ["pausa", "retomada", "optout"]
    async with sessao(amb.engine) as s:  # the audit, never changed, keeps who and when, not the company's words
        auditoria = (await s.exec(select(Auditoria).where(Auditoria.acao == "api:pausar"))).one()
    assert auditoria.dados == {"token": "erp", "devedor": 1}
    assert [(e.devedor_id, e.evento, e.dados) for e in saida] == [
        (1, "optout", {"origem": "api", "motivo": "pediu no SAC"}),
        (2, "optout", {"origem": "api"}),
    ]


async def test_pagamento_uma_vez_por_chave(amb: AmbienteApi) -> None:
    cabecalhos = await amb.token("erp")
    await amb.fechar_acordo()
    documentos = await (await amb.cliente.get("/api/v1/devedores/1/documentos", headers=cabecalhos)).json()
    (documento,) = documentos["itens"]
    corpo: dict[str, object] = {
        "documento": documento["nosso_numero"],
        "valor": documento["valor"],
        "data": "2026-11-23",
    }
    sem_chave = await amb.cliente.post("/api/v1/pagamentos", json=corpo, headers=cabecalhos)
    assert sem_chave.status == 400 and (await sem_chave.json())["campo"] == "Idempotency-Key"
    com_chave = cabecalhos | {"Idempotency-Key": "retorno-2026-11-23-0001"}
    primeiro = await amb.cliente.post("/api/v1/pagamentos", json=corpo, headers=com_chave)
    assert primeiro.status == 201, await primeiro.text()
    assert (await primeiro.json())["quitado"] is True
    de_novo = await amb.cliente.post("/api/v1/pagamentos", json=corpo, headers=com_chave)
    assert de_novo.status == 200 and (await de_novo.json())["situacao"] == "duplicado"
    assert (await de_novo.json())["quitado"] is True  # the retry tells the agreement's state, as the first call did
    outro = await amb.cliente.post("/api/v1/pagamentos", json=corpo | {"valor": "1.00"}, headers=com_chave)
    assert outro.status == 422 and (await outro.json()) == {
        "erro": "esta chave já registrou outro pagamento (documento, valor ou data diferentes); nada mudou",
        "campo": "Idempotency-Key",
    }
    ruins: list[tuple[dict[str, object], str]] = [
        ({"valor": "-1"}, "valor"), ({"data": "2026-13-01"}, "data"), ({"documento": "9" * 12}, "documento"),
        ({"data": "2026-12-31"}, "data"), ({"extra": 1}, "extra"),
    ]  # fmt: skip
    for ruim, campo in ruins:
        recusa = await amb.cliente.post("/api/v1/pagamentos", json=corpo | ruim,
                                        headers=cabecalhos | {"Idempotency-Key": "outra"})  # fmt: skip
        assert recusa.status in (400, 404) and (await recusa.json())["campo"] == campo, ruim
    async with sessao(amb.engine) as s:
        pagamentos = (await s.exec(select(PagamentoRecebido))).all()
        saida = (await s.exec(select(EventoSaida.evento).order_by(col(EventoSaida.id)))).all()
        doc = (await s.exec(select(DocumentoPagamento))).first()
    assert [(p.provedor, p.id_provedor, p.origem) for p in pagamentos] == [
        ("api", "erp:retorno-2026-11-23-0001", "api")
    ]
    assert saida == ["acordo_criado", "pagamento_confirmado"] and doc is not None
    async with sessao(amb.engine) as s:
        (auditoria,) = (await s.exec(select(Auditoria).where(Auditoria.acao == "api:pagamento"))).all()
    assert auditoria.dados["devedor"] == 1  # so the person's LGPD export finds it
    acordos = await (await amb.cliente.get("/api/v1/devedores/1/acordos", headers=cabecalhos)).json()
    assert acordos["total"] == 1 and acordos["itens"][0]["pago"] == documento["valor"]


async def test_limite_por_minuto_responde_429(projeto: Projeto, url: str, copia: Path) -> None:
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[api]\nrequisicoes_por_minuto = 2\n", encoding="utf-8")
    async with ambiente_api(carregar_projeto(config), url) as amb:
        cabecalhos = await amb.token("erp")
        assert [(await amb.cliente.get("/api/v1/devedores", headers=cabecalhos)).status for _ in range(2)] == [200, 200]
        demais = await amb.cliente.get("/api/v1/devedores", headers=cabecalhos)
        assert demais.status == 429 and 1 <= int(demais.headers["Retry-After"]) <= 30
        assert "2 requisições por minuto" in (await demais.json())["erro"]
        outro = await amb.token("outro")  # per token
        assert (await amb.cliente.get("/api/v1/devedores", headers=outro)).status == 200


async def test_openapi_publico_lista_cada_rota(amb: AmbienteApi) -> None:
    resposta = await amb.cliente.get("/api/v1/openapi.json")
    assert resposta.status == 200
    documento = await resposta.json()
    assert documento["openapi"] == "3.1.0"
    publicados = {(metodo.upper(), caminho) for caminho, ops in documento["paths"].items() for metodo in ops}
    assert publicados == {(metodo, caminho) for metodo, caminho, _, _ in ROTAS if caminho != "/openapi.json"}
    assert "docs/integracao.md" in documento["info"]["description"]
    pausa, optout = documento["paths"]["/devedores/{devedor_id}/pausa"]["post"], documento["paths"][
        "/devedores/{devedor_id}/optout"]["post"]  # fmt: skip
    assert pausa["requestBody"]["content"]["application/json"]["schema"]["required"] == ["motivo"]
    assert pausa["requestBody"]["required"] is True and optout["requestBody"]["required"] is False


async def test_cargas_simultaneas_do_mesmo_devedor_novo(amb: AmbienteApi) -> None:
    """An ERP sending batches in parallel: the same new debtor in each, all accepted, one debtor, no duplicate."""
    cabecalhos = await amb.token("erp")
    cargas = [ITEM | {"parcela": i} for i in range(1, 7)]
    respostas = await asyncio.gather(
        *(amb.cliente.post("/api/v1/carteira", json={"parcelas": [item]}, headers=cabecalhos) for item in cargas)
    )
    assert [r.status for r in respostas] == [200] * 6, [await r.text() for r in respostas]
    busca = await amb.cliente.post("/api/v1/devedores/busca", json={"cpf": CPF_NOVO}, headers=cabecalhos)
    assert sorted(p["parcela"] for p in (await busca.json())["parcelas"]) == [1, 2, 3, 4, 5, 6]


async def test_falha_interna_responde_json(amb: AmbienteApi, caplog: pytest.LogCaptureFixture) -> None:
    """A real fault (a table the status reads is gone): the client still gets a pt-BR JSON error, not HTML."""
    cabecalhos = await amb.token("erp")
    async with amb.engine.begin() as conexao:
        await conexao.execute(text("ALTER TABLE evento RENAME TO evento_sumido"))
    resposta = await amb.cliente.get("/api/v1/devedores/1", headers=cabecalhos)
    assert resposta.status == 500 and resposta.content_type == "application/json"
    assert (await resposta.json())["erro"].startswith("falha interna no servidor")
    assert "falha interna na API: GET /api/v1/devedores/1" in caplog.text
