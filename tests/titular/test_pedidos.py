"""LGPD requests from the command line: export everything, correct contact data, anonymise; each audited."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.atendimento.servico import Atendimento
from bot.cli import main
from bot.conversa.fatos import Entrada
from bot.dados.atendentes import Auditoria
from bot.dados.banco import criar_engine, sessao
from bot.dados.entrada import Anexo, Atualizacao
from bot.dados.integracao import EventoSaida
from bot.dados.modelos import Acordo, Conversa, Devedor, Mensagem, Parcela
from bot.dados.pausas import pausar, registrar_optout
from bot.dados.saida import Saida
from bot.projeto import Projeto
from tests.apoio.relogio import AGORA

CPF = "390.533.447-05"


def _rodar(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    codigo = main(["--db", url, "--now", "2026-11-23T11:00-03:00", "titular", *args])
    saida = capsys.readouterr()
    return codigo, saida.out, saida.err


def _ler(url: str, consulta: Any) -> list[Any]:
    async def ler() -> list[Any]:
        engine = criar_engine(url)
        async with sessao(engine) as s:
            linhas = list((await s.exec(consulta)).all())
        await engine.dispose()
        return linhas

    return asyncio.run(ler())


@pytest.fixture
def com_conversa(projeto: Projeto, url: str) -> str:
    """Maria (id 1) talks on the web chat up to an agreement: messages, events, an agreement and a document."""

    async def conversar() -> None:
        engine = criar_engine(url)
        atendimento = Atendimento(projeto.motor, engine, lambda: AGORA)
        for texto in ("oi", "sim", "390", "esqueci", "sim", "sim"):
            await atendimento.receber(1, "web", Entrada(texto))
        async with sessao(engine) as s:  # a WhatsApp message as the inbox stored it, already processed
            corpo = {"from": "5511987654321", "text": {"body": "oi, é a Maria"}}
            s.add(Atualizacao(canal="whatsapp", tipo="mensagem", id_externo="wamid.1", corpo=corpo,
                              situacao="processada", remetente="whatsapp:5511987654321"))  # fmt: skip
            sms = {"type": "MESSAGE", "message": {"from": "5511987654321", "contents": [{"type": "text",
                   "text": "pago semana que vem"}]}}  # fmt: skip
            s.add(Atualizacao(canal="sms", tipo="mensagem", id_externo="zenvia-1", corpo=sms,
                              situacao="processada", remetente="sms:5511987654321"))  # fmt: skip
            await s.commit()
        await engine.dispose()

    asyncio.run(conversar())
    return url


def test_exportar_tudo_em_json_e_auditado(
    com_conversa: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arquivo = tmp_path / "maria.json"
    codigo, saida, erro = _rodar(capsys, com_conversa, "exportar", "--cpf", CPF, "--arquivo", str(arquivo))
    assert codigo == 0, erro
    dados = json.loads(arquivo.read_text(encoding="utf-8"))
    assert saida.startswith(f"escrito {arquivo} ({len(dados)} tabela(s))")
    assert dados["devedor"]["cpf"] == "39053344705" and dados["devedor"]["telefone"] == "+5511987654321"
    for tabela in ("contrato", "parcela", "conversa", "mensagem", "evento", "acordo", "acordo_parcela",
                   "acordo_origem", "documento_pagamento", "token_pagamento"):  # fmt: skip
        assert dados.get(tabela), tabela
    assert "esqueci" in [m["texto"] for m in dados["mensagem"]]
    assert [a["canal"] for a in dados["atualizacao"]] == ["whatsapp", "sms"]
    assert dados["atualizacao"][0]["corpo"]["text"]["body"] == "oi, é a Maria"
    assert dados["atualizacao"][1]["corpo"]["message"]["contents"][0]["text"] == "pago semana que vem"
    assert {p["contrato_id"] for p in dados["parcela"]} == {c["id"] for c in dados["contrato"]}
    assert all(e["devedor_id"] == 1 for e in dados["evento"])
    (auditoria,) = _ler(com_conversa, select(Auditoria).where(Auditoria.acao == "titular_exportar"))
    assert auditoria.dados["cpf"] == "***.533.447-**" and "mensagem" in auditoria.dados["tabelas"]
    assert _rodar(capsys, com_conversa, "exportar", "--cpf", "719.428.367-08")[0] == 0  # another person's request
    codigo, saida, _ = _rodar(capsys, com_conversa, "exportar", "--cpf", CPF)
    assert codigo == 0 and json.loads(saida)["devedor"]["id"] == 1
    # the audit of what was done with Maria's data (by dados.devedor): her first request, not the other person's
    assert [(a["acao"], a["dados"]["devedor"]) for a in json.loads(saida)["auditoria"]] == [("titular_exportar", 1)]


def test_anonimizar_apaga_o_audio_e_mantem_o_comprovante(
    com_conversa: str, copia: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A voice note is the person's voice (its transcription is a message, erased too); a receipt is proof of
    payment. A file another person also sent (files are named by content) stays for them."""
    pasta = copia / "data" / "anexos"
    pasta.mkdir(parents=True)
    arquivos = {"voz.ogg": b"OggS voz da Maria", "igual.ogg": b"OggS o mesmo audio", "recibo.pdf": b"%PDF-1.4"}
    for nome, conteudo in arquivos.items():
        (pasta / nome).write_bytes(conteudo)

    async def guardar() -> None:
        engine = criar_engine(com_conversa)
        async with sessao(engine) as s:
            outra = Conversa(devedor_id=2, canal="whatsapp", estado="inicio", iniciada_em=AGORA, atualizada_em=AGORA)
            s.add(outra)
            await s.flush()
            assert outra.id is not None
            conversa_de = {1: 1, 2: outra.id}
            for i, (devedor, tipo, caminho) in enumerate(
                [
                    (1, "voice", "voz.ogg"),
                    (1, "audio", "igual.ogg"),
                    (1, "document", "recibo.pdf"),
                    (2, "voice", "igual.ogg"),
                ]
            ):
                s.add(Anexo(conversa_id=conversa_de[devedor], canal="whatsapp", tipo=tipo, id_midia=f"m{i}",
                            recebido_em=AGORA, situacao="guardado", caminho=caminho))  # fmt: skip
            await s.commit()
        await engine.dispose()

    asyncio.run(guardar())
    codigo = main(["--config", str(copia / "config.toml"), "--db", com_conversa, "--now", "2026-11-23T11:00-03:00",
                   "titular", "anonimizar", "--cpf", CPF])  # fmt: skip
    assert codigo == 0, capsys.readouterr().err
    assert sorted(p.name for p in pasta.iterdir()) == ["igual.ogg", "recibo.pdf"]
    anexos = {(a.id_midia, a.situacao, a.caminho) for a in _ler(com_conversa, select(Anexo))}
    assert anexos == {("m0", "recusado", None), ("m1", "recusado", None), ("m2", "guardado", "recibo.pdf"),
                      ("m3", "guardado", "igual.ogg")}  # fmt: skip
    (auditoria,) = _ler(com_conversa, select(Auditoria).where(Auditoria.acao == "titular_anonimizar"))
    assert auditoria.dados["audios"] == 2
    (optout,) = _ler(com_conversa, select(EventoSaida).where(EventoSaida.evento == "optout"))  # the company hears
    assert (optout.devedor_id, optout.dados) == (1, {"origem": "pedido do titular (LGPD)"})


def test_pedidos_com_cpf_ruim_ou_desconhecido_nao_mudam_nada(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rodar(capsys, url, "exportar", "--cpf", "123")[2].strip() != ""
    for arquivo, motivo in ((tmp_path / "nao" / "existe.json", "a pasta não existe"),
                            (tmp_path, "é uma pasta; informe o nome do arquivo")):  # fmt: skip
        codigo, _, erro = _rodar(capsys, url, "exportar", "--cpf", CPF, "--arquivo", str(arquivo))
        assert codigo == 1 and erro.strip() == f"{arquivo}: não foi possível gravar ({motivo}); nada foi exportado"
    codigo, _, erro = _rodar(capsys, url, "anonimizar", "--cpf", "529.982.247-25")
    assert codigo == 1 and erro.strip() == "nenhum devedor com o CPF ***.982.247-**"
    codigo, _, erro = _rodar(capsys, url, "corrigir", "--cpf", CPF, "--telefone", "12345", "--email", "sem-arroba")
    assert codigo == 1 and "--telefone: telefone inválido" in erro and "--email: e-mail inválido" in erro
    assert _rodar(capsys, url, "corrigir", "--cpf", CPF)[2].startswith("nada a corrigir")
    codigo, _, erro = _rodar(capsys, url, "corrigir", "--cpf", CPF, "--telefone", "")
    assert codigo == 1 and "sem telefone e sem telegram_id" in erro
    assert _ler(url, select(Auditoria).where(col(Auditoria.acao).startswith("titular_"))) == []
    (maria,) = _ler(url, select(Devedor).where(Devedor.id == 1))
    assert maria.telefone == "+5511987654321" and maria.email == "maria.santos@example.com"


def test_corrigir_contatos_com_a_validacao_da_carteira(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    codigo, saida, erro = _rodar(capsys, url, "corrigir", "--cpf", CPF, "--telefone", "(11) 91234-5678",
                                 "--email", "", "--telegram-id", "4242")  # fmt: skip
    assert codigo == 0, erro
    assert saida.strip() == "corrigido: email, telefone, telegram_id"
    (maria,) = _ler(url, select(Devedor).where(Devedor.id == 1))
    assert (maria.telefone, maria.email, maria.telegram_id, maria.telefone_invalido) == (
        "+5511912345678", None, "4242", False)  # fmt: skip
    (auditoria,) = _ler(url, select(Auditoria).where(Auditoria.acao == "titular_corrigir"))
    assert auditoria.dados["campos"] == ["email", "telefone", "telegram_id"] and "4242" not in str(auditoria.dados)


def test_corrigir_o_telefone_descarta_o_que_ia_para_o_numero_antigo(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The old number may be someone else's: a reminder already queued to it does not leave; other channels and
    other people's reminders stay."""

    async def enfileirar() -> None:
        engine = criar_engine(url)
        async with sessao(engine) as s:
            for devedor, canal, destino in [
                (1, "whatsapp", "+5511987654321"),
                (1, "sms", "+5511987654321"),
                (1, "email", "maria.santos@example.com"),
                (2, "whatsapp", "+5521"),
            ]:
                s.add(
                    Saida(
                        alvo=f"parcela:{devedor}",
                        passo="vespera",
                        canal=canal,
                        devedor_id=devedor,
                        destino=destino,
                        texto="Oi",
                        proxima_tentativa=AGORA,
                        prazo=AGORA,
                        criada_em=AGORA,
                    )
                )
            await s.commit()  # fmt: skip
        await engine.dispose()

    asyncio.run(enfileirar())
    codigo, saida, erro = _rodar(capsys, url, "corrigir", "--cpf", CPF, "--telefone", "(11) 91234-5678")
    assert codigo == 0, erro
    assert saida.strip() == "corrigido: telefone; 2 lembrete(s) na fila para o contato antigo descartado(s)"
    situacoes = {(f.devedor_id, f.canal): (f.situacao, f.motivo) for f in _ler(url, select(Saida))}
    assert situacoes == {
        (1, "whatsapp"): ("descartada", "contato corrigido a pedido do titular"),
        (1, "sms"): ("descartada", "contato corrigido a pedido do titular"),
        (1, "email"): ("pendente", None),
        (2, "whatsapp"): ("pendente", None),
    }


def test_anonimizar_apaga_contatos_e_textos_e_mantem_a_divida(
    com_conversa: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parcelas_antes = [(p.id, p.valor, p.situacao) for p in _ler(com_conversa, select(Parcela))]

    async def pela_api() -> None:  # the company's own words about her, as the API records them
        engine = criar_engine(com_conversa)
        async with sessao(engine) as s:
            pausar(s, 1, "em tratamento de saúde", AGORA, origem="api", token="erp")
            maria = await s.get(Devedor, 1)
            assert maria is not None
            await registrar_optout(s, maria, AGORA, "api", None, token="erp", motivo="pediu no SAC, chorando")
            await s.commit()
        await engine.dispose()

    asyncio.run(pela_api())
    codigo, saida, erro = _rodar(capsys, com_conversa, "anonimizar", "--cpf", CPF, "--protocolo", "DPO-2026-0042")
    assert codigo == 0, erro
    assert saida.startswith("anonimizado: contatos e textos apagados (")
    (maria,) = _ler(com_conversa, select(Devedor).where(Devedor.id == 1))
    assert (maria.telefone, maria.email, maria.telegram_id, maria.nascimento) == (None, None, None, None)
    assert maria.cpf == "39053344705" and maria.nome == "Maria da Silva Santos"  # tied to the debt, kept
    assert maria.anonimizado_em is not None and maria.optout_em is not None
    textos = {m.texto for m in _ler(com_conversa, select(Mensagem))}
    assert textos == {"[anonimizado a pedido do titular]"}
    assert [(p.id, p.valor, p.situacao) for p in _ler(com_conversa, select(Parcela))] == parcelas_antes
    assert len(_ler(com_conversa, select(Acordo))) == 1
    assert _ler(com_conversa, select(Atualizacao)) == []  # the raw updates (WhatsApp, SMS): number and text
    (auditoria,) = _ler(com_conversa, select(Auditoria).where(Auditoria.acao == "titular_anonimizar"))
    assert auditoria.dados["mensagens"] == len(_ler(com_conversa, select(Mensagem))) > 0
    assert auditoria.dados["protocolo"] == "DPO-2026-0042"
    exportado = _rodar(capsys, com_conversa, "exportar", "--cpf", CPF)[1]
    assert '"texto": "esqueci"' not in exportado and "+5511987654321" not in exportado  # the reason stays a category
    assert '"motivo": "esqueci"' in exportado
    assert "tratamento de saúde" not in exportado and "chorando" not in exportado
    (optout,) = _ler(com_conversa, select(EventoSaida).where(EventoSaida.evento == "optout"))
    assert optout.dados == {"origem": "api", "motivo": "[anonimizado a pedido do titular]"}
