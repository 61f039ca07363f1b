"""Draw a flow as a Mermaid state diagram (committed next to the flow, rendered in the console)."""

from __future__ import annotations

from bot.conversa.modelo import Fluxo, Transicao

_GLOBAL = "qualquer_estado"
_APARTES = "apartes"


def _rotulo(transicao: Transicao) -> str:
    partes = [" / ".join(transicao.quando)]
    if transicao.se:
        partes.append(f"[{transicao.se}]")
    if transicao.se_nao:
        partes.append(f"[não {transicao.se_nao}]")
    if transicao.acoes:
        partes.append("⟶ " + ", ".join(str(p) for p in transicao.acoes))
    # Mermaid reads ':' and ';' as syntax inside labels.
    return " ".join(partes).replace(":", "＝").replace(";", ",")


def mermaid(fluxo: Fluxo) -> str:
    linhas = ["stateDiagram-v2", f"    %% {fluxo.nome}: {fluxo.descricao}", f"    [*] --> {fluxo.inicio}"]
    if fluxo.globais:
        linhas.append(f'    state "qualquer estado" as {_GLOBAL}')
        linhas += [f"    {_GLOBAL} --> {t.ir_para}: {_rotulo(t)}" for t in fluxo.globais]
    if fluxo.apartes:  # answered in place: the conversation stays in the state it was in
        linhas.append(f'    state "apartes (responde e continua)" as {_APARTES}')
        linhas += [f"    {_APARTES} --> {_APARTES}: {i} ⟶ {a.mensagem}" for i, a in fluxo.apartes.items()]
    for nome, estado in fluxo.estados.items():
        if estado.descricao:
            linhas.append(f"    {nome}: {nome}\\n{estado.descricao.replace(':', '＝')}")
        linhas += [f"    {nome} --> {t.ir_para}: {_rotulo(t)}" for t in estado.transicoes]
        if estado.final:
            linhas.append(f"    {nome} --> [*]")
    return "\n".join(linhas) + "\n"
