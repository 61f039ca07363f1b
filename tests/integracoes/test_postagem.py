"""Outbound events: written with the fact (or not at all), signed with HMAC, retried with backoff against a local
receiver that fails on cue, given up after N attempts, and listed for gestores."""

from __future__ import annotations

import io
import json
import random
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.atendimento.servico import Atendimento
from bot.cli import main
from bot.config.erros import ConfigInvalida
from bot.config.integracoes import Destino, IntegracoesConfig
from bot.console.usuarios import criar_usuario
from bot.conversa.fatos import Entrada
from bot.dados.atendentes import Auditoria
from bot.dados.banco import criar_engine, sessao
from bot.dados.integracao import EntregaEvento, EventoSaida
from bot.dados.modelos import Devedor, Evento
from bot.dados.pausas import registrar_optout
from bot.integracoes.assinatura import assinar, conferir, espera
from bot.integracoes.postagem import Postagem, segredos_do_ambiente
from bot.pagamentos.quebra import quebrar_acordos
from bot.projeto import Projeto
from bot.web.app import criar_app
from tests.apoio.cli import rodar
from tests.apoio.cliente_http import Cliente
from tests.apoio.console import SENHA, csrf, entrar, token
from tests.apoio.falsos.receptor import Receptor
from tests.apoio.projetos import RAIZ
from tests.apoio.relogio import AGORA, Relogio

SEGREDO = "segredo-do-erp"


@pytest.fixture
async def receptor() -> AsyncIterator[tuple[Receptor, str]]:
    falso = Receptor()
    servidor = TestServer(falso.app())
    await servidor.start_server()
    yield falso, str(servidor.make_url("/eventos"))
    await servidor.close()


async def _optout(engine: AsyncEngine, devedor_id: int = 1) -> None:
    async with sessao(engine) as s:
        devedor = await s.get(Devedor, devedor_id)
        assert devedor is not None
        await registrar_optout(s, devedor, AGORA, "canal whatsapp", texto="pare de me mandar mensagem")
        await s.commit()


def _postagem(engine: AsyncEngine, relogio: Relogio, *destinos: Destino, tentativas: int = 4) -> Postagem:
    config = IntegracoesConfig(destinos=destinos, tentativas=tentativas, espera_inicial_segundos=10,
                               espera_maxima_segundos=60)  # fmt: skip
    return Postagem(engine, config, {d.nome: SEGREDO for d in destinos}, relogio, random.Random(7))


async def _entregas(engine: AsyncEngine) -> list[EntregaEvento]:
    async with sessao(engine) as s:
        return list((await s.exec(select(EntregaEvento).order_by(col(EntregaEvento.id)))).all())


async def test_evento_nasce_com_o_fato_e_some_com_o_rollback(engine_semeado: AsyncEngine) -> None:
    async with sessao(engine_semeado) as s:
        devedor = await s.get(Devedor, 2)
        assert devedor is not None
        await registrar_optout(s, devedor, AGORA, "api")
        await s.rollback()  # the fact did not happen: no event either
    async with sessao(engine_semeado) as s:
        assert (await s.exec(select(EventoSaida))).all() == []
    await _optout(engine_semeado)
    await _optout(engine_semeado)  # already recorded: nothing new
    async with sessao(engine_semeado) as s:
        (evento,) = (await s.exec(select(EventoSaida))).all()
        (fato,) = (await s.exec(select(Evento).where(Evento.tipo == "optout"))).all()
    assert (evento.evento, evento.chave, evento.devedor_id) == ("optout", str(fato.id), 1)
    assert evento.dados == {"origem": "canal whatsapp"}  # the debtor's words never leave


async def test_entrega_assinada_falha_e_nova_tentativa_com_espera(
    engine_semeado: AsyncEngine, receptor: tuple[Receptor, str]
) -> None:
    falso, endereco = receptor
    falso.respostas = [500]
    relogio = Relogio()
    postagem = _postagem(engine_semeado, relogio, Destino(nome="erp", url=endereco, segredo_env="X"))
    await _optout(engine_semeado)
    assert await postagem.rodada() == 1
    (entrega,) = await _entregas(engine_semeado)
    assert (entrega.situacao, entrega.tentativas, entrega.ultimo_status) == ("pendente", 1, 500)
    assert entrega.ultimo_erro == "HTTP 500: falha simulada"
    assert entrega.tentar_em is not None and 5 <= (entrega.tentar_em - AGORA).total_seconds() <= 10
    assert await postagem.rodada() == 0  # not due yet
    relogio.agora += timedelta(seconds=11)
    assert await postagem.rodada() == 1
    (entrega,) = await _entregas(engine_semeado)
    assert (entrega.situacao, entrega.tentativas, entrega.entregue_em) == ("entregue", 2, relogio.agora)
    assert await postagem.rodada() == 0
    primeiro, segundo = falso.recebidos
    assert primeiro.corpo == segundo.corpo  # the same event, byte for byte: receivers deduplicate by its id
    corpo = json.loads(segundo.corpo)
    assert corpo["evento"] == "optout" and corpo["devedor"] == {"id": 1, "cpf": "39053344705"}
    assert corpo["id"] == segundo.cabecalhos["X-Cobranca-Id"] and segundo.cabecalhos["X-Cobranca-Evento"] == "optout"
    instante = int(segundo.cabecalhos["X-Cobranca-Instante"])
    assert instante == int(relogio.agora.timestamp())
    assert conferir(SEGREDO, instante, segundo.corpo, segundo.cabecalhos["X-Cobranca-Assinatura"])
    assert not conferir("outro", instante, segundo.corpo, segundo.cabecalhos["X-Cobranca-Assinatura"])
    assert not conferir(SEGREDO, instante + 1, segundo.corpo, segundo.cabecalhos["X-Cobranca-Assinatura"])


async def test_desiste_depois_de_n_tentativas_e_so_para_quem_assina(
    engine_semeado: AsyncEngine, receptor: tuple[Receptor, str]
) -> None:
    falso, endereco = receptor
    falso.respostas = [503] * 10
    relogio = Relogio()
    destinos = (
        Destino(nome="erp", url=endereco, segredo_env="X"),
        Destino(nome="bi", url=endereco, segredo_env="Y", eventos=("pagamento_confirmado",)),
        Destino(nome="fora", url="http://127.0.0.1:9/eventos", segredo_env="Z"),  # nothing listens there
    )
    postagem = _postagem(engine_semeado, relogio, *destinos, tentativas=3)
    await _optout(engine_semeado)
    for _ in range(4):
        await postagem.rodada()
        relogio.agora += timedelta(seconds=61)
    erp, fora = await _entregas(engine_semeado)  # "bi" does not take opt-outs
    assert (erp.destino, erp.situacao, erp.tentativas, erp.tentar_em) == ("erp", "desistida", 3, None)
    assert (fora.destino, fora.situacao, fora.tentativas) == ("fora", "desistida", 3)
    assert fora.ultimo_status is None and fora.ultimo_erro is not None and "falha de conexão" in fora.ultimo_erro
    assert len(falso.recebidos) == 3


def test_espera_dobra_ate_o_teto_com_sorteio() -> None:
    sorteio = random.Random(1)
    for tentativa, teto in ((1, 30), (2, 60), (3, 120), (8, 3600), (30, 3600)):
        assert teto / 2 <= espera(tentativa, 30, 3600, sorteio).total_seconds() <= teto


def test_segredo_ausente_e_config_invalida() -> None:
    config = IntegracoesConfig(destinos=(Destino(nome="erp", url="https://erp.exemplo.com.br/e", segredo_env="S"),))
    with pytest.raises(ConfigInvalida) as erro:
        segredos_do_ambiente(config, "config.toml", {})
    assert "integracoes.destinos[0].segredo_env" in str(erro.value) and "S não está definida" in str(erro.value)
    assert segredos_do_ambiente(config, "config.toml", {"S": " s3 "}) == {"erp": "s3"}
    with pytest.raises(ValueError, match="destinos com o mesmo nome: erp"):
        IntegracoesConfig(destinos=config.destinos * 2)
    with pytest.raises(ValueError, match="esperado um endereço http"):
        Destino(nome="erp", url="ftp://erp", segredo_env="S")


async def test_pagina_de_entregas_e_reenvio_so_para_gestores(
    projeto: Projeto, url: str, receptor: tuple[Receptor, str]
) -> None:
    falso, endereco = receptor
    falso.respostas = [500]
    relogio = Relogio()
    engine = criar_engine(url)
    async with sessao(engine) as s:
        await criar_usuario(s, "gil", "Gil", "gestor", SENHA, AGORA)
        await criar_usuario(s, "ana", "Ana", "agente", SENHA, AGORA)
    await _optout(engine)
    postagem = _postagem(engine, relogio, Destino(nome="erp", url=endereco, segredo_env="X"), tentativas=1)
    await postagem.rodada()  # one attempt allowed: it gives up at once
    cliente: Cliente = TestClient(TestServer(criar_app(projeto, engine, relogio, demo=False)))
    await cliente.start_server()
    try:
        await entrar(cliente, "ana")
        assert (await cliente.get("/console/gestao/integracoes")).status == 403
        tentativa = await cliente.post("/console/gestao/integracoes/1/reenviar", data={"csrf": await token(cliente)})
        assert tentativa.status == 403
        await cliente.post("/console/sair", data={"csrf": await token(cliente)})
        cliente.session.cookie_jar.clear()
        await entrar(cliente, "gil")
        html = await (await cliente.get("/console/gestao/integracoes")).text()
        assert '<tr class="entrega-desistida"><td>1</td><td>optout:' in html and "Tentar de novo</button>" in html
        assert "HTTP 500: falha simulada" in html and "<td>erp</td><td>0</td><td>0</td><td>1</td>" in html
        vazio = await (await cliente.get("/console/gestao/integracoes?situacao=entregue")).text()
        assert "Nenhuma entrega nesta situação." in vazio
        assert (await cliente.get("/console/gestao/integracoes?situacao=xyz")).status == 400
        assert 'id="link-integracoes"' in await (await cliente.get("/console/gestao")).text()
        assert (await cliente.post("/console/gestao/integracoes/1/reenviar")).status == 403  # no CSRF token
        reenvio = await cliente.post("/console/gestao/integracoes/1/reenviar", data={"csrf": csrf(html)},
                                     allow_redirects=False)  # fmt: skip
        assert reenvio.status == 303
        de_novo = await cliente.post("/console/gestao/integracoes/1/reenviar", data={"csrf": csrf(html)})
        assert de_novo.status == 409  # on its way already
        assert (await cliente.post("/console/gestao/integracoes/99/reenviar", data={"csrf": csrf(html)})).status == 404
    finally:
        await cliente.close()
    assert await postagem.rodada() == 1  # the receiver is back: delivered
    (entrega,) = await _entregas(engine)
    assert (entrega.situacao, entrega.tentativas) == ("entregue", 1)
    async with sessao(engine) as s:
        (auditoria,) = (await s.exec(select(Auditoria).where(Auditoria.acao == "reenviar_evento"))).all()
    assert auditoria.dados == {"entrega": 1, "destino": "erp", "tentativas_antes": 1}
    await engine.dispose()


async def test_fatos_da_conversa_e_da_quebra_viram_eventos(projeto: Projeto, engine_semeado: AsyncEngine) -> None:
    """Hand-off, contestação, agreement created and broken: each written by the code that records the fact."""
    relogio = Relogio()
    atendimento = Atendimento(projeto.motor, engine_semeado, relogio)
    for texto in ("oi", "sim", "390", "quero contestar essa cobranca"):
        await atendimento.receber(1, "web", Entrada(texto))
    for texto in ("oi", "sim", "719", "quero falar com um atendente"):
        await atendimento.receber(2, "web", Entrada(texto))
    for texto in ("oi", "sim", "528", "esqueci", "sim", "sim"):
        await atendimento.receber(3, "web", Entrada(texto))
    relogio.agora += timedelta(days=90)
    assert await quebrar_acordos(engine_semeado, 30, relogio, io.StringIO()) == 0
    async with sessao(engine_semeado) as s:
        eventos = [(e.evento, e.devedor_id) for e in (await s.exec(select(EventoSaida).order_by(col(EventoSaida.id))))]
    assert ("contestacao", 1) in eventos and ("transferencia", 2) in eventos
    assert [e for e in eventos if e[1] == 3] == [("acordo_criado", 3), ("acordo_quebrado", 3)]


def test_conferencia_do_manual_aceita_a_assinatura_do_bot() -> None:
    """The receiver's snippet in docs/integracao.md, run as written, against a body the bot signs."""
    manual = (RAIZ / "docs" / "integracao.md").read_text(encoding="utf-8")
    (trecho,) = re.findall(r"```python\n(.*?)```", manual, re.S)
    escopo: dict[str, Any] = {}
    exec(compile(trecho, "docs/integracao.md", "exec"), escopo)
    corpo, instante = b'{"id":"optout:1"}', int(time.time())
    cabecalhos = {"X-Cobranca-Instante": str(instante), "X-Cobranca-Assinatura": assinar(SEGREDO, instante, corpo)}
    assert escopo["assinatura_valida"](SEGREDO, cabecalhos, corpo)
    assert not escopo["assinatura_valida"](SEGREDO, cabecalhos, corpo + b" ")
    assert not escopo["assinatura_valida"]("outro", cabecalhos, corpo)
    antigo = {
        "X-Cobranca-Instante": str(instante - 3600),
        "X-Cobranca-Assinatura": assinar(SEGREDO, instante - 3600, corpo),
    }
    assert not escopo["assinatura_valida"](SEGREDO, antigo, corpo)


DESTINO_TOML = '\n[[integracoes.destinos]]\nnome = "erp"\nurl = "{url}"\nsegredo_env = "COBRANCA_TESTE_SEGREDO_ERP"\n'


def test_check_aponta_destino_invalido_com_linha(copia: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copia / "config.toml"
    texto = config.read_text(encoding="utf-8")
    linha = texto.count("\n") + 4  # the line of `url`
    config.write_text(texto + DESTINO_TOML.format(url="erp.exemplo.com.br") + 'eventos = ["boleto_pago"]\n', "utf-8")
    assert main(["--config", str(config), "check"]) == 1
    erro = capsys.readouterr().err
    assert f"config.toml:{linha}: [integracoes.destinos[0].url] esperado um endereço http(s)" in erro
    assert f"config.toml:{linha + 2}: [integracoes.destinos[0].eventos[0]] esperado um de: 'acordo_criado'" in erro
    assert erro.endswith("2 erro(s) de configuração.\n")


def test_serve_sem_o_segredo_do_destino_nao_sobe(copia: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    config = copia / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + DESTINO_TOML.format(url="https://erp.exemplo.com.br/e"),
                      encoding="utf-8")  # fmt: skip
    monkeypatch.delenv("COBRANCA_TESTE_SEGREDO_ERP", raising=False)
    resultado = rodar("--config", str(config), "--db", url, "serve", "--porta", "1")
    assert resultado.returncode == 1
    assert "[integracoes.destinos[0].segredo_env] a variável de ambiente COBRANCA_TESTE_SEGREDO_ERP" in resultado.stderr
