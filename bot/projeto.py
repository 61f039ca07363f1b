"""Load and check everything a manager edits: `config.toml`, `fluxos/*.toml`, `mensagens/*.j2`."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config.arquivo import Config
from bot.config.erros import ConfigInvalida, ErroConfig
from bot.config.resultados import verificar as verificar_experimentos
from bot.config.validacao import ler_toml, validar
from bot.conversa.carregar import ARQUIVO_INTENCOES, carregar_fluxo, carregar_intencoes
from bot.conversa.expediente import MENSAGEM_FORA_DO_HORARIO
from bot.conversa.fatos import AcordoAtivo, DevedorFatos, DocumentoAtivo, Entrada, Fatos, Memoria, PropostaFeita
from bot.conversa.modelo import QUALQUER, Acao, Fluxo, Passo
from bot.conversa.motor import MENSAGEM_CONFIRMAR, MENSAGEM_CONFIRMAR_ACORDO, Motor, contexto
from bot.conversa.nlu import Classificador, Entidades, Intencao, Interpretacao
from bot.conversa.nlu.linear import PesosInvalidos
from bot.conversa.nlu.treino import ARQUIVO_PESOS, PASTA_CORPUS, CorpusInvalido, carregar_pesos, corpus_do_projeto
from bot.conversa.regras import Avaliacao, executar
from bot.conversa.validar import estados_antes_da_identidade, exige_identidade, validar_fluxo
from bot.mensagens import avisos_canal as textos_canais
from bot.mensagens.catalogo import conferir_catalogo
from bot.mensagens.textos import (
    VARIAVEIS_ANTES_DA_IDENTIDADE,
    ErroDeMensagem,
    Textos,
    carregar_textos,
    explicar_erro,
    linha_do_erro,
)
from bot.negociacao.saldo import ParcelaAberta

# Messages the engine sends by name, whatever the flow: each must exist in mensagens/.
OBRIGATORIAS = {
    MENSAGEM_FORA_DO_HORARIO: "diz ao devedor, numa transferência fora do horário, quando a equipe responde "
    "({{ retorno_equipe }})",
    MENSAGEM_CONFIRMAR_ACORDO: "pergunta de volta, repetindo o acordo ({{ plano }}), um “sim” em dúvida ou ouvido "
    "num áudio antes de fechar o acordo",
}

# What the thank-you message (`pagamento_recebido.j2`, sent by bot.pagamentos.confirmacao) may use.
EXEMPLO_PAGAMENTO = {
    "acordo": 1,
    "parcela": 1,
    "valor": "150.00",
    "data": "2026-11-24",
    "restante": "0.00",
    "quitado": False,
}

EXEMPLO_DOCUMENTO = DocumentoAtivo(
    id=1,
    parcela=1,
    de=3,
    valor=Decimal("150.00"),
    vencimento=date(2026, 11, 24),
    linha_digitavel="00190.00009 01234.567004 00000.001230 1 12340000015000",
    pix="00020126...6304ABCD",
    link="http://127.0.0.1:8080/p/exemplo",
)


@dataclass(frozen=True)
class Projeto:
    raiz: Path
    config: Config
    fluxos: dict[str, Fluxo]
    textos: Textos
    motor: Motor
    intencoes: dict[str, Intencao]

    @property
    def resumo(self) -> str:
        estados = sum(len(f.estados) for f in self.fluxos.values())
        return (
            f"OK: config.toml, {len(self.fluxos)} fluxo(s) com {estados} estados, "
            f"{len(self.motor.classificador.nomes)} intenções, {len(self.textos.fontes)} mensagens"
        )

    def no_endereco(self, host: str, porta: int) -> Projeto:
        """The project for a server on `host:porta`: payment links follow it unless `web.url_publica` is set."""
        config = self.config.model_copy(update={"web": self.config.web.no_endereco(host, porta)})
        return replace(self, config=config, motor=replace(self.motor, config=config))


def carregar_projeto(config_path: Path) -> Projeto:
    """Everything loaded and checked; raises `ConfigInvalida` with every error found."""
    raiz = config_path.parent
    erros: list[ErroConfig] = []
    dados, texto, erros_toml = ler_toml(config_path)
    config, erros_config = (None, []) if erros_toml else validar(Config, dados, str(config_path), texto)
    erros += erros_toml + erros_config

    textos, erros_textos = carregar_textos(raiz / "mensagens")
    intencoes, erros_intencoes = carregar_intencoes(raiz / "fluxos")
    erros += erros_textos + erros_intencoes
    if not erros_textos:
        erros += [
            ErroConfig(str(raiz / "mensagens" / f"{nome}.j2"), "", f"mensagem obrigatória ausente: {para_que}")
            for nome, para_que in OBRIGATORIAS.items()
            if nome not in textos.nomes
        ]

    fluxos: dict[str, Fluxo] = {}
    for caminho in sorted((raiz / "fluxos").glob("*.toml")):
        if caminho.name == ARQUIVO_INTENCOES:
            continue
        fluxo, proprias, erros_fluxo = carregar_fluxo(caminho)
        erros += erros_fluxo
        if fluxo is None:
            continue
        vocabulario = intencoes | proprias
        erros += validar_fluxo(fluxo, vocabulario, textos.nomes)
        erros += _mensagens_antes_da_identidade(fluxo, textos)
        fluxos[fluxo.nome] = fluxo
        intencoes = vocabulario
    if not fluxos and not erros:
        erros.append(ErroConfig(str(raiz / "fluxos"), "", "nenhum fluxo (*.toml) encontrado"))
    if config is not None:
        erros += _referencias(str(config_path), config, fluxos, textos, bool(erros_textos))
    # Every message is rendered even when other files have errors: with the config's valid keys if some are not.
    ensaio = config if config is not None or erros_toml else _sem_chaves_invalidas(dados, erros_config)
    if ensaio is not None and not erros_textos:
        erros += _ensaiar_mensagens(ensaio, textos) + textos_canais.verificar(textos)
    if config is not None:  # the WhatsApp templates in use, declared in mensagens/modelos_whatsapp.toml
        erros += conferir_catalogo(raiz / "mensagens", config, str(config_path))
    classificador = _classificador(raiz / "fluxos", intencoes) if not erros else None
    if classificador is None or isinstance(classificador, ErroConfig) or config is None:
        raise ConfigInvalida([*erros, classificador] if isinstance(classificador, ErroConfig) else erros)
    motor = Motor(config, fluxos[config.conversa.fluxo], classificador, textos)
    return Projeto(raiz, config, fluxos, textos, motor, intencoes)


def _referencias(
    arquivo: str, config: Config, fluxos: dict[str, Fluxo], textos: Textos, textos_com_erro: bool
) -> list[ErroConfig]:
    """What the valid config names elsewhere: the conversation's flow, and the experiments' steps and messages."""
    erros = []
    if fluxos and config.conversa.fluxo not in fluxos:
        erro = f"fluxo inexistente; há: {', '.join(fluxos)}"
        erros.append(ErroConfig(arquivo, "conversa.fluxo", erro, None, config.conversa.fluxo))
    if not textos_com_erro:
        erros += _experimentos(arquivo, config, textos)
    return erros


def _experimentos(arquivo: str, config: Config, textos: Textos) -> list[ErroConfig]:
    """The variants name steps, channels and messages that exist (`resultados.config.verificar`)."""

    def variaveis(nome: str) -> set[str]:
        return set().union(*(textos.variaveis(f) for f in textos.fontes if f.split(".")[0] == nome))

    problemas = verificar_experimentos(config.experimentos, config.regua, textos.nomes, variaveis)
    return [ErroConfig(arquivo, caminho, mensagem) for caminho, mensagem in problemas]


def _classificador(pasta: Path, intencoes: dict[str, Intencao]) -> Classificador | ErroConfig:
    """The trained classifier, or the error saying why the shipped weights cannot be used."""
    try:
        exemplos = corpus_do_projeto(pasta, list(intencoes.values()))
        return Classificador(carregar_pesos(pasta, exemplos), list(intencoes))
    except CorpusInvalido as erro:
        return ErroConfig(str(pasta / PASTA_CORPUS), "", f"corpus de treino inválido: {erro}")
    except (PesosInvalidos, ValueError) as erro:
        return ErroConfig(str(pasta / ARQUIVO_PESOS), "", f"{erro}; rode `python -m bot nlu treinar`")


def _mensagens_antes_da_identidade(fluxo: Fluxo, textos: Textos) -> list[ErroConfig]:
    """Messages that can go out before identity is confirmed may not touch the debt (CDC 42, LGPD)."""
    antes = estados_antes_da_identidade(fluxo)
    usos: dict[str, str] = {
        fluxo.mensagem_nao_entendi: "qualquer estado",
        fluxo.mensagem_oferecer_atendente: "qualquer estado",
        MENSAGEM_FORA_DO_HORARIO: "transferência fora do horário",
        MENSAGEM_CONFIRMAR: "confirmação de uma intenção custosa",
    }
    for aparte in fluxo.apartes.values():
        usos.setdefault(aparte.mensagem_para(identidade_ok=False), f"aparte '{aparte.intencao}'")
    for nome in antes:
        estado = fluxo.estados[nome]
        if estado.mensagem:
            usos.setdefault(estado.mensagem, f"estado '{nome}'")
        for transicao in (*estado.transicoes, *fluxo.globais):
            if transicao.mensagem and not exige_identidade(transicao):
                usos.setdefault(transicao.mensagem, f"transição de '{nome}'")
    erros = []
    for mensagem, onde in sorted(usos.items()):
        if mensagem not in textos.nomes:
            continue
        for arquivo in (a for a in textos.fontes if a.split(".")[0] == mensagem):
            proibidas = textos.variaveis(arquivo) - VARIAVEIS_ANTES_DA_IDENTIDADE
            if proibidas:
                erros.append(
                    ErroConfig(
                        str(textos.pasta / f"{arquivo}.j2"),
                        "",
                        f"usa {', '.join(sorted(proibidas))} mas é enviada antes da confirmação de identidade "
                        f"({onde}); só pode usar: {', '.join(sorted(VARIAVEIS_ANTES_DA_IDENTIDADE))}",
                    )
                )
    return erros


def _sem_chaves_invalidas(dados: dict[str, Any], erros: list[ErroConfig]) -> Config | None:
    """The config without the keys its errors name (their defaults instead), to rehearse the messages with; None
    if that is not valid either (a required key is the one that is wrong)."""
    limpos = copy.deepcopy(dados)
    for erro in erros:
        *pais, chave = erro.caminho.split(".") if erro.caminho else [""]
        alvo: Any = limpos
        for pai in pais:
            alvo = alvo.get(pai, {}) if isinstance(alvo, dict) else {}
        if isinstance(alvo, dict):
            alvo.pop(chave, None)
    try:
        return Config.model_validate(limpos)
    except ValidationError:
        return None


def _ensaiar_mensagens(config: Config, textos: Textos) -> list[ErroConfig]:
    """Render every message with a sample debtor, so a misspelt name fails in `check`, not in a chat."""
    agora = datetime(2026, 11, 23, 15, tzinfo=UTC)
    fatos = Fatos(
        conversa_id=1,
        devedor=DevedorFatos("Maria da Silva", "39053344705", "SP", date(1980, 5, 12), None),
        parcelas=(
            ParcelaAberta(1, "C-1", 1, Decimal("150.00"), date(2026, 9, 10), "Mensalidade"),
            ParcelaAberta(2, "C-1", 2, Decimal("150.00"), date(2026, 10, 10), "Mensalidade"),
        ),
    )
    interpretacao = Interpretacao(None, 0.0, Entidades(None, None, None, "", None))
    avaliacao = Avaliacao(config, fatos, Memoria(), Entrada("oi"), interpretacao, agora, agora.date())
    antes = Memoria()
    depois = Memoria(identidade_ok=True, fatores_ok=("cpf",), motivo="esqueci")
    for acao in (Acao.OFERECER, Acao.REGISTRAR_ACORDO):
        depois, _ = executar(Passo(acao), avaliacao, depois)
    depois = replace(depois, proposta=PropostaFeita("200 por mes", valor_parcela=Decimal("200")))
    if depois.acordo is not None:
        fatos = replace(fatos, acordo_ativo=AcordoAtivo(1, depois.acordo, EXEMPLO_DOCUMENTO))
        avaliacao = replace(avaliacao, fatos=fatos)
    erros = []
    for arquivo in sorted(textos.fontes):
        variaveis = textos.variaveis(arquivo)
        memoria = antes if variaveis <= VARIAVEIS_ANTES_DA_IDENTIDADE else depois
        canal = arquivo.split(".")[1] if "." in arquivo else None
        try:
            amostra = contexto(avaliacao, memoria, ()) | {"pagamento": EXEMPLO_PAGAMENTO} | textos_canais.EXEMPLOS
            textos.renderizar(arquivo.split(".")[0], amostra, canal)
        except ErroDeMensagem as erro:
            erros.append(
                ErroConfig(
                    str(textos.pasta / f"{arquivo}.j2"),
                    "",
                    f"erro ao montar a mensagem: {explicar_erro(erro.__cause__)}",
                    linha_do_erro(erro.__cause__),
                )
            )
    return erros


__all__ = ["QUALQUER", "Projeto", "carregar_projeto"]
