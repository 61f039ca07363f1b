"""An agent writing first (the debtor silent for a day) follows the contact policy; a reply in a live chat does not."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.console.abertura import abre_conversa
from bot.dados.banco import sessao
from bot.dados.modelos import Devedor, Mensagem
from bot.disparo.contato import pode_contatar
from tests.apoio.console import Ambiente, entrar, postar, token
from tests.apoio.relogio import AGORA


def test_abre_conversa() -> None:
    assert abre_conversa(None, AGORA)
    assert abre_conversa(AGORA - timedelta(hours=24), AGORA)
    assert not abre_conversa(AGORA - timedelta(hours=23), AGORA)


async def _escrever(amb: Ambiente, conversa: int, texto: str) -> tuple[int, str]:
    ana = amb.clientes[0]
    await entrar(ana, "ana")  # the clock moved by days: a fresh session
    resposta = await ana.post(
        f"/console/conversas/{conversa}/responder", data={"texto": texto, "csrf": await token(ana, conversa)}
    )
    return resposta.status, await resposta.text()


async def test_fim_de_semana_bloqueia_e_diz_quando(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    amb.relogio.agora = AGORA + timedelta(days=5)  # Saturday 11h in São Paulo, the debtor silent since Monday
    status, pagina = await _escrever(amb, conversa, "Oi, tudo bem?")
    assert status == 409
    assert "política de contato não permite escrever primeiro agora" in pagina
    assert "Permitido a partir de 30/11/2026 às 09:00 (horário do devedor)" in pagina
    async with sessao(amb.engine) as s:
        textos = (await s.exec(select(Mensagem.texto))).all()
    assert "Oi, tudo bem?" not in textos  # nothing stored, nothing sent
    amb.relogio.agora = AGORA + timedelta(days=7)  # Monday 11h: allowed
    assert (await _escrever(amb, conversa, "Oi, tudo bem?"))[0] == 200
    async with sessao(amb.engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.id == 1))).one()
        politica = amb.atendimento.motor.config.regua.politica
        livre, motivo, _ = await pode_contatar(s, devedor, "whatsapp", amb.relogio.agora, politica)
    assert not livre and motivo is not None  # the agent's opening counts toward the caps, like a reminder
    amb.relogio.agora += timedelta(hours=5)  # the same day, the debtor still silent: the daily cap is spent
    status, pagina = await _escrever(amb, conversa, "Conseguiu ver?")
    assert status == 409 and "Permitido a partir de 01/12/2026 às 09:00" in pagina


async def test_optout_nunca_permite_e_conversa_viva_nao_e_restrita(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    amb.relogio.agora = AGORA + timedelta(days=5, hours=-1)  # Saturday 10h, but the debtor wrote... on Monday
    async with sessao(amb.engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.id == 1))).one()
        devedor.optout_em = AGORA
        s.add(devedor)
        await s.commit()
    status, pagina = await _escrever(amb, conversa, "Oi")
    assert status == 409 and "Não será permitido por este canal." in pagina
    amb.relogio.agora = AGORA + timedelta(hours=2)  # within a day of the debtor's message: a reply, not a contact
    assert (await _escrever(amb, conversa, "Oi"))[0] == 200
