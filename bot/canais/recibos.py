"""A payment receipt a debtor sends: read (text of a PDF), matched against what they owe, recorded, answered.

When a file counts as a receipt: its caption says so ("comprovante", "paguei", "segue o pix"), or the debtor said
they had paid: the flow's "já paguei" in the last `RECENTE`, or such words in a message of the last `ESCRITO`
(the first message of a conversation, before identity is confirmed, reaches no flow state that records it).
A match (`bot/boleto_pix/comprovante.py`) records a "pagamento_informado" event and holds the régua for that
installment until the bank confirms it or `pagamentos.dias_para_confirmar` pass (`bot/disparo/lote.py` reads
`comprovante.ate`); nothing is marked paid.
No match, or a file nothing could be read from (an image: there is no OCR), goes to an agent with high priority.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.atendimento.consultas import PARCELAS_ABERTAS
from bot.boleto_pix.comprovante import (
    Aberto,
    Casamento,
    Leitura,
    Resultado,
    casar,
    diz_que_pagou,
    ler,
    parece_comprovante,
)
from bot.calendario import fuso
from bot.canais.midia import Anexos
from bot.canais.recebido import ArquivoRecebido, Respondedor
from bot.dados.banco import sessao
from bot.dados.entrada import Anexo, SituacaoAnexo
from bot.dados.modelos import (
    Acordo,
    AcordoParcela,
    Conversa,
    Devedor,
    Direcao,
    Dono,
    Evento,
    Mensagem,
    SituacaoAcordo,
    SituacaoAcordoParcela,
    Transferencia,
)
from bot.dados.voz import Comprovante, SituacaoComprovante
from bot.formatos import data_br
from bot.mensagens.avisos_canal import COMPROVANTE_RECEBIDO, Aviso
from bot.negociacao.politica import Encargos
from bot.negociacao.saldo import ParcelaAberta, calcular_saldo
from bot.porta import TipoCanal

log = logging.getLogger(__name__)

RECENTE = timedelta(days=3)  # a file sent this long after "já paguei" is read as its receipt
ESCRITO = timedelta(hours=1)  # ... and this long after a message with a receipt's words ("paguei", "comprovante")
MOTIVO = "comprovante"  # the hand-off's reason (the console shows it with high priority)
PAGINAS = 5  # a receipt is one page; a long PDF is not read past this
TIPOS = frozenset({"image", "document"})


def texto_do_pdf(caminho: Path) -> str:
    """The text of a PDF's first pages; "" when it has none (a scan) or cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        leitor = PdfReader(caminho)
        return "\n".join(pagina.extract_text() or "" for pagina in leitor.pages[:PAGINAS])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as erro:  # a damaged file reads as nothing
        log.info("PDF %s ilegível: %s", caminho.name, erro)
        return ""


async def conferir(
    recepcao: Respondedor, canal: TipoCanal, destino: str, devedor_id: int, arquivo: ArquivoRecebido
) -> bool:
    """Handle a file as a receipt when it is one (True: answered); False leaves it to the usual answer."""
    anexos = recepcao.anexos
    if anexos is None or arquivo.tipo not in TIPOS:
        return False
    agora = recepcao.agora()
    if not parece_comprovante(arquivo.legenda) and not await _disse_que_pagou(anexos, devedor_id, agora):
        return False
    async with sessao(anexos.engine) as s:
        consulta = select(Anexo).where(Anexo.canal == canal.value, Anexo.id_midia == arquivo.id_midia)
        anexo = (await s.exec(consulta)).one()
        assert anexo.id is not None
        comprovante = await _do_anexo(s, anexo.id)
    if comprovante is None:  # not read before (the same file forwarded again is answered from its first reading)
        veredito = await anexos.buscar(anexo.id)
        if veredito.situacao != SituacaoAnexo.GUARDADO:
            await recepcao.avisar(canal, destino, veredito.aviso)  # too big, refused, or not handed over yet
            return True
        comprovante = await _registrar(recepcao, anexo, devedor_id, ler(await _texto(anexos, anexo.id)), agora)
    log.info("comprovante %s do devedor %s: %s (%s)", anexo.id, devedor_id, comprovante.situacao, comprovante.motivo)
    if comprovante.situacao != SituacaoComprovante.CASADO.value or comprovante.ate is None:
        await recepcao.avisar(canal, destino, Aviso.COMPROVANTE_A_CONFERIR)
        return True
    motor = recepcao.atendimento.motor
    async with sessao(anexos.engine) as s:
        devedor = await s.get(Devedor, devedor_id)
    assert devedor is not None
    prazo = data_br(comprovante.ate.astimezone(fuso(devedor.uf)).date())
    contexto = {"credor": motor.config.credor, "prazo": prazo}
    await recepcao.enviar(canal, destino, motor.textos.renderizar(COMPROVANTE_RECEBIDO, contexto, canal.value))
    return True


async def _do_anexo(s: AsyncSession, anexo_id: int) -> Comprovante | None:
    return (await s.exec(select(Comprovante).where(Comprovante.anexo_id == anexo_id))).first()


async def _disse_que_pagou(anexos: Anexos, devedor_id: int, agora: datetime) -> bool:
    """The debtor said "já paguei" recently: the flow recorded the reason or the informed payment, or they wrote it."""
    consulta = select(Evento.tipo, Evento.dados).where(
        Evento.devedor_id == devedor_id,
        col(Evento.tipo).in_(["motivo", "pagamento_informado"]),
        col(Evento.criado_em) >= agora - RECENTE,
    )
    escritas = (
        select(Mensagem.texto)
        .join(Conversa, col(Conversa.id) == col(Mensagem.conversa_id))
        .where(
            Conversa.devedor_id == devedor_id,
            Mensagem.direcao == Direcao.ENTRADA.value,
            col(Mensagem.criada_em) >= agora - ESCRITO,
        )
    )
    async with sessao(anexos.engine) as s:
        eventos = (await s.exec(consulta)).all()
        textos = (await s.exec(escritas)).all()
    informado = any(tipo == "pagamento_informado" or dados.get("motivo") == "ja_paguei" for tipo, dados in eventos)
    return informado or any(diz_que_pagou(texto) for texto in textos)


async def _texto(anexos: Anexos, anexo_id: int) -> str:
    async with sessao(anexos.engine) as s:
        anexo = await s.get(Anexo, anexo_id)
    caminho = anexos.arquivo(anexo) if anexo is not None else None
    if caminho is None or anexo is None or anexo.mime != "application/pdf":
        return ""  # an image: no OCR here, an agent reads it
    return await asyncio.to_thread(texto_do_pdf, caminho)


async def abertos(s: AsyncSession, devedor_id: int, encargos: Encargos, hoje: date, uf: str) -> list[Aberto]:
    """What the debtor owes now: the active agreement's open installments, else the open original ones (a late one
    with its value plus today's charges, what the creditor's own boleto asks when paid late)."""
    consulta = (
        select(AcordoParcela)
        .join(Acordo, col(Acordo.id) == col(AcordoParcela.acordo_id))
        .where(
            Acordo.devedor_id == devedor_id,
            Acordo.situacao == SituacaoAcordo.ATIVO.value,
            AcordoParcela.situacao == SituacaoAcordoParcela.ABERTA.value,
        )
    )
    do_acordo = [Aberto(f"acordo:{p.id}", p.valor, p.vencimento) for p in (await s.exec(consulta)).all()]
    if do_acordo:
        return do_acordo
    linhas = (await s.exec(PARCELAS_ABERTAS, params={"d": devedor_id})).all()
    parcelas = [ParcelaAberta(p.id or 0, c.numero, p.numero, p.em_aberto, p.vencimento) for p, c in linhas]
    atualizados = {linha.parcela.id: linha.total for linha in calcular_saldo(parcelas, encargos, hoje, uf).linhas}
    return [Aberto(f"parcela:{p.id}", p.valor, p.vencimento, atualizados.get(p.id)) for p in parcelas]


async def _registrar(
    recepcao: Respondedor, anexo: Anexo, devedor_id: int, leitura: Leitura, agora: datetime
) -> Comprovante:
    """Match and record the reading and its effects in one transaction."""
    config = recepcao.atendimento.motor.config
    assert anexo.id is not None
    async with sessao(recepcao.engine) as s:
        devedor = await s.get(Devedor, devedor_id)
        assert devedor is not None
        hoje = agora.astimezone(fuso(devedor.uf)).date()
        nomes = (config.credor.nome, config.pagamentos.pix_nome)
        devidos = await abertos(s, devedor_id, config.encargos, hoje, devedor.uf)
        casamento = casar(leitura, devidos, config.credor.cnpj, hoje, nomes)
        if casamento.resultado == Resultado.CASADO and leitura.e2e is not None:
            usado = select(Comprovante.anexo_id).where(Comprovante.e2e == leitura.e2e.id)
            if (await s.exec(usado)).first() is not None:
                casamento = Casamento(Resultado.SEM_CASAMENTO, f"id PIX {leitura.e2e.id} já veio em outro comprovante")
        casado = casamento.resultado == Resultado.CASADO
        linha = Comprovante(
            anexo_id=anexo.id, devedor_id=devedor_id, situacao=SituacaoComprovante(casamento.resultado.value).value,
            motivo=casamento.motivo, alvo=casamento.aberto.alvo if casamento.aberto else None,
            e2e=leitura.e2e.id if leitura.e2e and casado else None, valor=leitura.valor, data_pagamento=leitura.data,
            cnpjs=",".join(leitura.cnpjs), criado_em=agora,
            ate=agora + timedelta(days=config.pagamentos.dias_para_confirmar) if casado else None,
        )  # fmt: skip
        s.add(linha)
        try:
            await s.flush()
        except IntegrityError:  # another worker read this file first: its reading stands
            await s.rollback()
            anterior = await _do_anexo(s, anexo.id)
            if anterior is None:
                raise  # the same PIX id recorded at this instant for another file: the retry will see it
            return anterior
        await _efeitos(s, anexo, devedor_id, casamento, leitura, agora)
        await s.commit()
        await s.refresh(linha)
    return linha


async def _efeitos(
    s: AsyncSession, anexo: Anexo, devedor_id: int, casamento: Casamento, leitura: Leitura, agora: datetime
) -> None:

    dados: dict[str, Any] = {
        "origem": "comprovante",
        "anexo": anexo.id,
        "valor": str(leitura.valor) if leitura.valor is not None else None,
        "data": leitura.data.isoformat() if leitura.data else None,
        "e2e": leitura.e2e.id if leitura.e2e else None,
        "motivo": casamento.motivo,
    }
    if casamento.resultado == Resultado.CASADO:
        assert casamento.aberto is not None
        s.add(Evento(devedor_id=devedor_id, conversa_id=anexo.conversa_id, tipo="pagamento_informado",
                     dados=dados | {"alvo": casamento.aberto.alvo}, criado_em=agora))  # fmt: skip
        return
    s.add(Evento(devedor_id=devedor_id, conversa_id=anexo.conversa_id, tipo="comprovante_a_conferir", dados=dados,
                 criado_em=agora))  # fmt: skip
    conversa = await s.get(Conversa, anexo.conversa_id)
    if conversa is None or conversa.dono != Dono.BOT.value:
        return  # a person already has the conversation (or it is queued): they see the receipt and its reading
    conversa.dono = Dono.FILA.value
    s.add(conversa)
    s.add(Transferencia(conversa_id=anexo.conversa_id, devedor_id=devedor_id, motivo=MOTIVO, dados=dados,
                        criada_em=agora))  # fmt: skip
    s.add(Evento(devedor_id=devedor_id, conversa_id=anexo.conversa_id, tipo="transferencia",
                 dados={"motivo": MOTIVO}, criado_em=agora))  # fmt: skip
