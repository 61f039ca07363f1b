"""Fuzzing the engine: every resting state of the default flow × every kind of input a channel can hand it.

The states are reached by playing the flow (a bounded breadth-first walk over plausible messages and button
presses), never by forging a memory, so each snapshot is one a real conversation can be in. From there any input
must leave the engine in a state of the flow, with a reply, and never stuck: a debtor who only writes nonsense
still ends with a person or at an end of the flow.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.atendimento.servico import Atendimento
from bot.conversa.fatos import AcordoAtivo, Entrada, Fatos, Memoria, NovoAcordo
from bot.conversa.modelo import Fluxo
from bot.conversa.motor import ATENDENTE, Motor
from bot.dados.banco import criar_engine, sessao
from bot.dados.modelos import Conversa, Direcao, Dono, Mensagem
from bot.projeto import EXEMPLO_DOCUMENTO, Projeto
from tests.apoio.bancos import Bancos
from tests.apoio.dialogo import Dialogo, fatos_maria
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import AGORA

DINHEIRO = re.compile(r"R\$")
PROFUNDIDADE = 6  # enough for three wrong CPFs, or every concession of the book refused
PLAUSIVEIS = (
    "oi",
    "sim",
    "nao",
    "390",
    "390.533.447-05",
    "123",
    "esqueci",
    "estou sem renda",
    "fiquei doente",
    "não reconheço essa cobrança",
    "ja paguei",
    "quero parcelar",
    "10x",
    "consigo 200 por mes",
    "à vista",
    "dia 10",
    "quanto devo?",
    "segunda via",
    "obrigado",
    "nao sou eu",
    "parar",
)
ESTRANHOS = (
    "",
    " ",
    "\x00",
    "\r\n\t",
    "\u202eodagap\u202c",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd",  # RTL mark + Hebrew
    "مرحبا ١٢٣",  # Arabic with Arabic-Indic digits
    "👨‍👩‍👧‍👦" * 50,  # ZWJ emoji family
    "²³",  # digits that int() refuses
    "٣٩٠",  # 390 in Arabic-Indic digits
    "R$ " + "9" * 400,
    "1" * 4096,
    "dia " * 1000,
    "10x" * 1000,
    "é" * 4096,
)


@dataclass(frozen=True)
class Retrato:
    """A conversation as the engine left it: where it is, what it remembers, about whom."""

    estado: str
    memoria: Memoria
    fatos: Fatos


def motor() -> Motor:
    return projeto_padrao().motor


def fluxo() -> Fluxo:
    return motor().fluxo


def transitorios(f: Fluxo) -> set[str]:
    """States left at once by an unconditional `ao_entrar` (a conversation never rests there)."""
    return {
        n for n, e in f.estados.items() if any(t.automatica and t.se is None and t.se_nao is None for t in e.transicoes)
    }


def finais(f: Fluxo) -> set[str]:
    return {n for n, e in f.estados.items() if e.final} | {f.transferencia}


def botoes(f: Fluxo, estado: str) -> list[Entrada]:
    """The state's buttons as a channel delivers them: the title as text, the intent as the option."""
    return [Entrada(o.titulo, o.intencao) for o in f.estados[estado].opcoes]


def _com_acordo() -> Fatos:
    """Maria once she closed an agreement: the facts the service loads for her next conversation."""
    d = Dialogo(motor(), fatos_maria())
    for texto in ("oi", "sim", "390", "esqueci", "sim", "sim"):
        d.diz(texto)
    novo = next(e for e in d.efeitos if isinstance(e, NovoAcordo))
    return replace(fatos_maria(), acordo_ativo=AcordoAtivo(1, novo.plano, EXEMPLO_DOCUMENTO))


def _feitio(retrato: Retrato) -> tuple[object, ...]:
    """What makes two snapshots of a state worth exploring separately (not, say, the exact plan)."""
    m = retrato.memoria
    return (retrato.estado, id(retrato.fatos), m.identidade_ok, m.falhas_identidade, m.nivel, m.concessao, m.motivo)


@lru_cache(maxsize=1)
def catalogo() -> tuple[Retrato, ...]:
    """Snapshots of every resting state, found by playing plausible messages and buttons from the start."""
    m = motor()
    vistos: dict[tuple[object, ...], Retrato] = {}
    fila: deque[tuple[str | None, Memoria, Fatos, int]] = deque(
        (None, Memoria(), fatos, 0) for fatos in (fatos_maria(), fatos_maria(dias_atraso=(-5,)), _com_acordo())
    )
    while fila:
        estado, memoria, fatos, passos = fila.popleft()
        if passos == PROFUNDIDADE:
            continue
        entradas = [Entrada(t) for t in PLAUSIVEIS] + (botoes(m.fluxo, estado) if estado else [])
        for entrada in entradas:
            decisao = m.passo(estado, memoria, entrada, fatos, AGORA)
            retrato = Retrato(decisao.estado, decisao.memoria, fatos)
            if _feitio(retrato) not in vistos:
                vistos[_feitio(retrato)] = retrato
                fila.append((decisao.estado, decisao.memoria, fatos, passos + 1))
    return tuple(vistos.values())


def retrato(estado: str, n: int, so_antes_da_identidade: bool = False) -> Retrato:
    """The n-th snapshot (modulo their number) of a resting state."""
    candidatos = [r for r in catalogo() if r.estado == estado]
    if so_antes_da_identidade:
        candidatos = [r for r in candidatos if not r.memoria.identidade_ok] or [catalogo()[0]]
    return candidatos[n % len(candidatos)]


REPOUSO = sorted(set(fluxo().estados) - transitorios(fluxo()))


def _longo(pedaco: str, vezes: int) -> str:
    return pedaco * vezes


TEXTOS = st.one_of(
    st.sampled_from(PLAUSIVEIS + ESTRANHOS),
    st.text(max_size=80),
    st.text(st.characters(categories=("Cc", "Cf", "Zs", "So", "Nd", "No", "Lo", "Mn")), max_size=40),
    st.builds(_longo, st.text(min_size=1, max_size=6), st.integers(200, 800)),
)
OPCOES = st.one_of(
    st.none(),
    st.sampled_from((*projeto_padrao().motor.classificador.nomes, ATENDENTE)),  # every intent as a button id
    st.sampled_from(("opcao_antiga", "SIM", "sim ", "motivo_", "1", "", "x" * 64)),  # stale or forged ids
    st.text(max_size=70),
)
ENTRADAS = st.builds(Entrada, TEXTOS, OPCOES)


def test_o_passeio_alcanca_todo_estado_de_repouso() -> None:
    f = fluxo()
    assert {r.estado for r in catalogo()} == set(f.estados) - transitorios(f)


def test_todo_estado_tem_caminho_no_grafo_ate_um_fim_ou_uma_pessoa() -> None:
    f = fluxo()
    saidas = {n: {t.ir_para for t in (*e.transicoes, *f.globais)} for n, e in f.estados.items()}
    chegam = set(finais(f))
    while novos := {n for n, destinos in saidas.items() if n not in chegam and destinos & chegam}:
        chegam |= novos
    assert chegam == set(f.estados)


def test_todo_estado_com_toda_intencao_e_toda_mensagem_plausivel() -> None:
    """The exhaustive product: each resting state × each intent's button × each plausible and odd text."""
    m = motor()
    entradas = [Entrada("", i) for i in (*m.classificador.nomes, ATENDENTE, "opcao_antiga")]
    entradas += [Entrada(t) for t in PLAUSIVEIS + ESTRANHOS]
    primeiros = {r.estado: r for r in reversed(catalogo())}
    for retrato in primeiros.values():
        for entrada in entradas:
            decisao = m.passo(retrato.estado, retrato.memoria, entrada, retrato.fatos, AGORA)
            assert decisao.estado in m.fluxo.estados, (retrato.estado, entrada)
            assert decisao.respostas, (retrato.estado, entrada)


def _ate_o_fim(m: Motor, estado: str, memoria: Memoria, fatos: Fatos) -> list[str]:
    """Feed nonsense until the conversation reaches an end or a person; returns the states it went through."""
    limite = 2 * m.config.conversa.max_incompreensoes + 4  # misses before a handoff, plus a restart and 3 tries
    caminho = [estado]
    for _ in range(limite):
        if estado in finais(m.fluxo):
            return caminho
        decisao = m.passo(estado, memoria, Entrada("xqzw kplm"), fatos, AGORA)
        estado, memoria = decisao.estado, decisao.memoria
        caminho.append(estado)
    assert estado in finais(m.fluxo), f"conversa presa: {' → '.join(caminho)}"
    return caminho


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(REPOUSO), st.integers(0, 99), ENTRADAS)
@example("identificacao", 0, Entrada("²"))
@example("oferta", 0, Entrada("", "opcao_antiga"))
def test_qualquer_estado_qualquer_entrada(estado: str, n: int, entrada: Entrada) -> None:
    """Never raises, stays in the flow, always answers, and nonsense afterwards still reaches an end or a person."""
    m, atual = motor(), retrato(estado, n)
    decisao = m.passo(atual.estado, atual.memoria, entrada, atual.fatos, AGORA)
    assert decisao.estado in m.fluxo.estados
    assert decisao.estado not in transitorios(m.fluxo)
    assert decisao.respostas
    assert decisao.memoria.incompreensoes < 2 * m.config.conversa.max_incompreensoes
    _ate_o_fim(m, decisao.estado, decisao.memoria, atual.fatos)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(REPOUSO), st.integers(0, 99), st.lists(ENTRADAS, max_size=10))
def test_nenhum_valor_antes_da_identidade(estado: str, n: int, entradas: list[Entrada]) -> None:
    """Whatever is said or pressed (even a later state's button), no amount, due date or debt detail goes out
    before identity is confirmed."""
    m, inicio = motor(), retrato(estado, n, so_antes_da_identidade=True)
    estado, memoria = inicio.estado, inicio.memoria
    for entrada in entradas:
        decisao = m.passo(estado, memoria, entrada, inicio.fatos, AGORA)
        estado, memoria = decisao.estado, decisao.memoria
        if memoria.identidade_ok:
            break
        for resposta in decisao.respostas:
            assert not DINHEIRO.search(resposta.texto)
            assert "150" not in resposta.texto and "Mensalidade" not in resposta.texto
            assert "/2026" not in resposta.texto


_contador = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(ENTRADAS, st.sampled_from(("a", "b", "c", None))), min_size=1, max_size=8))
@example(mensagens=[(Entrada("o\x00i", "x\x00"), "a")])  # NUL: PostgreSQL refused the message (a 500)
async def test_pelo_servico_com_banco_real(
    projeto: Projeto, banco_semeado: str | Path, bancos: Bancos, mensagens: list[tuple[Entrada, str | None]]
) -> None:
    """The same inputs through `Atendimento.receber` on a real database: stored once each, state always valid,
    and nonsense afterwards still ends the conversation or hands it to a person."""
    engine = criar_engine(bancos.copia(banco_semeado, f"fuzz{next(_contador)}"))
    atendimento = Atendimento(projeto.motor, engine, lambda: AGORA)
    try:
        for entrada, id_externo in mensagens:
            await atendimento.receber(1, "web", entrada, id_externo=id_externo)
        async with sessao(engine) as s:
            conversa = (await s.exec(select(Conversa))).one()
            entradas = (await s.exec(select(Mensagem).where(Mensagem.direcao == Direcao.ENTRADA.value))).all()
        assert conversa.estado in projeto.motor.fluxo.estados
        assert conversa.estado not in transitorios(projeto.motor.fluxo)
        unicas = len({i for _, i in mensagens if i is not None}) + sum(i is None for _, i in mensagens)
        assert len(entradas) == unicas  # a repeated provider id is stored (and answered) once
        for _ in range(2 * projeto.config.conversa.max_incompreensoes + 4):
            if conversa.dono != Dono.BOT.value or conversa.estado in finais(projeto.motor.fluxo):
                break
            await atendimento.receber(1, "web", Entrada("xqzw kplm"))
            async with sessao(engine) as s:
                conversa = (await s.exec(select(Conversa))).one()
        assert conversa.dono != Dono.BOT.value or conversa.estado in finais(projeto.motor.fluxo), conversa.estado
    finally:
        await engine.dispose()
