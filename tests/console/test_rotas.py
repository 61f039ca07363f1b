"""Console security and operations over HTTP: sessions, CSRF, lock-out, ownership, replies, give-back, audit."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from aiohttp import ClientResponse
from sqlmodel import col, select

from bot.conversa.fatos import Entrada
from bot.dados.atendentes import Auditoria, PromessaPagamento, Usuario
from bot.dados.banco import sessao
from bot.dados.modelos import Conversa, Devedor, Evento, Mensagem, Transferencia
from bot.disparo import situacao as fatos_regua
from bot.projeto import Projeto
from tests.apoio.cliente_http import Cliente
from tests.apoio.console import SENHA, Ambiente, csrf, entrar, postar, token
from tests.apoio.leituras import CPF_MARIA


async def test_nada_responde_sem_sessao(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    rotas = [
        (r.method, r.resource.canonical.replace("{conversa_id}", "1"))
        for r in amb.app.router.routes()
        if r.resource is not None and r.resource.canonical.startswith("/console")
    ]
    protegidas = [(m, c) for m, c in rotas if c != "/console/entrar" and not c.startswith("/console/estatico")]
    assert len(protegidas) >= 12
    for metodo, caminho in protegidas:
        resposta = await cliente.request(metodo, caminho, allow_redirects=False)
        assert resposta.status in (303, 401), (metodo, caminho, resposta.status)
        if resposta.status == 303:
            assert resposta.headers["Location"] == "/console/entrar"
    pagina = await cliente.get("/console/", headers={"Accept": "text/html"}, allow_redirects=False)
    assert pagina.status == 303


async def test_login_cria_cookie_seguro_e_sair_encerra(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    formulario = await cliente.get("/console/entrar")
    resposta = await cliente.post(
        "/console/entrar",
        data={"login": "ana", "senha": SENHA, "csrf": csrf(await formulario.text())},
        allow_redirects=False,
    )
    assert resposta.status == 303
    cookie = next(v for k, v in resposta.headers.items() if k == "Set-Cookie" and "console_sessao=" in v)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert (await cliente.get("/console/", allow_redirects=False)).status == 200
    assert (
        await cliente.post("/console/sair", data={"csrf": await token(cliente)}, allow_redirects=False)
    ).status == 303
    assert (await cliente.get("/console/", allow_redirects=False)).status == 401


async def test_formularios_sem_csrf_recusados(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    cliente = await amb.cliente()
    sem_token = await cliente.post("/console/entrar", data={"login": "ana", "senha": SENHA}, allow_redirects=False)
    assert sem_token.status == 403
    assert await entrar(cliente, "ana") == 303
    assert await postar(cliente, conversa, "assumir", csrf="") == 403
    assert await postar(cliente, conversa, "assumir", csrf="x" * 43) == 403
    async with sessao(amb.engine) as s:
        lida = await s.get(Conversa, conversa)
    assert lida is not None and lida.dono == "fila"
    assert await postar(cliente, conversa, "assumir") == 303


async def test_senha_errada_mantem_o_login_digitado(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    formulario = await (await cliente.get("/console/entrar")).text()
    assert 'name="login" autocomplete="username" required value=""' in formulario
    campos = {"login": "ana", "senha": "errada-errada", "csrf": csrf(formulario)}
    resposta = await cliente.post("/console/entrar", data=campos, allow_redirects=False)
    pagina = await resposta.text()
    assert resposta.status == 401 and "Login ou senha incorretos." in pagina
    assert 'value="ana"' in pagina and "errada-errada" not in pagina  # the password is never sent back


async def test_bloqueio_depois_de_senhas_erradas(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    for _ in range(5):
        assert await entrar(cliente, "ana", "errada-errada") == 401
    assert await entrar(cliente, "ana") == 401  # the right password is refused while locked
    pagina = await (await cliente.get("/console/entrar")).text()
    assert "bloqueado" not in pagina
    amb.relogio.agora += timedelta(minutes=16)
    assert await entrar(cliente, "ana") == 303
    amb.relogio.agora += timedelta(hours=11, minutes=59)
    assert (await cliente.get("/console/", allow_redirects=False)).status == 200
    amb.relogio.agora += timedelta(minutes=2)  # `console.sessao_horas` = 12 in config.toml
    assert (await cliente.get("/console/", allow_redirects=False)).status in (302, 303, 401)


async def test_agente_nao_le_nem_escreve_conversa_de_outro(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    ana, beto, gil = await amb.cliente(), await amb.cliente(), await amb.cliente()
    for cliente, login in ((ana, "ana"), (beto, "beto"), (gil, "gil")):
        assert await entrar(cliente, login) == 303
    assert await postar(ana, conversa, "assumir") == 303
    assert (await beto.get(f"/console/conversas/{conversa}")).status == 404
    csrf_beto = await token(beto)
    for acao, campos in (
        ("responder", {"texto": "oi"}),
        ("assumir", {}),
        ("notas", {"texto": "x"}),
        ("devolver", {"ponto": "inicio"}),
        ("promessas", {"valor": "10,00", "data": "2026-12-01"}),
    ):
        assert await postar(beto, conversa, acao, csrf=csrf_beto, **campos) == 404, acao
    assert "Ana" in await (await beto.get("/console/")).text()  # the queue still shows who has it
    assert (await gil.get(f"/console/conversas/{conversa}")).status == 200
    assert await postar(gil, conversa, "responder", texto="oi") == 409  # a gestor reassigns, not writes over
    async with sessao(amb.engine) as s:
        beto_id = (await s.exec(select(Usuario.id).where(Usuario.login == "beto"))).one()
    assert await postar(ana, conversa, "reatribuir", usuario=str(beto_id)) == 403
    assert await postar(gil, conversa, "reatribuir", usuario=str(beto_id)) == 303
    assert (await ana.get(f"/console/conversas/{conversa}")).status == 404
    assert await postar(beto, conversa, "responder", texto="Oi, aqui é o Beto") == 303


async def test_resposta_sai_pelo_canal_e_devolucao_retoma_o_bot(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    assert await amb.atendimento.receber(1, "whatsapp", Entrada("alguém aí?")) == []  # the bot stays silent
    assert await postar(ana, conversa, "responder", texto="Olá, sou a Ana") == 303
    assert [(e.texto, e.destino) for e in amb.remetente.enviados] == [("Olá, sou a Ana", "+5511987654321")]
    assert await postar(ana, conversa, "notas", texto="pediu prazo") == 303
    assert await postar(ana, conversa, "promessas", valor="150,00", data="2026-11-30") == 303
    assert await postar(ana, conversa, "promessas", valor="abc", data="2026-11-30") == 400
    assert await postar(ana, conversa, "devolver", ponto="oferta", opcao="0") == 303
    assert "Tenho uma proposta" in amb.remetente.enviados[-1].texto
    respostas = await amb.atendimento.receber(1, "whatsapp", Entrada("aceito"))
    assert "Confirma o acordo?" in respostas[-1].texto
    async with sessao(amb.engine) as s:
        transferencia = (await s.exec(select(Transferencia))).one()
        acoes = [a.acao for a in (await s.exec(select(Auditoria).where(col(Auditoria.usuario_id).is_not(None)))).all()]
        promessa = (await s.exec(select(PromessaPagamento))).one()
        status = [m.status for m in (await s.exec(select(Mensagem).where(Mensagem.texto == "Olá, sou a Ana"))).all()]
    assert transferencia.situacao == "encerrada"
    assert acoes[-5:] == ["assumiu", "respondeu", "anotou", "promessa", "devolveu"]
    assert str(promessa.valor) == "150.00"
    assert status == ["enviada"]


async def test_devolver_com_valores_exige_identidade(amb: Ambiente) -> None:
    async with sessao(amb.engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.cpf == CPF_MARIA))).one()
    assert devedor.id is not None
    for texto in ("oi", "sim", "111", "222", "333"):  # identity locked: handed to a person
        await amb.atendimento.receber(devedor.id, "web", Entrada(texto))
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, 1, "assumir") == 303
    assert await postar(ana, 1, "devolver", ponto="saldo") == 409
    assert await postar(ana, 1, "devolver", ponto="voar") == 400
    assert await postar(ana, 1, "devolver", ponto="encerrar") == 303


async def test_dados_do_devedor_fora_de_urls_e_logs(amb: Ambiente, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # DEBUG traces of the database driver carry query parameters by design
    conversa = await amb.escalar()
    ana = await amb.cliente()
    await entrar(ana, "ana")
    fila = await (await ana.get("/console/")).text()
    assert "***.533.447-**" in fila and CPF_MARIA not in fila
    links = re.findall(r'href="([^"]+)"', fila + await (await ana.get(f"/console/conversas/{conversa}")).text())
    await postar(ana, conversa, "assumir")
    await postar(ana, conversa, "responder", texto="Oi")
    proibidos = (CPF_MARIA, "390.533.447", "Maria", "Silva", "987654321")
    assert [link for link in links if any(p in link for p in proibidos)] == []
    assert [r.getMessage() for r in caplog.records if any(p in r.getMessage() for p in proibidos)] == []
    assert any("/console/conversas/" in r.getMessage() for r in caplog.records)  # the access log was captured


async def test_gestao_so_para_gestores(amb: Ambiente) -> None:
    await amb.escalar()
    ana, gil = await amb.cliente(), await amb.cliente()
    await entrar(ana, "ana")
    await entrar(gil, "gil")
    assert (await ana.get("/console/gestao")).status == 403
    pagina = await gil.get("/console/gestao", params={"de": "2026-11-01", "ate": "2026-11-30"})
    html = await pagina.text()
    assert pagina.status == 200
    assert re.search(r'id="transferencias">1<', html)
    assert "stateDiagram-v2" in html
    assert (await gil.get("/console/gestao", params={"de": "ontem"})).status == 400


async def test_promessa_pausa_a_regua(amb: Ambiente, projeto: Projeto) -> None:
    conversa = await amb.escalar()
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    assert await postar(ana, conversa, "promessas", valor="150,00", data="2026-11-30") == 303
    assert await postar(ana, conversa, "devolver", ponto="encerrar") == 303  # back to the bot: only the promise holds
    async with sessao(amb.engine) as s:
        (pausa,) = (await s.exec(select(Evento).where(Evento.tipo == "pausa"))).all()
        devedores = await fatos_regua.devedores(s, projeto.config.regua.politica, amb.relogio())
    assert pausa.dados == {"motivo": "promessa", "data": "2026-11-30", "valor": "150.00"}
    assert devedores[pausa.devedor_id].pausa == "promessa"


# ------------------------------------------------------------------------------ logins em excesso


async def _tentar(cliente: Cliente, login: str) -> ClientResponse:
    formulario = await (await cliente.get("/console/entrar")).text()
    return await cliente.post(
        "/console/entrar",
        data={"login": login, "senha": "senha-errada-123", "csrf": csrf(formulario)},
        allow_redirects=False,
    )


async def test_logins_demais_recebem_429_com_retry_after(amb: Ambiente) -> None:
    cliente = await amb.cliente()
    for _ in range(10):  # `[console] logins_por_minuto_login = 10` (wrong passwords also lock after 5)
        assert (await _tentar(cliente, "ana")).status == 401
    demais = await _tentar(cliente, "ana")
    assert demais.status == 429 and 1 <= int(demais.headers["Retry-After"]) <= 60
    assert "Muitas tentativas de login" in (await demais.json())["erro"]
    for i in range(9):  # the address allows 20 a minute, whatever the login
        assert (await _tentar(cliente, f"outro{i}")).status == 401
    assert (await _tentar(cliente, "mais-um")).status == 429
    amb.relogio.agora += timedelta(seconds=61)
    assert (await _tentar(cliente, "mais-um")).status == 401
