"""Check a flow as a graph: unknown names, shadowed transitions, unreachable states, dead ends."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from bot.config.erros import ErroConfig
from bot.config.linhas import linha_de, mapa_de_linhas
from bot.conversa.modelo import ESPECIAIS, QUALQUER, Acao, Fluxo, Guarda, Transicao


def _todas_transicoes(fluxo: Fluxo) -> Iterator[tuple[str, Transicao]]:
    """(key path, transition) for every transition, globals first."""
    for i, transicao in enumerate(fluxo.globais):
        yield f"global[{i}]", transicao
    for nome, estado in fluxo.estados.items():
        for i, transicao in enumerate(estado.transicoes):
            yield f"estados.{nome}.transicoes[{i}]", transicao


Reportar = Callable[[str, str, object], None]


def validar_fluxo(fluxo: Fluxo, intencoes: Collection[str], mensagens: Collection[str]) -> list[ErroConfig]:
    """Every problem of the flow at once, each with its key path and line."""
    linhas = mapa_de_linhas(Path(fluxo.arquivo).read_text(encoding="utf-8"))
    erros: list[ErroConfig] = []

    def erro(caminho: str, mensagem: str, valor: object) -> None:
        erros.append(ErroConfig(fluxo.arquivo, caminho, mensagem, linha_de(linhas, caminho), valor))

    _validar_cabecalho(fluxo, mensagens, erro)
    _validar_transicoes(fluxo, intencoes, mensagens, erro)
    for nome in fluxo.estados:
        _validar_estado(fluxo, nome, intencoes, mensagens, erro)
    _validar_apartes(fluxo, intencoes, mensagens, erro)
    _validar_grafo(fluxo, erro)
    return erros


def _validar_apartes(fluxo: Fluxo, intencoes: Collection[str], mensagens: Collection[str], erro: Reportar) -> None:
    for intencao, aparte in fluxo.apartes.items():
        base = f"apartes.{intencao}"
        if intencao not in intencoes:
            erro(base, "intenção desconhecida (defina-a em fluxos/intencoes.toml)", intencao)
        for chave, mensagem in (("mensagem", aparte.mensagem), ("antes_da_identidade", aparte.antes_da_identidade)):
            if mensagem is not None and mensagem not in mensagens:
                erro(f"{base}.{chave}", "mensagem inexistente em mensagens/", mensagem)
        for i, opcao in enumerate(aparte.opcoes or ()):
            if opcao.intencao not in intencoes:
                erro(f"{base}.opcoes[{i}].intencao", "intenção desconhecida", opcao.intencao)


def _validar_cabecalho(fluxo: Fluxo, mensagens: Collection[str], erro: Reportar) -> None:
    nomes = ", ".join(fluxo.estados)
    for chave, valor in (("fluxo.inicio", fluxo.inicio), ("fluxo.transferencia", fluxo.transferencia)):
        if valor not in fluxo.estados:
            erro(chave, f"estado desconhecido; estados do fluxo: {nomes}", valor)
    for chave, valor in (
        ("fluxo.mensagem_nao_entendi", fluxo.mensagem_nao_entendi),
        ("fluxo.mensagem_oferecer_atendente", fluxo.mensagem_oferecer_atendente),
    ):
        if valor not in mensagens:
            erro(chave, "mensagem inexistente em mensagens/", valor)


def _validar_transicoes(fluxo: Fluxo, intencoes: Collection[str], mensagens: Collection[str], erro: Reportar) -> None:
    nomes = ", ".join(fluxo.estados)
    for caminho, transicao in _todas_transicoes(fluxo):
        if transicao.ir_para not in fluxo.estados:
            erro(f"{caminho}.ir_para", f"estado desconhecido; estados do fluxo: {nomes}", transicao.ir_para)
        for quando in transicao.quando:
            if quando not in ESPECIAIS and quando not in intencoes:
                erro(f"{caminho}.quando", "intenção desconhecida (defina-a em fluxos/intencoes.toml)", quando)
        if transicao.mensagem is not None and transicao.mensagem not in mensagens:
            erro(f"{caminho}.mensagem", "mensagem inexistente em mensagens/", transicao.mensagem)


def _validar_grafo(fluxo: Fluxo, erro: Reportar) -> None:
    estados = fluxo.estados
    for nome in sorted(set(estados) - alcancaveis(fluxo)):
        erro(f"estados.{nome}", f"estado inalcançável a partir de '{fluxo.inicio}'", nome)
    sem_saida = {n for n, e in estados.items() if not e.transicoes and not e.final}
    for nome in sorted(sem_saida):
        erro(f"estados.{nome}", "beco sem saída: estado sem transições e sem 'final = true'", nome)
    for nome in sorted(set(estados) - sem_saida - _chegam_ao_fim(fluxo)):
        erro(f"estados.{nome}", "nenhum caminho deste estado leva a um estado final", nome)


def _validar_estado(
    fluxo: Fluxo,
    nome: str,
    intencoes: Collection[str],
    mensagens: Collection[str],
    erro: Callable[[str, str, object], None],
) -> None:
    estado = fluxo.estados[nome]
    base = f"estados.{nome}"
    if estado.mensagem is not None and estado.mensagem not in mensagens:
        erro(f"{base}.mensagem", "mensagem inexistente em mensagens/", estado.mensagem)
    tratadas = {q for t in (*estado.transicoes, *fluxo.globais) for q in t.quando}
    for i, opcao in enumerate(estado.opcoes):
        if opcao.intencao not in intencoes:
            erro(f"{base}.opcoes[{i}].intencao", "intenção desconhecida", opcao.intencao)
        elif opcao.intencao not in tratadas and QUALQUER not in tratadas:
            erro(
                f"{base}.opcoes[{i}].intencao",
                "botão sem transição para esta intenção neste estado",
                opcao.intencao,
            )
    vistas: set[str] = set()
    for i, transicao in enumerate(estado.transicoes):
        if QUALQUER in vistas or set(transicao.quando) <= vistas:
            erro(
                f"{base}.transicoes[{i}]",
                "transição nunca usada: uma anterior sem condição já a captura",
                transicao.quando,
            )
        if transicao.se is None and transicao.se_nao is None:
            vistas |= set(transicao.quando)


def _vizinhos(fluxo: Fluxo, nome: str) -> set[str]:
    estado = fluxo.estados[nome]
    destinos = {t.ir_para for t in (*estado.transicoes, *fluxo.globais)}
    return {d for d in destinos if d in fluxo.estados} | {fluxo.transferencia} & set(fluxo.estados)


def alcancaveis(fluxo: Fluxo, inicio: str | None = None) -> set[str]:
    origem = inicio or fluxo.inicio
    if origem not in fluxo.estados:
        return set()
    vistos = {origem}
    pendentes = [origem]
    while pendentes:
        for destino in _vizinhos(fluxo, pendentes.pop()) - vistos:
            vistos.add(destino)
            pendentes.append(destino)
    return vistos


def _chegam_ao_fim(fluxo: Fluxo) -> set[str]:
    chegam = {n for n, e in fluxo.estados.items() if e.final}
    mudou = True
    while mudou:
        mudou = False
        for nome in fluxo.estados:
            if nome not in chegam and _vizinhos(fluxo, nome) & chegam:
                chegam.add(nome)
                mudou = True
    return chegam


def exige_identidade(transicao: Transicao) -> bool:
    """Whether the debtor is surely identified once this transition is taken."""
    confirma = any(p.acao is Acao.CONFIRMAR_IDENTIDADE for p in transicao.acoes)
    return confirma or transicao.se in (Guarda.IDENTIDADE_CONFIRMADA, Guarda.IDENTIDADE_CONFERE)


def estados_antes_da_identidade(fluxo: Fluxo) -> set[str]:
    """States reachable from the start without passing an edge that confirms identity.

    Their messages must not use any debt detail: `check` enforces it on the templates.
    """
    if fluxo.inicio not in fluxo.estados:
        return set()
    vistos = {fluxo.inicio}
    pendentes = [fluxo.inicio]
    while pendentes:
        estado = fluxo.estados[pendentes.pop()]
        for transicao in (*estado.transicoes, *fluxo.globais):
            destino = transicao.ir_para
            if not exige_identidade(transicao) and destino in fluxo.estados and destino not in vistos:
                vistos.add(destino)
                pendentes.append(destino)
    return vistos
