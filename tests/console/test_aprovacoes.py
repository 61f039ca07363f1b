"""Offers above the book: validated against the book, approved by a gestor (live, CSRF, audited), offered once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlmodel import col, select

from bot.console.ao_vivo import partes_da_fila
from bot.console.contexto import CONSOLE
from bot.console.excecao import Pedido, avaliar_excecao
from bot.conversa.fatos import Entrada
from bot.dados.atendentes import AprovacaoOferta, Auditoria, Usuario
from bot.dados.banco import sessao
from bot.dados.modelos import Acordo, Evento
from bot.negociacao.plano import PlanoImpossivel
from bot.projeto import Projeto
from tests.apoio.console import Ambiente, entrar, postar, token
from tests.apoio.relogio import AGORA
from tests.apoio.saldos import saldo_de


async def _pedir(amb: Ambiente, **campos: str) -> tuple[int, int]:
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    campos.setdefault("justificativa", "desempregada, paga só se for pouco")
    return conversa, await postar(ana, conversa, "aprovacoes", **campos)


async def test_plano_dentro_do_book_nao_precisa_de_aprovacao(amb: Ambiente) -> None:
    _, status = await _pedir(amb, desconto="0", parcelas="2")
    assert status == 409
    async with sessao(amb.engine) as s:
        assert (await s.exec(select(AprovacaoOferta))).all() == []


async def test_pedido_invalido_tem_resposta_clara(amb: Ambiente) -> None:
    conversa, status = await _pedir(amb, desconto="abc", parcelas="2")
    assert status == 400
    ana = amb.clientes[0]
    resposta = await ana.post(
        f"/console/conversas/{conversa}/aprovacoes",
        data={"desconto": "95", "parcelas": "1", "justificativa": "x", "csrf": await token(ana, conversa)},
    )
    assert resposta.status == 400 and "informe de 0 a 90%" in await resposta.text()
    assert await postar(ana, conversa, "aprovacoes", desconto="50", parcelas="1", justificativa=" ") == 400


def test_limites_excedidos_nomeados(projeto: Projeto) -> None:
    livro, hoje = projeto.config.ofertas, AGORA.date()
    recente = saldo_de(("600.00", 10), hoje=hoje)  # tier "recente": à vista without juros, or up to 3x ≥ R$ 50
    dentro = avaliar_excecao(livro, recente, None, Pedido(Decimal(0), 3), hoje, "SP")
    assert dentro.limites == () and dentro.plano.quantidade == 3
    fora = avaliar_excecao(livro, recente, None, Pedido(Decimal(10), 20), hoje, "SP")
    assert fora.plano.opcao == 2 and fora.plano.quantidade == 20 and fora.plano.desconto > 0
    assert fora.limites[0].startswith("desconto de R$") and "acima do máximo da faixa “recente”" in fora.limites[0]
    assert fora.limites[1] == "20 parcelas, acima do máximo de 3 da faixa “recente”"
    miudas = avaliar_excecao(livro, recente, None, Pedido(Decimal(0), 3), hoje, "SP")
    assert miudas.limites == ()
    pequeno = saldo_de(("120.00", 10), hoje=hoje)
    (abaixo,) = avaliar_excecao(livro, pequeno, None, Pedido(Decimal(0), 3), hoje, "SP").limites
    assert abaixo.startswith("parcela de R$") and "abaixo do mínimo de R$\xa050,00" in abaixo
    with pytest.raises(PlanoImpossivel, match=r"de 1 .à vista. a 60"):
        avaliar_excecao(livro, recente, None, Pedido(Decimal(0), 61), hoje, "SP")


async def test_aprovacao_de_gestor_ao_vivo_e_oferta_ao_bot(amb: Ambiente) -> None:
    conversa, status = await _pedir(amb, desconto="50", parcelas="18")
    assert status == 303
    ana = amb.clientes[0]
    pagina = await (await ana.get(f"/console/conversas/{conversa}?aviso=aprovacao")).text()
    assert "Pedido de aprovação enviado" in pagina and "pendente" in pagina
    assert "Oferecer o plano aprovado" not in pagina
    async with sessao(amb.engine) as s:
        (pedido,) = (await s.exec(select(AprovacaoOferta))).all()
    assert pedido.id is not None
    assert any("acima do máximo" in limite for limite in pedido.limites), pedido.limites
    assert any("18 parcelas, acima do máximo de 12" in limite for limite in pedido.limites), pedido.limites
    # Not approved yet: the plan cannot be given to the bot.
    assert await postar(ana, conversa, "devolver", ponto="oferta", aprovacao=str(pedido.id)) == 409

    gil, beto = await amb.cliente(), await amb.cliente()
    await entrar(gil, "gil")
    await entrar(beto, "beto")
    fila_gestor = await (await gil.get("/console/")).text()
    assert f'action="/console/aprovacoes/{pedido.id}/aprovar"' in fila_gestor
    assert "aprovacoes-linhas" not in await (await beto.get("/console/")).text()  # agents do not decide
    console = amb.app[CONSOLE]
    ao_vivo = await partes_da_fila(console, "tok")
    assert "18x" in ao_vivo["aprovacoes-linhas"] and 'value="tok"' in ao_vivo["aprovacoes-linhas"]
    assert "aprovacoes-linhas" not in await partes_da_fila(console)

    caminho = f"/console/aprovacoes/{pedido.id}/aprovar"
    assert (await gil.post(caminho, data={}, allow_redirects=False)).status == 403  # no CSRF token
    assert (await beto.post(caminho, data={"csrf": await token(beto)}, allow_redirects=False)).status == 403
    resposta = await gil.post(caminho, data={"csrf": await token(gil)}, allow_redirects=False)
    assert resposta.status == 303 and resposta.headers["Location"] == "/console/#aprovacoes"
    assert (await gil.post(caminho, data={"csrf": await token(gil)})).status == 409  # decided once

    assert "Oferecer o plano aprovado" in await (await ana.get(f"/console/conversas/{conversa}")).text()
    assert await postar(ana, conversa, "devolver", ponto="saldo", aprovacao=str(pedido.id)) == 400
    assert await postar(ana, conversa, "devolver", ponto="oferta", aprovacao=str(pedido.id)) == 303
    oferta = amb.remetente.enviados[-1].texto
    assert "17x de" in oferta, oferta
    respostas = await amb.atendimento.receber(1, "whatsapp", Entrada("aceito"))
    assert "Confirma o acordo?" in respostas[-1].texto
    await amb.atendimento.receber(1, "whatsapp", Entrada("sim"))
    async with sessao(amb.engine) as s:
        acordo = (await s.exec(select(Acordo))).one()
        usado = await s.get(AprovacaoOferta, pedido.id)
        gil_id = (await s.exec(select(Usuario.id).where(Usuario.login == "gil"))).one()
        auditoria = (await s.exec(select(Auditoria).order_by(col(Auditoria.id)))).all()
        eventos = (await s.exec(select(Evento).where(Evento.tipo == "oferta"))).all()
    assert usado is not None and usado.situacao == "usada"
    assert (usado.decidida_por, usado.decidida_em) == (gil_id, AGORA)
    assert (acordo.desconto, acordo.total) == (Decimal(usado.plano["desconto"]), acordo.valor_negociado)
    assert acordo.valor_negociado == acordo.valor_original - acordo.desconto and len(usado.plano["parcelas"]) == 18
    aprovou = next(a for a in auditoria if a.acao == "aprovou_oferta")
    assert (aprovou.usuario_id, aprovou.criada_em, aprovou.dados) == (gil_id, AGORA, {"aprovacao": pedido.id})
    assert [a.acao for a in auditoria if a.conversa_id == conversa][-3:] == [
        "pediu_aprovacao",
        "aprovou_oferta",
        "devolveu",
    ]
    assert eventos[-1].dados["por"] == "aprovacao"
    # An approval serves once.
    assert await postar(ana, conversa, "assumir") == 303
    assert await postar(ana, conversa, "devolver", ponto="oferta", aprovacao=str(pedido.id)) == 409


async def test_gestor_recusa(amb: Ambiente) -> None:
    conversa, _ = await _pedir(amb, desconto="60", parcelas="1")
    gil = await amb.cliente()
    await entrar(gil, "gil")
    async with sessao(amb.engine) as s:
        (pedido,) = (await s.exec(select(AprovacaoOferta))).all()
    resposta = await gil.post(f"/console/aprovacoes/{pedido.id}/recusar", data={"csrf": await token(gil)})
    assert resposta.status == 200
    async with sessao(amb.engine) as s:
        recusado = await s.get(AprovacaoOferta, pedido.id)
    assert recusado is not None and recusado.situacao == "recusada"
    assert await postar(amb.clientes[0], conversa, "devolver", ponto="oferta", aprovacao=str(pedido.id)) == 409
    assert re.search("recusada", await (await amb.clientes[0].get(f"/console/conversas/{conversa}")).text())
