"""Live console over HTTP: late hand-offs alert gestores, a conversation streams new messages and attachments."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from aiohttp import ClientResponse
from sqlmodel import select

from bot.console.alertas import alertar_atrasadas
from bot.console.usuarios import criar_usuario, desativar, trocar_senha
from bot.conversa.fatos import Entrada
from bot.dados.atendentes import AlertaTransferencia, Usuario
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo
from bot.dados.modelos import Evento
from tests.apoio.console import SENHA, Ambiente, entrar, postar, token
from tests.apoio.relogio import AGORA


async def evento(resposta: ClientResponse) -> tuple[str, dict[str, Any]]:
    """The next server-sent event: its name and its JSON data."""
    bloco = (await resposta.content.readuntil(b"\n\n")).decode()
    campos = dict(linha.split(": ", 1) for linha in bloco.strip().splitlines())
    return campos["event"], json.loads(campos["data"])


async def test_transferencia_sem_resposta_alerta_os_gestores(amb: Ambiente) -> None:
    conversa = await amb.escalar()
    gil, ana = await amb.cliente(), await amb.cliente()
    await entrar(gil, "gil")
    await entrar(ana, "ana")
    fluxo = await gil.get("/console/fila/eventos")
    assert fluxo.headers["Content-Type"] == "text/event-stream"
    nome, partes = await evento(fluxo)
    assert nome == "atualizar" and "Pediu uma pessoa" in partes["fila-linhas"] and partes["alertas"] == ""

    amb.relogio.agora += timedelta(minutes=31)  # `[console] alerta_minutos = 30`
    _, partes = await evento(fluxo)
    assert "2 conversas" not in partes["alertas"]
    assert "1 conversa espera há mais de 30 min sem ninguém assumir" in partes["alertas"]
    assert 'role="alert"' in partes["alertas"] and "sem resposta" in partes["fila-linhas"]
    assert 'role="alert"' in await (await gil.get("/console/")).text()  # also on a fresh page load
    async with sessao(amb.engine) as s:
        assert await alertar_atrasadas(s, amb.relogio(), 30) == []  # recorded once, whoever looks again
        eventos = (await s.exec(select(Evento).where(Evento.tipo == "alerta_transferencia"))).all()
        assert len((await s.exec(select(AlertaTransferencia))).all()) == 1
    assert [(e.conversa_id, e.dados["motivo"], e.dados["minutos"]) for e in eventos] == [(conversa, "pedido", 30)]

    assert await postar(ana, conversa, "assumir") == 303
    _, partes = await evento(fluxo)
    assert partes["alertas"] == "" and "sem resposta" not in partes["fila-linhas"] and "Ana" in partes["fila-linhas"]
    fluxo.close()


async def test_conversa_ao_vivo_com_anexos_so_para_quem_pode_ler(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    ana, beto, gil = await amb.cliente(), await amb.cliente(), await amb.cliente()
    for cliente, login in ((ana, "ana"), (beto, "beto"), (gil, "gil")):
        await entrar(cliente, login)
    assert await postar(ana, conversa, "assumir") == 303
    assert (await beto.get(f"/console/conversas/{conversa}/eventos")).status == 404
    assert (await ana.get("/console/conversas/abc/eventos")).status == 404

    fluxo = await ana.get(f"/console/conversas/{conversa}/eventos")
    _, partes = await evento(fluxo)
    assert "quero falar com um atendente" in partes["mensagens"] and "Nenhum anexo" in partes["anexos"]

    await amb.atendimento.receber(1, "whatsapp", Entrada("segue o comprovante"), "wamid.X1")
    async with sessao(amb.engine) as s:
        s.add(Anexo(conversa_id=conversa, canal="whatsapp", tipo="document", id_midia="M1", nome="comprovante.pdf"))
        await s.commit()
    _, partes = await evento(fluxo)
    while "comprovante.pdf" not in partes["anexos"]:  # the message and the attachment may land in two checks
        _, partes = await evento(fluxo)
    assert "segue o comprovante" in partes["mensagens"]
    assert "documento “comprovante.pdf”" in (await (await ana.get(f"/console/conversas/{conversa}")).text())

    async with sessao(amb.engine) as s:
        beto_id = (await s.exec(select(Usuario.id).where(Usuario.login == "beto"))).one()
    assert await postar(gil, conversa, "reatribuir", usuario=str(beto_id)) == 303
    nome, _ = await evento(fluxo)
    assert nome == "fim"  # Ana lost the conversation: her stream ends
    fluxo.close()


async def test_fluxos_abertos_terminam_com_a_sessao(amb: Ambiente) -> None:
    """Logout, deactivation, a password change and expiry each end a stream opened before them."""
    conversa = await amb.escalar()
    ana, beto, gil, dora = [await amb.cliente() for _ in range(4)]
    async with sessao(amb.engine) as s:
        await criar_usuario(s, "dora", "Dora", "gestor", SENHA, AGORA)
    for cliente, login in ((ana, "ana"), (beto, "beto"), (gil, "gil"), (dora, "dora")):
        assert await entrar(cliente, login) == 303
    assert await postar(ana, conversa, "assumir") == 303
    fluxos = {
        "ana": await ana.get(f"/console/conversas/{conversa}/eventos"),
        "beto": await beto.get("/console/fila/eventos"),
        "gil": await gil.get("/console/fila/eventos"),
    }
    for fluxo in fluxos.values():
        assert (await evento(fluxo))[0] == "atualizar"

    await ana.post("/console/sair", data={"csrf": await token(ana)}, allow_redirects=False)
    async with sessao(amb.engine) as s:
        await desativar(s, "beto", amb.relogio())
        await trocar_senha(s, "gil", "outra-senha-longa", amb.relogio())
    for nome, fluxo in fluxos.items():  # within a couple of checks (1 s apart), not whenever the page closes
        assert (await asyncio.wait_for(evento(fluxo), 10))[0] == "fim", nome
        fluxo.close()

    dora_fila = await dora.get("/console/fila/eventos")
    assert (await evento(dora_fila))[0] == "atualizar"
    amb.relogio.agora += timedelta(hours=13)  # `[console] sessao_horas = 12`
    evento_final = await asyncio.wait_for(evento(dora_fila), 10)
    while evento_final[0] == "atualizar":  # an alert may land first; the session's end follows
        evento_final = await asyncio.wait_for(evento(dora_fila), 10)
    assert evento_final[0] == "fim"
    dora_fila.close()
