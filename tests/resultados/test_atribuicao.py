"""Each debtor's variants: the hash draw, stopped variants, and Thompson sampling that never changes a debtor's."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.config.resultados import Alocacao, Experimento, Variante
from bot.dados.banco import sessao
from bot.dados.experimentos import SorteioExperimento
from bot.dados.modelos import Acordo, Conversa, Devedor
from bot.resultados.atribuicao import escolhas, thompson
from bot.resultados.sorteio import RESERVA, variante_de

AGORA = datetime(2026, 11, 23, 14, tzinfo=UTC)
B_MAIS_CURTO = Variante(nome="b", mensagens={"saudacao": "ola"})


def _experimento(minimo: int = 50) -> Experimento:
    return Experimento(nome="t", inicio=date(2026, 11, 1), fim=date(2026, 12, 31), reserva_percentual=10,
                       minimo_por_variante=minimo, alocacao=Alocacao.THOMPSON,
                       variantes=(Variante(nome="a"), B_MAIS_CURTO))  # fmt: skip


def test_thompson_antes_da_amostra_minima_segue_os_pesos() -> None:
    exp = _experimento(minimo=50)
    pouco = {"a": 49, "b": 500}
    assert [thompson(exp, d, {"b": 400}, pouco) for d in range(300)] == [variante_de(exp, d) for d in range(300)]


def test_thompson_leva_o_trafego_a_melhor_e_e_deterministico() -> None:
    exp = _experimento(minimo=50)
    expostos, sucessos = {"a": 500, "b": 500}, {"a": 50, "b": 150}  # b: 30 % of agreements, a: 10 %
    sorteio = [thompson(exp, d, sucessos, expostos) for d in range(2_000)]
    assert sorteio == [thompson(exp, d, sucessos, expostos) for d in range(2_000)]
    contagem = Counter(sorteio)
    assert abs(contagem[RESERVA] / 2_000 - 0.10) < 0.03  # the hold-out stays out, by the hash
    assert contagem["b"] > 0.85 * 2_000 and contagem["a"] < 0.02 * 2_000
    iguais = [thompson(exp, d, {"a": 100, "b": 100}, expostos) for d in range(2_000)]
    assert 0.35 < Counter(iguais)["b"] / 2_000 < 0.55  # no difference: traffic stays split


async def _devedores(engine: AsyncEngine, n: int) -> list[int]:
    async with sessao(engine) as s:
        novos = [Devedor(cpf=f"{i:011d}", nome=f"P{i}", uf="SP") for i in range(1, n + 1)]
        s.add_all(novos)
        await s.commit()
        return [d.id for d in novos if d.id is not None]


async def test_sorteio_guardado_nunca_muda(engine: AsyncEngine) -> None:
    ids = await _devedores(engine, 120)
    exp = _experimento(minimo=10)
    async with sessao(engine) as s:
        primeiras = {d: e[0].sorteada for d, e in (await escolhas(s, (exp,), ids[:60], AGORA)).items()}
        await s.commit()
    async with sessao(engine) as s:  # the first 60's "b" debtors all sign agreements: b now looks far better
        for devedor_id in (d for d, v in primeiras.items() if v == "b"):
            conversa = Conversa(devedor_id=devedor_id, canal="web", estado="")
            s.add(conversa)
            await s.flush()
            assert conversa.id is not None
            s.add(Acordo(devedor_id=devedor_id, conversa_id=conversa.id, faixa="f", opcao=0, tipo="a_vista",
                         valor_original=Decimal(100), desconto=Decimal(0), valor_negociado=Decimal(100),
                         total=Decimal(100), juros_mensal_percentual="0", chave=f"k{devedor_id}",
                         criado_em=AGORA))  # fmt: skip
        await s.commit()
    async with sessao(engine) as s:
        todas = await escolhas(s, (exp,), ids, AGORA)
        await s.commit()
        guardadas = {r.devedor_id: r.variante for r in (await s.exec(select(SorteioExperimento))).all()}
    assert {d: todas[d][0].sorteada for d in ids[:60]} == primeiras  # a debtor never changes variant
    assert guardadas == {d: e[0].sorteada for d, e in todas.items()}
    novas = Counter(todas[d][0].sorteada for d in ids[60:])
    assert novas["b"] > novas["a"]  # new debtors go mostly where agreements come from
