"""Who is in an experiment, in which variant, and what each did since its start: the report's observations.

A debtor's variant is the one first recorded with their contacts when the experiment changes what is sent, else
the hash draw (`sorteio`); outcomes are the debtors' steps (`trilha`) from the experiment's first day. R$ at 7/30/90
days counts from each debtor's own entry — the first contact recorded with the experiment, or (when it only
measures) the later of its start and the debtor's placement — so a debtor reached in its last week is not judged
on the first week of the experiment.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.resultados import Experimento
from bot.dados.modelos import Acordo, Conversa, Devedor, Direcao, Mensagem
from bot.dados.passos import TipoPasso
from bot.dados.saida import Saida
from bot.resultados.colocacao import FUSO_GESTAO
from bot.resultados.comparacao import PRAZOS, Observacoes
from bot.resultados.sorteio import RESERVA, variante_de
from bot.resultados.trilha import passos
from bot.resultados.variantes import rotulo, rotulos

_FLAGS = {
    TipoPasso.RESPONDIDA: "respondeu",
    TipoPasso.ACORDO: "acordo",
    TipoPasso.PAGAMENTO: "pagou",
    TipoPasso.OPTOUT: "optout",
    TipoPasso.CONTESTACAO: "contestacao",
}


async def exposicoes(s: AsyncSession, experimento: Experimento) -> dict[int, tuple[datetime, str]]:
    """Each debtor's first contact recorded with the experiment (a reminder sent, a bot reply, an agreement): when,
    and in which variant."""
    padrao = f"%{rotulo(experimento.nome, '')}%"
    fontes = (
        select(Saida.devedor_id, Saida.enviada_em, Saida.variante).where(
            col(Saida.variante).like(padrao), col(Saida.enviada_em).is_not(None)),
        select(Conversa.devedor_id, Mensagem.criada_em, Mensagem.variante)
        .join(Conversa, col(Conversa.id) == col(Mensagem.conversa_id))
        .where(col(Mensagem.variante).like(padrao), Mensagem.direcao == Direcao.SAIDA.value),
        select(Acordo.devedor_id, Acordo.criado_em, Acordo.variante).where(col(Acordo.variante).like(padrao)),
    )  # fmt: skip
    primeiras: dict[int, tuple[datetime, str]] = {}
    for consulta in fontes:
        for devedor_id, instante, texto in (await s.exec(consulta)).all():
            variante = rotulos(texto).get(experimento.nome)
            if variante is None or instante is None:
                continue
            if devedor_id not in primeiras or instante < primeiras[devedor_id][0]:
                primeiras[devedor_id] = (instante, variante)
    return primeiras


async def _sorteados(s: AsyncSession, experimento: Experimento, inicio: datetime) -> dict[int, tuple[datetime, str]]:
    """Every debtor placed before the experiment's end, by the hash draw, entering at its start or at their
    placement if later."""
    depois_do_fim = datetime.combine(experimento.fim + timedelta(days=1), time(), FUSO_GESTAO)
    consulta = select(Devedor.id, Devedor.criado_em).where(col(Devedor.criado_em) < depois_do_fim)
    linhas = (await s.exec(consulta.order_by(col(Devedor.id)))).all()
    return {d: (max(inicio, criado), variante_de(experimento, d)) for d, criado in linhas if d is not None}


async def observacoes(s: AsyncSession, experimento: Experimento) -> Observacoes:
    """Every debtor, its variant (the hold-out last, when there is one) and its outcomes since the start.

    An experiment that changes what is sent counts the debtors it reached, each by the variant first recorded with
    their contacts (what they were actually sent; a stopped variant keeps its debtors); one that only measures
    counts every debtor by the hash draw.
    """
    nomes = [v.nome for v in experimento.variantes] + ([RESERVA] if experimento.reserva_percentual else [])
    inicio = datetime.combine(experimento.inicio, time(), FUSO_GESTAO)
    todas = await exposicoes(s, experimento) if experimento.aplica else await _sorteados(s, experimento, inicio)
    recebidas = {d: par for d, par in sorted(todas.items()) if par[1] in nomes}
    linha = {devedor_id: i for i, devedor_id in enumerate(recebidas)}
    variante = np.array([nomes.index(v) for _, v in recebidas.values()], dtype=np.int64)
    entrada = [quando for quando, _ in recebidas.values()]
    colunas = {nome: np.zeros(len(linha)) for nome in _FLAGS.values()}
    recuperado = {prazo: np.zeros(len(linha)) for prazo in PRAZOS}
    for passo in await passos(s, desfechos=True):
        i = linha.get(passo.devedor_id)
        if i is None or passo.instante < inicio:
            continue
        if passo.tipo in _FLAGS:
            colunas[_FLAGS[passo.tipo]][i] = 1.0
        if passo.tipo is TipoPasso.PAGAMENTO and passo.valor is not None:
            for prazo in PRAZOS:
                if passo.instante < entrada[i] + timedelta(days=prazo):
                    recuperado[prazo][i] += float(passo.valor)
    instantes = np.array([quando.timestamp() for quando in entrada], dtype=np.float64)
    return Observacoes(nomes, variante, recuperado=recuperado, entrada=instantes, **colunas)
