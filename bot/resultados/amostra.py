"""Who is in an experiment, in which variant, and what each did since its start: the report's observations.

A debtor's variant is the one first recorded with their contacts when the experiment changes what is sent, else
the hash draw (`sorteio`); outcomes are the debtors' steps (`trilha`) from the experiment's first day.
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


async def exposicoes(s: AsyncSession, experimento: Experimento) -> dict[int, str]:
    """Each debtor's variant as first recorded with a contact (a reminder sent, a bot reply, an agreement)."""
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
    return {devedor_id: variante for devedor_id, (_, variante) in primeiras.items()}


async def observacoes(s: AsyncSession, experimento: Experimento) -> Observacoes:
    """Every debtor, its variant (the hold-out last, when there is one) and its outcomes since the start.

    An experiment that changes what is sent counts the debtors it reached, each by the variant first recorded with
    their contacts (what they were actually sent; a stopped variant keeps its debtors); one that only measures
    counts every debtor by the hash draw.
    """
    nomes = [v.nome for v in experimento.variantes] + ([RESERVA] if experimento.reserva_percentual else [])
    if experimento.aplica:
        recebidas = {d: v for d, v in sorted((await exposicoes(s, experimento)).items()) if v in nomes}
    else:
        ids = (await s.exec(select(Devedor.id).order_by(col(Devedor.id)))).all()
        recebidas = {d: variante_de(experimento, d) for d in ids if d is not None}
    linha = {devedor_id: i for i, devedor_id in enumerate(recebidas)}
    variante = np.array([nomes.index(v) for v in recebidas.values()], dtype=np.int64)
    colunas = {nome: np.zeros(len(linha)) for nome in _FLAGS.values()}
    recuperado = {prazo: np.zeros(len(linha)) for prazo in PRAZOS}
    inicio = datetime.combine(experimento.inicio, time(), FUSO_GESTAO)
    for passo in await passos(s, desfechos=True):
        i = linha.get(passo.devedor_id)
        if i is None or passo.instante < inicio:
            continue
        if passo.tipo in _FLAGS:
            colunas[_FLAGS[passo.tipo]][i] = 1.0
        if passo.tipo is TipoPasso.PAGAMENTO and passo.valor is not None:
            for prazo in PRAZOS:
                if passo.instante < inicio + timedelta(days=prazo):
                    recuperado[prazo][i] += float(passo.valor)
    return Observacoes(nomes, variante, recuperado=recuperado, **colunas)
