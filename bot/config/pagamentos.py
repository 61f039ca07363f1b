"""The `[pagamentos]` settings: bank account, boleto agreement and PIX receiver, checked at load."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from bot.boleto_pix.pix import CIDADE_MAXIMA, NOME_MAXIMO, texto_ascii, tipo_da_chave

_CONTA = re.compile(r"[0-9]{1,12}(-[0-9Xx])?")
_VARIAVEL = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
_MODELO = re.compile(r"[a-z0-9_]{1,512}")
_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
ASAAS_PRODUCAO = "https://api.asaas.com/v3"


def _erro(mensagem: str) -> PydanticCustomError:
    # A custom error keeps pydantic from prefixing the pt-BR message with "Value error, ".
    return PydanticCustomError("valor_invalido", mensagem)


def _digitos(tamanho: int, exemplo: str) -> Callable[[str], str]:
    def validar(valor: str) -> str:
        if not (len(valor) == tamanho and valor.isascii() and valor.isdigit()):
            raise _erro(f"esperado {tamanho} dígitos, como {exemplo}")
        return valor

    return validar


def _texto_pix(maximo: int) -> Callable[[str], str]:
    def validar(valor: str) -> str:
        if not 1 <= len(texto_ascii(valor)) <= maximo:
            raise _erro(f"esperado de 1 a {maximo} caracteres (sem contar acentos)")
        return valor

    return validar


def _conta(valor: str) -> str:
    if not _CONTA.fullmatch(valor):
        raise _erro("esperado o número da conta em dígitos, com o dígito verificador opcional, como 12345-6")
    return valor


def _chave_pix(valor: str) -> str:
    try:
        tipo_da_chave(valor)
    except ValueError:
        raise _erro(
            "esperado CPF ou CNPJ sem pontuação, e-mail, telefone como +5511987654321 ou chave aleatória"
        ) from None
    return valor


def _nome_variavel(valor: str) -> str:
    if not _VARIAVEL.fullmatch(valor):
        raise _erro("esperado o NOME de uma variável de ambiente, como ASAAS_TOKEN (nunca o próprio token)")
    return valor


def _url_api(valor: str) -> str:
    if not _URL.fullmatch(valor):
        raise _erro("esperado um endereço http(s) sem parâmetros, como https://api.asaas.com/v3")
    return valor.rstrip("/")


def _nome_modelo(valor: str) -> str:
    if not _MODELO.fullmatch(valor):
        raise _erro("esperado o nome do modelo aprovado no WhatsApp: minúsculas, dígitos e _, como pagamento_recebido")
    return valor


def _dias_validade(valor: int) -> int:
    if not 1 <= valor <= 60:
        raise _erro("esperado um número de dias de 1 a 60")
    return valor


class PagamentosConfig(BaseModel):
    """How boletos and PIX codes are issued; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    provedor: Literal["local", "asaas"] = Field(
        "local",
        description="Quem emite os documentos: 'local' gera boleto e PIX aqui mesmo, sem banco; "
        "'asaas' emite cobranças reais na API v3 do Asaas.",
    )
    banco: Literal["001"] = Field("001", description="Código do banco do boleto (001 = Banco do Brasil).")
    agencia: Annotated[str, AfterValidator(_digitos(4, "1234"))] = Field(
        description="Agência do beneficiário, 4 dígitos sem o dígito verificador."
    )
    conta: Annotated[str, AfterValidator(_conta)] = Field(description="Conta corrente do beneficiário, como 12345-6.")
    convenio: Annotated[str, AfterValidator(_digitos(7, "1234567"))] = Field(
        description="Número do convênio de cobrança com o banco, 7 dígitos."
    )
    carteira: Annotated[str, AfterValidator(_digitos(2, "17"))] = Field(
        description="Carteira de cobrança do convênio, 2 dígitos (ex. 17)."
    )
    pix_chave: Annotated[str, AfterValidator(_chave_pix)] = Field(
        description="Chave PIX que recebe os pagamentos, como cadastrada no banco."
    )
    pix_nome: Annotated[str, AfterValidator(_texto_pix(NOME_MAXIMO))] = Field(
        description=f"Nome do recebedor mostrado no PIX, até {NOME_MAXIMO} caracteres."
    )
    pix_cidade: Annotated[str, AfterValidator(_texto_pix(CIDADE_MAXIMA))] = Field(
        description=f"Cidade do recebedor mostrada no PIX, até {CIDADE_MAXIMA} caracteres."
    )
    dias_para_quebra: int = Field(
        30,
        ge=1,
        le=365,
        description="Dias de atraso de uma parcela do acordo até ele ser quebrado e a dívida original reaberta.",
    )
    dias_validade_documento: Annotated[int, AfterValidator(_dias_validade)] = Field(
        3,
        description="Por quantos dias um boleto ou PIX emitido continua valendo (de 1 a 60).",
        json_schema_extra={"minimum": 1, "maximum": 60},
    )
    modelo_agradecimento: Annotated[str, AfterValidator(_nome_modelo)] = Field(
        "pagamento_recebido",
        description="Nome do modelo aprovado no WhatsApp para o agradecimento fora da janela de 24 h "
        "(parâmetros: primeiro nome e valor pago).",
    )
    modelo_documento: Annotated[str, AfterValidator(_nome_modelo)] = Field(
        "documento_pronto",
        description="Nome do modelo aprovado no WhatsApp para avisar, fora da janela de 24 h, que o boleto/PIX "
        "que o PSP não emitiu na hora ficou pronto (parâmetros: primeiro nome, valor, vencimento e link).",
    )
    dias_para_confirmar: int = Field(
        3,
        ge=1,
        le=30,
        description="Dias que um comprovante enviado pelo devedor segura os lembretes da parcela que ele paga, "
        "esperando a confirmação do banco (um comprovante nunca dá a parcela por paga).",
    )
    asaas_url: Annotated[str, AfterValidator(_url_api)] = Field(
        ASAAS_PRODUCAO,
        description="Endereço da API v3 do Asaas (sandbox: https://api-sandbox.asaas.com/v3).",
    )
    asaas_token_env: Annotated[str, AfterValidator(_nome_variavel)] = Field(
        "ASAAS_TOKEN", description="NOME da variável de ambiente com a chave de API do Asaas (nunca a chave)."
    )
    asaas_webhook_token_env: Annotated[str, AfterValidator(_nome_variavel)] = Field(
        "ASAAS_WEBHOOK_TOKEN",
        description="NOME da variável de ambiente com o token que o Asaas envia no webhook (asaas-access-token).",
    )
    asaas_forma: Literal["BOLETO", "PIX"] = Field(
        "BOLETO", description="Forma de cobrança no Asaas: BOLETO (boleto com PIX) ou PIX."
    )
    asaas_timeout_segundos: float = Field(
        10.0, gt=0, le=120, description="Quanto esperar por uma resposta do Asaas antes de desistir."
    )
