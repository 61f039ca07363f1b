"""`config.toml`: the manager's policy, as typed models that reject unknown keys."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from validate_docbr import CNPJ

from bot.config.api import ApiConfig
from bot.config.canais import CanaisConfig
from bot.config.console import ConsoleConfig
from bot.config.integracoes import IntegracoesConfig
from bot.config.pagamentos import PagamentosConfig
from bot.config.regua import Regua
from bot.config.resultados import Experimento, nomes_unicos
from bot.config.titular import LgpdConfig
from bot.negociacao.politica import Encargos, LivroOfertas

_CNPJ = CNPJ()


class Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credor(Estrito):
    nome: str = Field(min_length=2, description="Razão social ou nome fantasia do credor (CDC art. 42-A)")
    cnpj: str = Field(description="CNPJ do credor, com ou sem pontuação")
    endereco: str = Field(min_length=5, description="Endereço do credor, mostrado nos documentos de cobrança")
    canais_oficiais: list[str] = Field(
        default=[], description="Onde conferir que a cobrança é oficial (site, SAC, app), dito a quem desconfia"
    )
    negativacao: str = Field(
        default="",
        description="O que a empresa faz com cadastros de inadimplentes (Serasa/SPC), dito a quem pergunta; "
        "vazio: o bot diz que não tem essa informação e oferece uma pessoa",
    )

    @field_validator("cnpj")
    @classmethod
    def _cnpj_valido(cls, valor: str) -> str:
        if not _CNPJ.validate(valor):
            raise ValueError("CNPJ inválido (dígitos verificadores não conferem)")
        digitos = "".join(c for c in valor if c.isdigit())
        return f"{digitos[:2]}.{digitos[2:5]}.{digitos[5:8]}/{digitos[8:12]}-{digitos[12:]}"


class MetodoIdentidade(StrEnum):
    CPF3 = "cpf3"
    NASCIMENTO = "nascimento"
    AMBOS = "ambos"


class Identidade(Estrito):
    metodo: MetodoIdentidade = Field(
        MetodoIdentidade.CPF3,
        description="cpf3: três primeiros dígitos do CPF; nascimento: data de nascimento; ambos",
    )
    tentativas: int = Field(3, ge=1, le=10, description="Tentativas antes do bloqueio e da transferência")


class Llm(Estrito):
    url: str = Field(
        "",
        description="URL base de uma API compatível com a da OpenAI (ex.: https://api.openai.com/v1); vazio: desligado",
    )
    modelo: str = Field("gpt-4o-mini", min_length=1, description="Modelo pedido à API")
    chave_env: str = Field("COBRANCA_LLM_CHAVE", min_length=1, description="Variável de ambiente com a chave da API")
    tempo_limite_segundos: float = Field(3.0, gt=0, le=30, description="Sem resposta até lá, vale a leitura local")
    consultar_abaixo_de: float = Field(
        0.6, gt=0, le=1, description="Consulta o LLM só quando a confiança do modelo local fica abaixo disto"
    )


class Conversa(Estrito):
    fluxo: str = Field("negociacao", description="Nome do fluxo (arquivo em fluxos/) usado nas conversas")
    sessao_horas: int = Field(
        24, ge=1, le=720, description="Depois deste tempo sem mensagens a conversa recomeça e pede identidade"
    )
    max_incompreensoes: int = Field(
        2, ge=1, le=10, description="Mensagens não entendidas seguidas antes de oferecer um atendente"
    )
    llm: Llm = Llm()


class Web(Estrito):
    host: str = Field("127.0.0.1", description="Endereço em que o servidor web escuta")
    porta: int = Field(8080, ge=1, le=65535, description="Porta do servidor web")
    url_publica: str = Field(
        "",
        description="Endereço público do servidor, usado nos links de pagamento enviados ao devedor; "
        "vazio: http://<host>:<porta> em que o servidor escuta (segue --host e --porta de serve e demo)",
    )
    metricas_token_env: str = Field(
        "COBRANCA_METRICAS_TOKEN",
        min_length=1,
        description="Variável de ambiente com o token que /metrics exige (Authorization: Bearer); vazia: aberto",
    )

    _url_automatica: bool = PrivateAttr(False)

    @field_validator("url_publica")
    @classmethod
    def _url(cls, valor: str) -> str:
        if valor and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", valor):
            raise ValueError("esperado um endereço http(s) sem parâmetros, como https://pagar.exemplo.com.br")
        return valor.rstrip("/")

    @model_validator(mode="after")
    def _url_do_servidor(self) -> Web:
        if not self.url_publica:  # frozen model: the derived value is set once, here, before anyone reads it
            object.__setattr__(self, "url_publica", url_do_servidor(self.host, self.porta))
            self._url_automatica = True
        return self

    @property
    def url_automatica(self) -> bool:
        """Whether the links follow the address the server listens on (`url_publica` not set by the manager)."""
        return self._url_automatica

    def no_endereco(self, host: str, porta: int) -> Web:
        """This section for a server on `host:porta` (`--host`/`--porta`): the links follow unless set."""
        if not self._url_automatica:
            return self
        return Web.model_validate(self.model_dump() | {"host": host, "porta": porta, "url_publica": ""})


def url_do_servidor(host: str, porta: int) -> str:
    """The address a browser on this machine uses for a server listening on `host:porta`."""
    if host in ("", "0.0.0.0", "::"):  # listening everywhere: this machine answers on the loopback
        host = "127.0.0.1"
    return f"http://[{host}]:{porta}" if ":" in host else f"http://{host}:{porta}"


class Config(Estrito):
    credor: Credor
    identidade: Identidade = Identidade()
    conversa: Conversa = Conversa()
    encargos: Encargos = Encargos()
    ofertas: LivroOfertas
    pagamentos: PagamentosConfig
    web: Web = Web()
    canais: CanaisConfig = CanaisConfig()
    regua: Regua = Regua()
    console: ConsoleConfig = ConsoleConfig()
    experimentos: tuple[Experimento, ...] = ()
    # Issue 18: the company's systems (HTTP API, outbound events) and the data subject's requests.
    api: ApiConfig = ApiConfig()
    integracoes: IntegracoesConfig = IntegracoesConfig()
    lgpd: LgpdConfig = LgpdConfig()

    @field_validator("experimentos")
    @classmethod
    def _experimentos(cls, valor: tuple[Experimento, ...]) -> tuple[Experimento, ...]:
        return nomes_unicos(valor)
