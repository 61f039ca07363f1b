"""E-mail through a real SMTP conversation with a local aiosmtpd server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.canais import EmailConfig, Seguranca
from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.fila import enfileirar
from bot.dados.importacao import importar_carteira
from bot.dados.registro import RemetenteRegistrado
from bot.disparo.comando import plano_do_dia
from bot.disparo.despacho import Despachante
from bot.disparo.email import Carta, RemetenteEmail, compor
from bot.porta import Indeliveravel, TentarDepois, TipoCanal
from bot.projeto import Projeto
from tests.apoio.falsos.smtp import Caixa, textos
from tests.apoio.processos import porta_livre

MARIA = {"devedor": {"primeiro_nome": "Maria"}}


def remetente(porta: int) -> RemetenteEmail:
    config = EmailConfig(host="127.0.0.1", porta=porta, seguranca=Seguranca.NENHUMA, remetente="cobranca@loja.example")
    return RemetenteEmail(config, None)


async def test_email_com_texto_e_html_e_o_credor(projeto: Projeto, smtp: tuple[Caixa, int]) -> None:
    envio = compor(
        projeto.textos,
        "encerrado",
        {"devedor": {"primeiro_nome": "Maria"}},
        projeto.config.credor,
        "maria@example.com",
        "Aviso",
    )
    id_mensagem = await remetente(smtp[1]).enviar(envio)
    recebida = smtp[0].recebidas[0]
    assert recebida["Message-ID"] == id_mensagem
    assert recebida["To"] == "maria@example.com"
    partes = textos(recebida)
    assert set(partes) == {"text/plain", "text/html"}
    for parte in partes.values():
        assert "Loja Exemplo" in parte and "11.222.333/0001-81" in parte


async def test_destinatario_recusado_e_servidor_fora(smtp: tuple[Caixa, int], projeto: Projeto) -> None:
    envio = compor(
        projeto.textos,
        "encerrado",
        {"devedor": {"primeiro_nome": "Maria"}},
        projeto.config.credor,
        "x@invalido.example",
        "Aviso",
    )
    with pytest.raises(Indeliveravel):
        await remetente(smtp[1]).enviar(envio)
    with pytest.raises(TentarDepois):
        await remetente(porta_livre()).enviar(envio)


CARTEIRA = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;maria@example.com;varejo;C-1;Carnê;1;100;24/11/2026
"""


async def test_lembrete_da_regua_por_email_leva_o_credor_e_html(
    projeto: Projeto, engine: AsyncEngine, smtp: tuple[Caixa, int]
) -> None:
    """The dispatcher's path (WhatsApp off, so the step falls to e-mail): outbox → ledger → SMTP, framed."""
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CARTEIRA))
    regua, credor = projeto.config.regua, projeto.config.credor
    dia, agora = date(2026, 11, 23), datetime(2026, 11, 23, 12, tzinfo=UTC)  # Monday, D-1: step "vespera"
    linhas = await plano_do_dia(engine, regua, credor.nome, dia, datetime(2026, 11, 23, 3, tzinfo=UTC))
    async with sessao(engine) as s:
        assert await enfileirar(s, regua, linhas) == 1
    registrado = RemetenteRegistrado(engine, remetente(smtp[1]), lambda: agora)
    desligado = frozenset({TipoCanal.WHATSAPP})
    despachante = Despachante(engine, regua, {TipoCanal.EMAIL: registrado}, desligado, Carta(projeto.textos, credor))
    assert (await despachante.rodada(agora)).falhas == 1
    assert (await despachante.rodada(agora + timedelta(seconds=1))).enviadas == 1
    assert (await despachante.rodada(agora + timedelta(hours=1))).enviadas == 0
    [recebida] = smtp[0].recebidas
    assunto = str(make_header(decode_header(recebida["Subject"])))
    assert (recebida["To"], assunto) == ("maria@example.com", "Vence amanhã")
    partes = textos(recebida)
    assert set(partes) == {"text/plain", "text/html"}
    for parte in partes.values():
        assert "Amanhã (24/11/2026) vence um pagamento com Loja Exemplo" in parte
        assert "desconsidere" in parte
        assert credor.cnpj in parte and credor.endereco in parte and credor.nome in parte
    assert "<html>" in partes["text/html"] and "<html>" not in partes["text/plain"]


def test_despachante_com_email_exige_a_carta(engine: AsyncEngine, projeto: Projeto) -> None:
    with pytest.raises(ValueError, match="Carta"):
        Despachante(engine, projeto.config.regua, {TipoCanal.EMAIL: remetente(25)})
