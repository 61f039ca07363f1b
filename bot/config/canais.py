"""`[canais.*]` of config.toml. Secrets are never in the file: it names the environment variables holding them."""

from __future__ import annotations

import os
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator


class _Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def ler_segredo(variavel: str) -> str | None:
    """The value of the named environment variable, or None when unset or blank."""
    valor = os.environ.get(variavel, "").strip()
    return valor or None


class WhatsappConfig(_Estrito):
    id_telefone: str = Field("", pattern=r"^\d*$", description="Phone number ID do WhatsApp Business (só dígitos)")
    env_token: str = Field("WHATSAPP_TOKEN", min_length=1, description="Variável de ambiente com o access token")
    env_segredo_app: str = Field(
        "WHATSAPP_APP_SECRET", min_length=1, description="Variável de ambiente com o app secret (assinatura)"
    )
    env_token_verificacao: str = Field(
        "WHATSAPP_VERIFY_TOKEN", min_length=1, description="Variável de ambiente com o verify token do webhook"
    )
    api_base_url: HttpUrl = Field(HttpUrl("https://graph.facebook.com"), description="Base da Graph API")
    versao_api: str = Field("23.0", pattern=r"^\d+\.\d+$", description="Versão da Graph API, ex. 23.0")
    id_conta: str = Field(
        "", pattern=r"^\d*$", description="WhatsApp Business Account ID (WABA, só dígitos): gestão dos modelos"
    )


class TelegramConfig(_Estrito):
    env_token: str = Field("TELEGRAM_TOKEN", min_length=1, description="Variável de ambiente com o token do bot")
    env_segredo: str = Field(
        "TELEGRAM_SECRET", min_length=1, description="Variável de ambiente com o secret_token do webhook"
    )
    api_base_url: HttpUrl = Field(
        HttpUrl("https://api.telegram.org/bot"), description="Base da Bot API (ou de um servidor Bot API local)"
    )


class Seguranca(StrEnum):
    STARTTLS = "starttls"
    SSL = "ssl"
    NENHUMA = "nenhuma"


class EmailConfig(_Estrito):
    host: str = Field("", description="Servidor SMTP; vazio desliga o e-mail")
    porta: int = Field(587, ge=1, le=65535, description="Porta SMTP")
    seguranca: Seguranca = Field(Seguranca.STARTTLS, description="starttls, ssl ou nenhuma")
    usuario: str = Field("", description="Usuário SMTP (vazio: sem autenticação)")
    env_senha: str = Field("SMTP_PASSWORD", min_length=1, description="Variável de ambiente com a senha SMTP")
    remetente: str = Field("", description="Endereço do remetente, ex. cobranca@empresa.com.br")


# Voice notes: who transcribes them, and the limits of what is sent to be transcribed.
class ServicoTranscricao(StrEnum):
    NENHUM = "nenhum"
    OPENAI = "openai"
    LOCAL = "local"


class TranscricaoConfig(_Estrito):
    servico: ServicoTranscricao = Field(
        ServicoTranscricao.NENHUM,
        description="Quem transcreve os áudios: nenhum (o bot pede texto e guarda o áudio para a equipe), openai "
        "(um serviço compatível com /audio/transcriptions) ou local (faster-whisper com um modelo em pasta_modelo)",
    )
    url: HttpUrl = Field(
        HttpUrl("https://api.openai.com/v1"), description="Base do serviço compatível com a API da OpenAI"
    )
    env_chave: str = Field(
        "TRANSCRICAO_API_KEY", min_length=1, description="Variável de ambiente com a chave do serviço (servico=openai)"
    )
    modelo: str = Field("whisper-1", min_length=1, description="Modelo pedido ao serviço (campo model)")
    idioma: str = Field("pt", pattern=r"^[a-z]{2}$", description="Idioma dos áudios (ISO 639-1), enviado como language")
    pasta_modelo: str = Field(
        "", description="Pasta de um modelo do faster-whisper (servico=local), relativa à pasta do config.toml"
    )
    max_mb: int = Field(16, ge=1, le=25, description="Tamanho máximo de um áudio transcrito, em MB")
    max_segundos: int = Field(180, ge=5, le=1800, description="Duração máxima de um áudio transcrito, em segundos")
    tempo_limite_segundos: float = Field(
        60.0, gt=0, le=600, description="Quanto esperar pela transcrição antes de desistir"
    )

    @model_validator(mode="after")
    def _modelo_local(self) -> TranscricaoConfig:
        # Whether the directory exists is the server's start-up check (bot/canais/transcricao.py): check may run
        # on another machine than the one that serves.
        if self.servico == ServicoTranscricao.LOCAL and not self.pasta_modelo.strip():
            raise ValueError('servico = "local" precisa de pasta_modelo: a pasta de um modelo do faster-whisper')
        return self


class Acentos(StrEnum):
    REMOVER = "remover"  # "não" → "nao": GSM-7, 160 characters per SMS
    MANTER = "manter"  # UCS-2: 70 characters per SMS


class SmsConfig(_Estrito):
    """SMS through Zenvia's API v2 (`POST /v2/channels/sms/messages`, header `X-API-TOKEN`)."""

    remetente: str = Field(
        "", pattern=r"^[A-Za-z0-9._-]{0,60}$", description="Remetente na Zenvia (o `from`); vazio desliga o SMS"
    )
    env_token: str = Field("ZENVIA_TOKEN", min_length=1, description="Variável de ambiente com o token da API")
    env_segredo_webhook: str = Field(
        "ZENVIA_WEBHOOK_SECRET",
        min_length=1,
        description="Variável de ambiente com o segredo que a assinatura do webhook manda no cabeçalho X-Webhook-Token",
    )
    api_base_url: HttpUrl = Field(HttpUrl("https://api.zenvia.com"), description="Base da API da Zenvia")
    acentos: Acentos = Field(
        Acentos.REMOVER, description="remover: acentos fora do GSM-7 viram a letra sem acento; manter: UCS-2"
    )
    max_segmentos: int = Field(
        3, ge=1, le=10, description="Segmentos por SMS; um texto maior sai em vários SMS, cortados entre palavras"
    )


class CanaisConfig(_Estrito):
    pasta_anexos: str = Field(
        "data/anexos",
        min_length=1,
        description="Pasta dos arquivos que os devedores mandam (relativa à pasta do config.toml)",
    )
    anexo_max_mb: int = Field(10, ge=1, le=100, description="Tamanho máximo de um arquivo recebido, em MB")
    trabalhadores: int = Field(8, ge=1, le=256, description="Trabalhadores que processam a caixa de entrada")
    prazo_processamento_segundos: int = Field(
        120, ge=5, le=86400, description="Depois disso uma atualização em processamento é retomada por outra instância"
    )
    max_tentativas: int = Field(5, ge=1, le=100, description="Retomadas de uma atualização antes de desistir (falhou)")
    varredura_segundos: float = Field(5.0, gt=0, le=3600, description="Intervalo da busca por atualizações paradas")
    retencao_dias: int = Field(
        30, ge=1, le=3650, description="Dias que uma atualização processada fica guardada antes de ser apagada"
    )
    whatsapp: WhatsappConfig = WhatsappConfig()
    telegram: TelegramConfig = TelegramConfig()
    email: EmailConfig = EmailConfig()
    transcricao: TranscricaoConfig = TranscricaoConfig()
    sms: SmsConfig = SmsConfig()
