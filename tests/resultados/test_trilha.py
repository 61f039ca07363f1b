"""The outcome trail: each step a debtor takes, with its instant, from a real conversation on the web app."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.canais.entregas import registrar_status
from bot.canais.whatsapp_webhook import StatusRecebido
from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import Devedor, Evento, Mensagem
from bot.dados.passos import TipoPasso
from bot.dados.saida import Saida, SituacaoSaida
from bot.pagamentos.visitas import e_robo, registrar_visita
from bot.resultados.trilha import passos
from tests.apoio.chat_web import NAVEGADOR, conversar, fechar_acordo
from tests.apoio.cliente_http import Cliente
from tests.apoio.relogio import AGORA, Relogio


async def test_do_primeiro_contato_ao_pagamento(cliente_demo: Cliente, url: str, relogio: Relogio) -> None:
    caminho = await fechar_acordo(cliente_demo)
    relogio.agora = AGORA + timedelta(hours=1)
    assert (await cliente_demo.get(caminho, headers={"User-Agent": NAVEGADOR})).status == 200
    relogio.agora = AGORA + timedelta(hours=2)
    assert (await cliente_demo.get(f"{caminho}.pdf", headers={"User-Agent": NAVEGADOR})).status == 200
    # WhatsApp fetching the link for its preview is not the debtor opening it.
    assert (await cliente_demo.get(caminho, headers={"User-Agent": "WhatsApp/2.23.20.0 A"})).status == 200
    # Nor is a HEAD (a link checker or a mail scanner asking whether the page exists), of the page or of the PDF.
    for alvo in (caminho, f"{caminho}.pdf"):
        assert (await cliente_demo.head(alvo, headers={"User-Agent": NAVEGADOR})).status == 200
    relogio.agora = AGORA + timedelta(hours=3)
    await cliente_demo.post(f"{caminho}/pagar", headers={"User-Agent": NAVEGADOR}, allow_redirects=False)

    engine = criar_engine(url)
    async with sessao(engine) as s:
        trilha = await passos(s, [1])
        abertas = (await s.exec(select(Evento).where(Evento.tipo == "pagina_aberta"))).all()
    await engine.dispose()
    tipos = [p.tipo for p in trilha]
    assert tipos.count(TipoPasso.RESPONDIDA) == 6  # the six messages Maria typed
    assert tipos.count(TipoPasso.PAGINA_ABERTA) == 1 and len(abertas) == 1
    assert tipos.count(TipoPasso.PDF_BAIXADO) == 1
    assert tipos.index(TipoPasso.RESPONDIDA) < tipos.index(TipoPasso.ACORDO) < tipos.index(TipoPasso.PAGINA_ABERTA)
    assert tipos.index(TipoPasso.PAGINA_ABERTA) < tipos.index(TipoPasso.PDF_BAIXADO) < tipos.index(TipoPasso.PAGAMENTO)
    por_tipo = {p.tipo: p for p in trilha}
    assert por_tipo[TipoPasso.PAGINA_ABERTA].instante == AGORA + timedelta(hours=1)
    assert por_tipo[TipoPasso.PDF_BAIXADO].instante == AGORA + timedelta(hours=2)
    assert por_tipo[TipoPasso.PAGAMENTO].instante == AGORA + timedelta(hours=3)
    valor = por_tipo[TipoPasso.ACORDO].valor
    assert valor is not None and por_tipo[TipoPasso.PAGAMENTO].valor == valor > Decimal("0")
    assert {p.devedor_id for p in trilha} == {1}
    assert [p.instante for p in trilha] == sorted(p.instante for p in trilha)


async def test_optout_e_contestacao(cliente_demo: Cliente, url: str) -> None:
    await conversar(cliente_demo, 1, "oi", "sim", "390", "não reconheço essa cobrança, quero contestar")
    await conversar(cliente_demo, 2, "PARAR")
    engine = criar_engine(url)
    async with sessao(engine) as s:
        maria, segundo = await passos(s, [1]), await passos(s, [2])
        todos = await passos(s)
    await engine.dispose()
    assert TipoPasso.CONTESTACAO in [p.tipo for p in maria] and TipoPasso.TRANSFERENCIA in [p.tipo for p in maria]
    assert TipoPasso.OPTOUT not in [p.tipo for p in maria]
    assert [p.tipo for p in segundo if p.tipo is TipoPasso.OPTOUT] == [TipoPasso.OPTOUT]
    assert sorted(todos, key=lambda p: p.devedor_id) == todos and len(todos) == len(maria) + len(segundo)


async def test_entregue_e_lida_de_resposta_e_de_lembrete(url: str) -> None:
    """Delivery reports count whether they refer to a conversation reply or to a régua reminder, in any order."""
    engine = criar_engine(url)
    async with sessao(engine) as s:
        devedor = (await s.exec(select(Devedor).where(Devedor.id == 1))).one()
        s.add(
            Saida(
                alvo="parcela:1", passo="vencimento", canal="whatsapp", devedor_id=1, destino=devedor.telefone or "",
                texto="lembrete", modelo="lembrete_vencimento", situacao=SituacaoSaida.ENVIADA.value,
                proxima_tentativa=AGORA, prazo=AGORA, enviada_em=AGORA, id_provedor="wamid.L1",
            )
        )  # fmt: skip
        await s.commit()
    lida, entregue = AGORA + timedelta(minutes=9), AGORA + timedelta(minutes=2)
    await registrar_status(engine, "whatsapp", StatusRecebido("wamid.L1", "read", lida))
    await registrar_status(engine, "whatsapp", StatusRecebido("wamid.L1", "delivered", entregue))
    await registrar_status(engine, "whatsapp", StatusRecebido("wamid.outro", "read", lida))  # not ours: nobody's step
    async with sessao(engine) as s:
        trilha = await passos(s, [1])
        assert (await s.exec(select(Mensagem))).all() == []
    await engine.dispose()
    assert [(p.tipo, p.instante, p.canal) for p in trilha] == [
        (TipoPasso.ENVIADA, AGORA, "whatsapp"),
        (TipoPasso.ENTREGUE, entregue, "whatsapp"),
        (TipoPasso.LIDA, lida, "whatsapp"),
    ]
    assert trilha[0].detalhe == {"lembrete": 1, "passo": "vencimento", "modelo": "lembrete_vencimento"}


@pytest.mark.parametrize(
    ("agente", "robo"),
    [
        ("WhatsApp/2.23.20.0 A", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        ("TelegramBot (like TwitterBot)", True),
        (NAVEGADOR, False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1", False),
        (None, False),
    ],
)
def test_robos_de_previa(agente: str | None, robo: bool) -> None:
    assert e_robo(agente) is robo


async def test_visita_de_tipo_errado_e_recusada(url: str) -> None:
    engine = criar_engine(url)
    with pytest.raises(ValueError, match="visita de tipo inesperado: acordo"):
        await registrar_visita(engine, TipoPasso.ACORDO, 1, 1, 1, NAVEGADOR, AGORA)
    await engine.dispose()
