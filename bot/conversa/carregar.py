"""Read `fluxos/*.toml` into the neutral model, reporting every problem with file, key and line."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.config.erros import ErroConfig
from bot.config.linhas import linha_de, mapa_de_linhas
from bot.config.validacao import ler_toml, validar
from bot.conversa.modelo import ARGUMENTOS, Acao, Aparte, Estado, Fluxo, Guarda, Opcao, Passo, Transicao
from bot.conversa.nlu import Intencao

ARQUIVO_INTENCOES = "intencoes.toml"


class _Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _OpcaoToml(_Estrito):
    intencao: str
    titulo: str = Field(min_length=1, max_length=20)
    se_nao: str | None = None


class _AparteToml(_Estrito):
    mensagem: str
    antes_da_identidade: str | None = None
    opcoes: list[_OpcaoToml] | None = Field(default=None, max_length=3)


class _TransicaoToml(_Estrito):
    quando: str | list[str]
    ir_para: str
    se: str | None = None
    se_nao: str | None = None
    acoes: list[str] = []
    mensagem: str | None = None


class _EstadoToml(_Estrito):
    descricao: str = ""
    mensagem: str | None = None
    opcoes: list[_OpcaoToml] = Field(default=[], max_length=10)
    transicoes: list[_TransicaoToml] = []
    final: bool = False


class _CabecalhoToml(_Estrito):
    nome: str
    descricao: str = ""
    inicio: str
    transferencia: str
    mensagem_nao_entendi: str = "nao_entendi"
    mensagem_oferecer_atendente: str = "oferecer_atendente"


class _IntencaoToml(_Estrito):
    descricao: str = ""
    palavras: list[str] = []
    exemplos: list[str] = []


class _FluxoToml(_Estrito):
    fluxo: _CabecalhoToml
    intencoes: dict[str, _IntencaoToml] = {}
    globais: list[_TransicaoToml] = Field(default=[], alias="global")
    apartes: dict[str, _AparteToml] = {}
    estados: dict[str, _EstadoToml] = Field(min_length=1)


class _IntencoesToml(_Estrito):
    intencoes: dict[str, _IntencaoToml]


def carregar_intencoes(pasta: Path) -> tuple[dict[str, Intencao], list[ErroConfig]]:
    """The shared intent vocabulary in `fluxos/intencoes.toml`."""
    caminho = pasta / ARQUIVO_INTENCOES
    dados, texto, erros = ler_toml(caminho)
    if erros:
        return {}, erros
    modelo, erros = validar(_IntencoesToml, dados, str(caminho), texto)
    if modelo is None:
        return {}, erros
    return _intencoes(modelo.intencoes, str(caminho), texto)


def _intencoes(
    tabela: dict[str, _IntencaoToml], arquivo: str, texto: str
) -> tuple[dict[str, Intencao], list[ErroConfig]]:
    linhas = mapa_de_linhas(texto)
    erros: list[ErroConfig] = []
    resultado: dict[str, Intencao] = {}
    for nome, item in tabela.items():
        if not item.palavras and not item.exemplos:
            caminho = f"intencoes.{nome}"
            erros.append(
                ErroConfig(arquivo, caminho, "intenção sem 'palavras' nem 'exemplos'", linha_de(linhas, caminho))
            )
            continue
        resultado[nome] = Intencao(nome, tuple(item.palavras), tuple(item.exemplos), item.descricao)
    return resultado, erros


def carregar_fluxo(caminho: Path) -> tuple[Fluxo | None, dict[str, Intencao], list[ErroConfig]]:
    """One flow file: the model, the intents it adds, and every error found."""
    dados, texto, erros = ler_toml(caminho)
    if erros:
        return None, {}, erros
    modelo, erros = validar(_FluxoToml, dados, str(caminho), texto)
    if modelo is None:
        return None, {}, erros
    tradutor = _Tradutor(str(caminho), mapa_de_linhas(texto))
    intencoes, erros_intencoes = _intencoes(modelo.intencoes, str(caminho), texto)
    estados = {
        nome: Estado(
            nome=nome,
            mensagem=estado.mensagem,
            opcoes=tradutor.opcoes(estado.opcoes, f"estados.{nome}.opcoes"),
            transicoes=tradutor.transicoes(estado.transicoes, f"estados.{nome}.transicoes"),
            final=estado.final,
            descricao=estado.descricao,
        )
        for nome, estado in modelo.estados.items()
    }
    fluxo = Fluxo(
        nome=modelo.fluxo.nome,
        arquivo=str(caminho),
        inicio=modelo.fluxo.inicio,
        transferencia=modelo.fluxo.transferencia,
        mensagem_nao_entendi=modelo.fluxo.mensagem_nao_entendi,
        mensagem_oferecer_atendente=modelo.fluxo.mensagem_oferecer_atendente,
        estados=estados,
        globais=tradutor.transicoes(modelo.globais, "global"),
        descricao=modelo.fluxo.descricao,
        intencoes_proprias=tuple(intencoes),
        apartes={
            intencao: Aparte(
                intencao,
                aparte.mensagem,
                aparte.antes_da_identidade,
                None if aparte.opcoes is None else tradutor.opcoes(aparte.opcoes, f"apartes.{intencao}.opcoes"),
            )
            for intencao, aparte in modelo.apartes.items()
        },
    )
    return fluxo, intencoes, erros_intencoes + tradutor.erros


class _Tradutor:
    """Turns the TOML transitions into model ones, collecting vocabulary errors instead of stopping."""

    def __init__(self, arquivo: str, linhas: dict[str, int]) -> None:
        self.arquivo = arquivo
        self.linhas = linhas
        self.erros: list[ErroConfig] = []

    def _erro(self, caminho: str, mensagem: str, valor: object) -> None:
        self.erros.append(ErroConfig(self.arquivo, caminho, mensagem, linha_de(self.linhas, caminho), valor))

    def transicoes(self, itens: list[_TransicaoToml], base: str) -> tuple[Transicao, ...]:
        return tuple(self._transicao(t, f"{base}[{i}]") for i, t in enumerate(itens))

    def _transicao(self, item: _TransicaoToml, caminho: str) -> Transicao:
        quando = (item.quando,) if isinstance(item.quando, str) else tuple(item.quando)
        return Transicao(
            quando=quando,
            ir_para=item.ir_para,
            se=self._guarda(item.se, f"{caminho}.se"),
            se_nao=self._guarda(item.se_nao, f"{caminho}.se_nao"),
            acoes=tuple(
                p for i, a in enumerate(item.acoes) if (p := self._passo(a, f"{caminho}.acoes[{i}]")) is not None
            ),
            mensagem=item.mensagem,
        )

    def opcoes(self, itens: list[_OpcaoToml], base: str) -> tuple[Opcao, ...]:
        return tuple(
            Opcao(o.intencao, o.titulo, self._guarda(o.se_nao, f"{base}[{i}].se_nao")) for i, o in enumerate(itens)
        )

    def _guarda(self, nome: str | None, caminho: str) -> Guarda | None:
        if nome is None:
            return None
        try:
            return Guarda(nome)
        except ValueError:
            self._erro(caminho, f"condição desconhecida; esperado uma de: {', '.join(Guarda)}", nome)
            return None

    def _passo(self, texto: str, caminho: str) -> Passo | None:
        nome, _, argumento = texto.partition(":")
        try:
            acao = Acao(nome.strip())
        except ValueError:
            self._erro(caminho, f"ação desconhecida; esperado uma de: {', '.join(Acao)}", texto)
            return None
        permitidos = ARGUMENTOS.get(acao)
        if permitidos is None and argumento:
            self._erro(caminho, f"a ação '{acao}' não recebe argumento", texto)
            return None
        if permitidos is not None and argumento.strip() not in permitidos:
            esperado = ", ".join(f"{acao}:{p}" for p in permitidos)
            self._erro(caminho, f"argumento ausente ou desconhecido; esperado um de: {esperado}", texto)
            return None
        return Passo(acao, argumento.strip() or None)
