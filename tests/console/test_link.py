"""Payment link from the console: the next open installment's document and page, issued once, sent, audited."""

from __future__ import annotations

import re

from sqlmodel import col, select

from bot.boleto_pix.boleto import codigo_barras_da_linha
from bot.boleto_pix.pix import crc16_ccitt
from bot.conversa.fatos import Entrada
from bot.dados.atendentes import Auditoria
from bot.dados.banco import sessao
from bot.dados.cobrancas import TokenPagamento
from bot.dados.modelos import AcordoParcela, Conversa, DocumentoPagamento
from tests.apoio.console import Ambiente, com_acordo, entrar, postar


async def test_link_da_proxima_parcela(amb: Ambiente) -> None:
    conversa = await amb.escalar(canal="whatsapp")
    ana = await amb.cliente()
    await entrar(ana, "ana")
    assert await postar(ana, conversa, "assumir") == 303
    assert await postar(ana, conversa, "link") == 409  # no agreement yet
    assert await postar(ana, conversa, "devolver", ponto="oferta", opcao="1") == 303  # up to 6x
    await amb.atendimento.receber(1, "whatsapp", Entrada("aceito"))
    await amb.atendimento.receber(1, "whatsapp", Entrada("sim"))
    assert await postar(ana, conversa, "assumir") == 303

    assert await postar(ana, conversa, "link") == 303  # installment 1: the bot's own document, sent again
    primeira = amb.remetente.enviados[-1].texto
    async with sessao(amb.engine) as s:
        (doc1,) = (await s.exec(select(DocumentoPagamento))).all()
        token1 = (await s.exec(select(TokenPagamento.token))).one()
        parcela1 = (await s.exec(select(AcordoParcela).where(AcordoParcela.numero == 1))).one()
        parcela1.situacao = "paga"
        s.add(parcela1)
        await s.commit()
    assert "parcela 1 de " in primeira and f"/p/{token1}" in primeira and doc1.pix in primeira

    resposta = await ana.post(
        f"/console/conversas/{conversa}/link",
        data={"csrf": re.findall(r'name="csrf" value="([^"]+)"', await (await ana.get("/console/")).text())[0]},
        allow_redirects=False,
    )
    assert resposta.headers["Location"] == f"/console/conversas/{conversa}?aviso=link"
    assert "Link de pagamento da próxima parcela enviado" in await (await ana.get(resposta.headers["Location"])).text()
    segunda = amb.remetente.enviados[-1].texto
    assert await postar(ana, conversa, "link") == 303  # again: the same document and page
    async with sessao(amb.engine) as s:
        doc2 = (await s.exec(select(DocumentoPagamento).where(DocumentoPagamento.acordo_parcela_numero == 2))).one()
        (token2,) = (await s.exec(select(TokenPagamento).where(TokenPagamento.documento_id == doc2.id))).all()
        parcela2 = (await s.exec(select(AcordoParcela).where(AcordoParcela.numero == 2))).one()
        auditoria = (
            await s.exec(select(Auditoria).where(Auditoria.acao == "emitiu_link").order_by(col(Auditoria.id)))
        ).all()
    assert int(doc2.nosso_numero) == int(doc1.nosso_numero) + 1  # the one counter, whoever issues
    assert doc2.valor == parcela2.valor and doc2.vencimento == parcela2.vencimento
    assert codigo_barras_da_linha(doc2.linha_digitavel) == doc2.codigo_barras
    assert doc2.codigo_barras[9:19] == f"{int(parcela2.valor * 100):010d}"
    assert doc2.pix[-4:] == crc16_ccitt(doc2.pix[:-4])
    assert "parcela 2 de " in segunda and f"/p/{token2.token}" in segunda and doc2.linha_digitavel in segunda
    assert amb.remetente.enviados[-1].texto == segunda
    pdf = amb.remetente.enviados[-1].documento  # WhatsApp: the boleto PDF goes after the link
    assert pdf is not None and pdf.mime == "application/pdf" and pdf.conteudo.startswith(b"%PDF-")
    assert pdf.nome == f"boleto-acordo-{doc2.acordo_id}-parcela-2.pdf"
    assert [a.dados["novo"] for a in auditoria] == [False, True, False]
    assert (await ana.get(f"/p/{token2.token}")).status == 200


async def test_devolver_no_pagamento_depois_do_link_nao_repete(amb: Ambiente) -> None:
    conversa = await com_acordo(amb)
    ana = amb.clientes[-1]  # Ana, who took the chat back after the deal
    assert await postar(ana, conversa, "link") == 303
    enviados = len(amb.remetente.enviados)
    assert await postar(ana, conversa, "devolver", ponto="pagamento") == 303
    assert len(amb.remetente.enviados) == enviados  # the person just sent the codes: nothing again
    async with sessao(amb.engine) as s:
        lida = await s.get(Conversa, conversa)
    assert lida is not None and lida.estado == "pagamento"
    respostas = await amb.atendimento.receber(1, "whatsapp", Entrada("reenvia o código"))
    assert respostas and "Acordo registrado" not in respostas[0].texto and "PIX copia e cola" in respostas[0].texto


async def test_devolver_no_pagamento_sem_link_mostra_o_acordo_vigente(amb: Ambiente) -> None:
    conversa = await com_acordo(amb)
    ana = amb.clientes[-1]  # Ana, who took the chat back after the deal
    assert await postar(ana, conversa, "devolver", ponto="pagamento") == 303
    fala = amb.remetente.enviados[-1].texto
    assert fala.startswith("Você tem um acordo ativo") and "Acordo registrado" not in fala
    assert "Próximo pagamento" in fala and "PIX copia e cola" in fala
