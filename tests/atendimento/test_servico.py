"""The conversation service over a real SQLite database: storage, idempotency, hand-off silence."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.atendimento.servico import Atendimento, DevedorDesconhecido
from bot.boleto_pix.boleto import codigo_barras_da_linha
from bot.boleto_pix.pix import ler_pix, pix_valido
from bot.conversa.fatos import Entrada, Memoria
from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Conversa,
    Devedor,
    DocumentoPagamento,
    Evento,
    Mensagem,
    Parcela,
    Transferencia,
)
from bot.projeto import Projeto
from tests.apoio.leituras import id_de_maria
from tests.apoio.relogio import AGORA


async def test_acordo_gravado_com_parcelas_documento_e_origem(projeto: Projeto, url: str) -> None:
    atendimento = Atendimento(projeto.motor, criar_engine(url), lambda: AGORA)
    devedor_id = await id_de_maria(atendimento.engine)
    for texto in ("oi", "sim", "390", "esqueci", "sim"):
        await atendimento.receber(devedor_id, "web", Entrada(texto))
    registrado, codigos = await atendimento.receber(devedor_id, "web", Entrada("sim"))
    async with sessao(atendimento.engine) as s:
        acordo = (await s.exec(select(Acordo))).one()
        parcelas = (await s.exec(select(AcordoParcela).where(AcordoParcela.acordo_id == acordo.id))).all()
        documento = (await s.exec(select(DocumentoPagamento))).one()
        originais = (await s.exec(select(Parcela).where(Parcela.situacao == "negociada"))).all()
        conversa = (await s.exec(select(Conversa))).one()
        mensagens = (await s.exec(select(Mensagem).order_by(col(Mensagem.id)))).all()
        eventos = {e.tipo for e in (await s.exec(select(Evento))).all()}
    assert acordo.total == sum(p.valor for p in parcelas)
    assert documento.valor == min(parcelas, key=lambda p: p.numero).valor
    # The engine's message states the terms; `bot.pagamentos` issues the document and its message carries it.
    assert "Acordo registrado" in registrado.texto and registrado.documento is None
    assert codigos.documento == documento.id and codigos.documento == mensagens[-1].documento_id
    assert documento.pix in codigos.texto and documento.linha_digitavel in codigos.texto and "/p/" in codigos.texto
    assert (documento.emissao, len(documento.nosso_numero)) == (1, 10)
    assert documento.txid == projeto.config.pagamentos.convenio + documento.nosso_numero
    assert codigo_barras_da_linha(documento.linha_digitavel) == documento.codigo_barras
    assert pix_valido(documento.pix) and ler_pix(documento.pix)["54"] == f"{documento.valor:.2f}"
    assert len(originais) == 2
    assert conversa.estado == "pagamento"
    assert [m.direcao for m in mensagens][:2] == ["entrada", "saida"]
    assert sum(m.direcao == "entrada" for m in mensagens) == 6
    assert {"identidade_ok", "motivo", "oferta", "acordo"} <= eventos
    # a new conversation later shows the active agreement instead of negotiating again
    for texto in ("oi", "sim"):
        await atendimento.receber(devedor_id, "whatsapp", Entrada(texto))
    respostas = await atendimento.receber(devedor_id, "whatsapp", Entrada("390"))
    assert "acordo ativo" in respostas[-1].texto
    assert documento.linha_digitavel in respostas[-1].texto and respostas[-1].documento == documento.id
    await atendimento.engine.dispose()


async def test_mensagem_repetida_do_provedor_e_processada_uma_vez(projeto: Projeto, url: str) -> None:
    atendimento = Atendimento(projeto.motor, criar_engine(url), lambda: AGORA)
    devedor_id = await id_de_maria(atendimento.engine)
    primeira = await atendimento.receber(devedor_id, "whatsapp", Entrada("oi"), id_externo="wamid.1")
    # Delivered again before its replies left (the worker died after the commit): the same stored replies, under
    # the same keys, and no second step.
    segunda = await atendimento.receber(devedor_id, "whatsapp", Entrada("oi"), id_externo="wamid.1")
    assert primeira and all(r.mensagem_id for r in primeira) and segunda == primeira
    async with sessao(atendimento.engine) as s:
        entradas = (await s.exec(select(Mensagem).where(Mensagem.direcao == "entrada"))).all()
        saidas = (await s.exec(select(Mensagem).where(Mensagem.direcao == "saida"))).all()
        assert all(m.status == "pendente" and m.tentar_em is not None for m in saidas)  # the outbox, before sending
        for saida in saidas:  # as the channel records them once sent
            saida.status, saida.id_externo, saida.tentar_em = "enviada", f"wamid.out.{saida.id}", None
            s.add(saida)
        await s.commit()
    assert len(entradas) == 1 and len(saidas) == len(primeira)
    assert await atendimento.receber(devedor_id, "whatsapp", Entrada("oi"), id_externo="wamid.1") == []
    await atendimento.engine.dispose()


async def test_depois_da_transferencia_o_bot_fica_em_silencio(projeto: Projeto, url: str) -> None:
    atendimento = Atendimento(projeto.motor, criar_engine(url), lambda: AGORA)
    devedor_id = await id_de_maria(atendimento.engine)
    await atendimento.receber(devedor_id, "web", Entrada("oi"))
    transferido = await atendimento.receber(devedor_id, "web", Entrada("quero falar com um atendente"))
    assert "pessoa da nossa equipe" in transferido[0].texto
    assert await atendimento.receber(devedor_id, "web", Entrada("alo?")) == []
    async with sessao(atendimento.engine) as s:
        conversa = (await s.exec(select(Conversa))).one()
        fila = (await s.exec(select(Transferencia))).all()
        ultima = (await s.exec(select(Mensagem).order_by(col(Mensagem.id).desc()))).first()
    assert conversa.dono == "fila"
    assert [t.motivo for t in fila] == ["pedido"]
    assert ultima is not None and ultima.texto == "alo?"  # stored for the agent, unanswered
    await atendimento.engine.dispose()


async def test_optout_e_numero_errado_ficam_no_cadastro(projeto: Projeto, url: str) -> None:
    atendimento = Atendimento(projeto.motor, criar_engine(url), lambda: AGORA)
    devedor_id = await id_de_maria(atendimento.engine)
    await atendimento.receber(devedor_id, "web", Entrada("PARAR"))
    await atendimento.receber(devedor_id, "whatsapp", Entrada("oi"))
    await atendimento.receber(devedor_id, "whatsapp", Entrada("numero errado"))
    await atendimento.receber(devedor_id, "whatsapp", Entrada("Não é meu número", opcao="nao_sou_eu"))
    async with sessao(atendimento.engine) as s:
        devedor = await s.get(Devedor, devedor_id)
    assert devedor is not None
    assert devedor.optout_em == AGORA
    assert devedor.telefone_invalido
    await atendimento.engine.dispose()


async def test_devedor_inexistente(projeto: Projeto, url: str) -> None:
    atendimento = Atendimento(projeto.motor, criar_engine(url), lambda: AGORA)
    with pytest.raises(DevedorDesconhecido):
        await atendimento.receber(99999, "web", Entrada("oi"))
    await atendimento.engine.dispose()


async def test_memoria_gravada_volta_tipada_e_ilegivel_nao_perde_nada(projeto: Projeto, url: str) -> None:
    """The JSON column holds the memory's stored form; an unreadable one is refused by key, and nothing is written."""
    atendimento = Atendimento(projeto.motor, criar_engine(url), lambda: AGORA)
    devedor_id = await id_de_maria(atendimento.engine)
    for texto in ("oi", "sim", "390", "esqueci", "quero parcelar"):
        await atendimento.receber(devedor_id, "web", Entrada(texto))
    async with sessao(atendimento.engine) as s:
        conversa = (await s.exec(select(Conversa))).one()
        guardada = Memoria.de_dict(conversa.memoria)
        assert guardada.plano is not None and guardada.plano.tipo == "parcelado"
        assert guardada.ultima_atividade == AGORA and conversa.memoria["ultima_atividade"] == AGORA.isoformat()
        estragada = {**conversa.memoria, "plano": {**conversa.memoria["plano"], "parcelas": "4x"}}
        conversa.memoria = estragada
        s.add(conversa)
        await s.commit()
    with pytest.raises(ValueError, match=r"^memoria\.plano: plano inválido: "):
        await atendimento.receber(devedor_id, "web", Entrada("sim"))
    async with sessao(atendimento.engine) as s:
        conversa = (await s.exec(select(Conversa))).one()
        entradas = (await s.exec(select(Mensagem).where(Mensagem.direcao == "entrada"))).all()
    assert conversa.memoria == estragada  # kept for a person to look at, not reset
    assert len(entradas) == 5  # the step ran in one transaction: the refused message is the inbox's to keep
    await atendimento.engine.dispose()
