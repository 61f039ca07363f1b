"""A simulated year over a generated portfolio in all 27 UFs, checked by rules written independently of the policy."""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays

from bot.calendario import FUSO_POR_UF
from bot.config.regua import Alvo, Regua
from bot.regua.agenda import Cobravel, DevedorRegua, Pedido, planejar
from bot.regua.politica_contato import Adiado, Decisao, Impedimento, Liberado, decidir
from tests.apoio.projetos import projeto_padrao

INICIO = date(2026, 1, 1)
DIAS = 365


@dataclass
class Mundo:
    """What happens to the portfolio during the year, decided up front by a seeded generator."""

    devedores: dict[int, DevedorRegua]
    itens: list[Cobravel]
    pago_em: dict[str, datetime]
    optout_em: dict[int, datetime]
    pausas: dict[int, tuple[datetime, datetime]]


def _instante(rng: random.Random, dia: date) -> datetime:
    return datetime.combine(dia, time(0), UTC) + timedelta(minutes=rng.randrange(24 * 60))


def gerar(semente: int = 7, por_uf: int = 4) -> Mundo:
    rng = random.Random(semente)
    devedores, itens, pago, optout, pausas = {}, [], {}, {}, {}
    for indice, uf in enumerate(sorted(FUSO_POR_UF) * por_uf, start=1):
        devedores[indice] = DevedorRegua(
            indice, f"{indice:011d}", f"Pessoa {indice}", uf, rng.choice([None, "varejo"]),
            telefone=f"+55119{indice:08d}" if rng.random() < 0.8 else None,
            telegram_id=str(indice) if rng.random() < 0.3 else None,
            email=f"p{indice}@example.com" if rng.random() < 0.7 else None,
        )  # fmt: skip
        if rng.random() < 0.15:
            optout[indice] = _instante(rng, INICIO + timedelta(days=rng.randrange(DIAS)))
        if rng.random() < 0.15:
            comeco = _instante(rng, INICIO + timedelta(days=rng.randrange(DIAS)))
            pausas[indice] = (comeco, comeco + timedelta(days=rng.randrange(1, 20)))
        dia_venc = rng.randrange(1, 29)
        com_acordo = rng.random() < 0.3
        devedores[indice] = replace(devedores[indice], tem_acordo=com_acordo)
        for mes in range(1, 13):
            alvo = Alvo.ACORDO if com_acordo and mes > 6 else Alvo.PARCELA
            item = Cobravel(alvo, indice * 100 + mes, indice, date(2026, mes, dia_venc), Decimal("100"), mes, 12)
            itens.append(item)
            if rng.random() < 0.6:
                pago[item.chave] = _instante(rng, item.vencimento + timedelta(days=rng.randrange(-7, 40)))
    return Mundo(devedores, itens, pago, optout, pausas)


def _devedor_em(mundo: Mundo, devedor_id: int, instante: datetime) -> DevedorRegua:
    base = mundo.devedores[devedor_id]
    optout = mundo.optout_em.get(devedor_id)
    pausa = mundo.pausas.get(devedor_id)
    em_pausa = pausa is not None and pausa[0] <= instante < pausa[1]
    return replace(
        base,
        optout_em=optout if optout and optout <= instante else None,
        pausa="contestação" if em_pausa else None,
    )


def simular(mundo: Mundo, regua: Regua) -> list[tuple[Pedido, datetime]]:
    """Plan each day with the pure core, then 'dispatch' each due reminder re-checking the policy at send time."""
    por_vencimento: dict[date, list[Cobravel]] = defaultdict(list)
    for item in mundo.itens:
        por_vencimento[item.vencimento].append(item)
    deslocamentos = {p.dia for p in regua.passos}
    enviados: dict[int, list[datetime]] = defaultdict(list)
    agendados: dict[int, list[datetime]] = defaultdict(list)
    fila: list[tuple[datetime, int, Pedido, datetime]] = []
    resultado: list[tuple[Pedido, datetime]] = []
    contador = 0
    for n in range(DIAS + 40):
        dia = INICIO + timedelta(days=n)
        inicio_do_dia = datetime.combine(dia, time(0), UTC) - timedelta(hours=5)  # before any Brazilian midnight
        devedores = {i: _devedor_em(mundo, i, inicio_do_dia) for i in mundo.devedores}
        itens = [
            i for d in deslocamentos for i in por_vencimento.get(dia - timedelta(days=d), [])
            if mundo.pago_em.get(i.chave, datetime.max.replace(tzinfo=UTC)) > inicio_do_dia
        ]  # fmt: skip
        historico = {k: enviados[k] + agendados[k] for k in mundo.devedores}
        for linha in planejar(regua, devedores, itens, dia, "Credor", historico):
            if linha.pedido is not None and linha.quando is not None:
                contador += 1
                prazo = datetime.combine(dia + timedelta(days=regua.politica.validade_dias + 1), time(0), UTC)
                heapq.heappush(fila, (linha.quando, contador, linha.pedido, prazo))
                agendados[linha.devedor.id].append(linha.quando)
        fim_do_dia = inicio_do_dia + timedelta(days=1)
        while fila and fila[0][0] < fim_do_dia:
            quando, ordem, pedido, prazo = heapq.heappop(fila)
            agendados[pedido.devedor.id].remove(quando)
            decisao = _decidir(mundo, regua, pedido, quando, enviados[pedido.devedor.id], prazo)
            if isinstance(decisao, Liberado):
                enviados[pedido.devedor.id].append(quando)
                resultado.append((pedido, quando))
            elif isinstance(decisao, Adiado):
                heapq.heappush(fila, (decisao.quando, ordem, pedido, prazo))
                agendados[pedido.devedor.id].append(decisao.quando)
    return resultado


def _decidir(
    mundo: Mundo, regua: Regua, pedido: Pedido, agora: datetime, envios: list[datetime], prazo: datetime
) -> Decisao:
    devedor = _devedor_em(mundo, pedido.devedor.id, agora)
    pago = mundo.pago_em.get(pedido.item.chave)
    impedimento = Impedimento(obsoleto="paga") if pago and pago <= agora else devedor.impedimento()
    return decidir(regua.politica, devedor.uf, agora, envios, impedimento, prazo)


def violacoes(mundo: Mundo, regua: Regua, envios: list[tuple[Pedido, datetime]]) -> list[str]:
    """Every send that breaks a rule, judged from the raw facts with zoneinfo and holidays directly."""
    erros = []
    por_devedor: dict[int, list[datetime]] = defaultdict(list)
    chaves: set[str] = set()
    pol = regua.politica
    for pedido, quando in envios:
        uf = pedido.devedor.uf
        local = quando.astimezone(ZoneInfo(FUSO_POR_UF[uf]))
        horario = pol.horario_uf.get(uf, pol.horario)
        feriados = holidays.country_holidays(
            "BR", years=local.year, subdiv=uf, language="pt_BR", categories=("public", "optional")
        )
        chave, onde = pedido.chave, f"{pedido.chave} em {local.isoformat()}"
        erros += [f"{onde}: fim de semana"] if local.weekday() >= 5 else []
        erros += [f"{onde}: feriado {feriados.get(local.date())}"] if local.date() in feriados else []
        erros += [f"{onde}: fora do horário"] if not horario.inicio <= local.hour < horario.fim else []
        optout = mundo.optout_em.get(pedido.devedor.id)
        erros += [f"{onde}: depois do opt-out"] if optout and optout <= quando else []
        pago = mundo.pago_em.get(pedido.item.chave)
        erros += [f"{onde}: depois do pagamento"] if pago and pago <= quando else []
        pausa = mundo.pausas.get(pedido.devedor.id)
        erros += [f"{onde}: em pausa"] if pausa and pausa[0] <= quando < pausa[1] else []
        erros += [f"{onde}: repetido"] if chave in chaves else []
        chaves.add(chave)
        por_devedor[pedido.devedor.id].append(local)
    for devedor_id, locais in por_devedor.items():
        locais.sort()
        dias: dict[date, int] = defaultdict(int)
        semanas: dict[tuple[int, int], int] = defaultdict(int)
        for local in locais:
            dias[local.date()] += 1
            semanas[local.isocalendar()[:2]] += 1
        erros += [f"devedor {devedor_id}: {n} em {d}" for d, n in dias.items() if n > pol.max_por_dia]
        erros += [f"devedor {devedor_id}: {n} na semana {s}" for s, n in semanas.items() if n > pol.max_por_semana]
        intervalo = timedelta(hours=pol.intervalo_minimo_horas)
        erros += [f"devedor {devedor_id}: intervalo em {b}" for a, b in pairwise(locais) if b - a < intervalo]
    return erros


def test_um_ano_simulado_sem_nenhum_envio_proibido() -> None:
    regua = projeto_padrao().config.regua
    mundo = gerar()
    envios = simular(mundo, regua)
    assert len({p.devedor.uf for p, _ in envios}) == 27
    assert len(envios) > 500
    assert violacoes(mundo, regua, envios) == []


def test_um_ano_com_limites_apertados_e_horario_por_uf() -> None:
    base = projeto_padrao().config.regua
    amazonas = base.politica.horario.model_copy(update={"inicio": 10})
    politica = base.politica.model_copy(
        update={"max_por_dia": 2, "max_por_semana": 2, "intervalo_minimo_horas": 1,
                "horario_uf": {**base.politica.horario_uf, "AM": amazonas}}
    )  # fmt: skip
    regua = base.model_copy(update={"politica": politica})
    mundo = gerar(semente=11)
    envios = simular(mundo, regua)
    assert violacoes(mundo, regua, envios) == []


def test_o_verificador_acha_uma_violacao_plantada() -> None:
    """The checker is not vacuous: a send on a Sunday night after an opt-out is reported on every count."""
    regua = projeto_padrao().config.regua
    mundo = gerar()
    devedor = mundo.devedores[1]
    mundo.optout_em[1] = datetime(2026, 3, 1, tzinfo=UTC)
    item = next(i for i in mundo.itens if i.devedor_id == 1)
    pedido = Pedido(item, devedor, regua.passos[0], regua.passos[0].canais[0], "x", item.vencimento)
    domingo = datetime(2026, 3, 8, 23, 30, tzinfo=ZoneInfo(FUSO_POR_UF[devedor.uf]))
    erros = violacoes(mundo, regua, [(pedido, domingo), (pedido, domingo)])
    assert any("fim de semana" in e for e in erros)
    assert any("fora do horário" in e for e in erros)
    assert any("opt-out" in e for e in erros)
    assert any("repetido" in e for e in erros)
