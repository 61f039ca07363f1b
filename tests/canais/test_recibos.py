"""Receipts end to end: a debtor sends a PDF (written by the test with fpdf2) or a photo on WhatsApp; the bot reads
it, matches it against what they owe, records "pagamento informado" and holds the régua, or hands it to a person."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fpdf import FPDF
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.canais.recibos import abertos
from bot.canais.webhooks import RECEPCAO
from bot.console.visao import carregar_fila
from bot.dados.banco import sessao
from bot.dados.modelos import Conversa, Devedor, Evento, Parcela, Transferencia
from bot.dados.saida import Saida
from bot.dados.voz import Comprovante
from bot.disparo import lote
from tests.apoio.ambiente_canais import Ambiente
from tests.apoio.atualizacoes import carregar
from tests.apoio.console import entrar
from tests.apoio.whatsapp import postar, texto

ID_DOCUMENTO, ID_IMAGEM = "1180236789432577", "1003383421387256"  # tests/data/updates
CNPJ_CREDOR = "11.222.333/0001-81"  # config.toml
E2E = "E00000000202611221435ABCde123456"  # ISPB 00000000 (Banco do Brasil), 22/11/2026 14:35 UTC
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8


def pdf(valor: str, e2e: str = E2E, cnpj: str = CNPJ_CREDOR, data: str = "22/11/2026") -> bytes:
    documento = FPDF()
    documento.add_page()
    documento.set_font("Helvetica", size=11)
    for linha in ("Comprovante de Pix", f"Data: {data} 11:35", f"Valor: R$ {valor}", "Recebedor: Loja Exemplo",
                  f"CNPJ: {cnpj}", "ID da transacao:", e2e):  # fmt: skip
        documento.cell(0, 8, linha, new_x="LMARGIN", new_y="NEXT")
    return bytes(documento.output())


def documento(legenda: str | None = "segue o comprovante", id_midia: str = ID_DOCUMENTO, n: int = 0) -> dict[str, Any]:
    payload = carregar("whatsapp_documento.json")
    mensagem = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    mensagem["id"] += f"{n}" if n else ""
    mensagem["document"]["id"] = id_midia
    if legenda is not None:
        mensagem["document"]["caption"] = legenda
    return payload


async def _maria(s: AsyncSession) -> Devedor:
    return (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()


async def test_comprovante_que_confere_informa_o_pagamento_e_segura_a_regua(amb_canais: Ambiente) -> None:
    engine = amb_canais.cliente.app[RECEPCAO].engine
    async with sessao(engine) as s:
        maria = await _maria(s)
        assert maria.id is not None
        config = amb_canais.cliente.app[RECEPCAO].atendimento.motor.config
        hoje = amb_canais.relogio().date()
        devidos = await abertos(s, maria.id, config.encargos, hoje, maria.uf)
    assert {a.valor for a in devidos} == {Decimal("489.90")}
    atrasada = min(devidos, key=lambda a: a.vencimento)  # due 10/10/2026: 2 % fine and interest up to today
    assert atrasada.atualizado is not None and atrasada.atualizado > atrasada.valor
    mais_antiga = min(devidos, key=lambda a: a.vencimento)
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90"), "application/pdf")
    await postar(amb_canais.cliente, documento())
    (resposta,) = amb_canais.respostas()
    assert "Recebi seu comprovante" in resposta and "*26/11/2026*" in resposta  # 3 days (dias_para_confirmar)
    async with sessao(engine) as s:
        (comprovante,) = (await s.exec(select(Comprovante))).all()
        (evento,) = (await s.exec(select(Evento).where(Evento.tipo == "pagamento_informado"))).all()
        assert (await s.exec(select(Transferencia))).all() == []
        parcela_id = int(mais_antiga.alvo.split(":")[1])
        parcela = await s.get(Parcela, parcela_id)
    assert (comprovante.situacao, comprovante.alvo, comprovante.e2e) == ("casado", mais_antiga.alvo, E2E)
    assert comprovante.valor == Decimal("489.90") and comprovante.ate == amb_canais.relogio() + timedelta(days=3)
    assert evento.dados["origem"] == "comprovante" and evento.dados["alvo"] == mais_antiga.alvo
    assert parcela is not None and parcela.situacao == "aberta"  # never paid on a receipt alone
    # The régua holds a reminder of that installment until the bank confirms or the days pass.
    saida = Saida(alvo=mais_antiga.alvo, passo="d+15", canal="whatsapp", devedor_id=maria.id,
                  destino="+5511987654321", texto="lembrete", proxima_tentativa=amb_canais.relogio(),
                  prazo=amb_canais.relogio() + timedelta(days=1))  # fmt: skip
    config = amb_canais.cliente.app[RECEPCAO].atendimento.motor.config
    async with sessao(engine) as s:
        agora = await lote.carregar(s, config.regua, [saida], amb_canais.relogio())
        depois = await lote.carregar(s, config.regua, [saida], amb_canais.relogio() + timedelta(days=3, minutes=1))
    assert agora.impedimento(saida).pausa == "comprovante enviado: aguardando a confirmação do banco"
    assert depois.impedimento(saida).pausa is None


async def test_parcela_atrasada_paga_com_multa_e_juros_confere(amb_canais: Ambiente) -> None:
    engine = amb_canais.cliente.app[RECEPCAO].engine
    config = amb_canais.cliente.app[RECEPCAO].atendimento.motor.config
    async with sessao(engine) as s:
        maria = await _maria(s)
        assert maria.id is not None
        devidos = await abertos(s, maria.id, config.encargos, amb_canais.relogio().date(), maria.uf)
    atrasada = min(devidos, key=lambda a: a.vencimento)
    assert atrasada.atualizado is not None
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf(f"{atrasada.atualizado:.2f}".replace(".", ",")), "application/pdf")
    await postar(amb_canais.cliente, documento())
    assert "Recebi seu comprovante e registrei o pagamento informado" in amb_canais.respostas()[0]
    async with sessao(engine) as s:
        (comprovante,) = (await s.exec(select(Comprovante))).all()
    assert (comprovante.situacao, comprovante.alvo) == ("casado", atrasada.alvo)


async def test_comprovante_que_nao_confere_vai_para_uma_pessoa_com_prioridade(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("100,00"), "application/pdf")
    await postar(amb_canais.cliente, documento())
    assert "conferir com prioridade" in amb_canais.respostas()[0]
    engine = amb_canais.cliente.app[RECEPCAO].engine
    async with sessao(engine) as s:
        (comprovante,) = (await s.exec(select(Comprovante))).all()
        (transferencia,) = (await s.exec(select(Transferencia))).all()
        conversa = await s.get(Conversa, transferencia.conversa_id)
        (item,) = await carregar_fila(s, amb_canais.relogio(), 30)
    assert (comprovante.situacao, comprovante.alvo, comprovante.ate) == ("sem_casamento", None, None)
    assert comprovante.motivo == "nenhuma parcela em aberto de R$ 100,00"
    assert transferencia.motivo == "comprovante" and conversa is not None and conversa.dono == "fila"
    assert (item.motivo, item.prioridade) == ("Comprovante a conferir", "alta")
    await entrar(amb_canais.cliente, "ana")
    pagina = await (await amb_canais.cliente.get(f"/console/conversas/{transferencia.conversa_id}")).text()
    assert "Comprovante: não confere, conferir (nenhuma parcela em aberto de R$ 100,00)" in pagina
    assert f"id PIX {E2E}" not in pagina  # an unmatched receipt keeps no id: it may be the right one later


async def test_foto_do_comprovante_sem_ocr_vai_para_uma_pessoa(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_IMAGEM] = (JPEG, "image/jpeg")
    await postar(amb_canais.cliente, carregar("whatsapp_imagem.json"))  # caption "comprovante"
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        (comprovante,) = (await s.exec(select(Comprovante))).all()
        (transferencia,) = (await s.exec(select(Transferencia))).all()
    assert comprovante.situacao == "ilegivel" and transferencia.motivo == "comprovante"
    assert "conferir com prioridade" in amb_canais.respostas()[0]


async def test_o_mesmo_pix_em_dois_comprovantes_nao_informa_dois_pagamentos(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90"), "application/pdf")
    amb_canais.graph.midias["222"] = (pdf("489,90") + b"\n% outra copia\n", "application/pdf")
    await postar(amb_canais.cliente, documento())
    await postar(amb_canais.cliente, documento(id_midia="222", n=2))
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        comprovantes = (await s.exec(select(Comprovante).order_by(col(Comprovante.id)))).all()
        informados = (await s.exec(select(Evento).where(Evento.tipo == "pagamento_informado"))).all()
    assert [c.situacao for c in comprovantes] == ["casado", "sem_casamento"]
    assert comprovantes[1].motivo == f"id PIX {E2E} já veio em outro comprovante"
    assert len(informados) == 1


async def test_cnpj_de_outro_recebedor_nao_confere(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90", cnpj="12.345.678/0001-95"), "application/pdf")
    await postar(amb_canais.cliente, documento())
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        (comprovante,) = (await s.exec(select(Comprovante))).all()
    assert comprovante.situacao == "sem_casamento" and "CNPJ do credor (11.222.333/0001-81)" in comprovante.motivo


async def test_pdf_sem_legenda_depois_de_ja_paguei_e_lido_como_comprovante(amb_canais: Ambiente) -> None:
    engine = amb_canais.cliente.app[RECEPCAO].engine
    async with sessao(engine) as s:  # the flow's record of "já paguei", a day ago
        maria = await _maria(s)
        assert maria.id is not None
        s.add(Evento(devedor_id=maria.id, tipo="motivo", dados={"motivo": "ja_paguei", "texto": "já paguei"},
                     criado_em=amb_canais.relogio() - timedelta(days=1)))  # fmt: skip
        await s.commit()
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90"), "application/pdf")
    await postar(amb_canais.cliente, documento(legenda=None))
    assert "Recebi seu comprovante" in amb_canais.respostas()[0]


async def test_pdf_sem_legenda_logo_depois_de_escrever_que_pagou_e_lido(amb_canais: Ambiente) -> None:
    """Said before the flow recorded anything (the first message, identity not yet confirmed): still a receipt."""
    await postar(amb_canais.cliente, texto("oi, já paguei essa conta, vou mandar o comprovante", "wamid.paguei"))
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90"), "application/pdf")
    await postar(amb_canais.cliente, documento(legenda=None))
    assert "Recebi seu comprovante" in amb_canais.graph.enviadas[-1]["text"]["body"]  # after the greeting's buttons


async def test_pdf_qualquer_sem_legenda_so_e_guardado(amb_canais: Ambiente) -> None:
    await postar(amb_canais.cliente, texto("me manda o pix", "wamid.pix"))  # asks, has not paid
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90"), "application/pdf")
    await postar(amb_canais.cliente, documento(legenda=None))
    assert "guardei" in amb_canais.graph.enviadas[-1]["text"]["body"]
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        assert (await s.exec(select(Comprovante))).all() == []


async def test_o_mesmo_arquivo_de_novo_tem_a_mesma_resposta_e_nada_duas_vezes(amb_canais: Ambiente) -> None:
    amb_canais.graph.midias[ID_DOCUMENTO] = (pdf("489,90"), "application/pdf")
    await postar(amb_canais.cliente, documento())
    await postar(amb_canais.cliente, documento(n=3))  # forwarded again: a new message, the same WhatsApp media id
    primeira, segunda = amb_canais.respostas()
    assert primeira == segunda and "Recebi seu comprovante" in primeira
    async with sessao(amb_canais.cliente.app[RECEPCAO].engine) as s:
        assert len((await s.exec(select(Comprovante))).all()) == 1
        assert len((await s.exec(select(Evento).where(Evento.tipo == "pagamento_informado"))).all()) == 1
    assert amb_canais.graph.baixadas == [ID_DOCUMENTO]  # read once
