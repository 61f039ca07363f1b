"""`[regua]` in config.toml: reminder steps, the contact policy and sending limits, validated at load."""

from __future__ import annotations

import string
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.calendario import UFS
from bot.porta import TipoCanal


class Estrito(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Alvo(StrEnum):
    """What a step reminds of: an original installment, an agreement installment, a broken agreement."""

    PARCELA = "parcela"
    ACORDO = "acordo"
    QUEBRA = "quebra"


class UltimaResposta(StrEnum):
    NENHUMA = "nenhuma"  # the debtor never wrote to us
    ALGUMA = "alguma"  # the debtor wrote at least once


# The only words a reminder may use; `valor` also needs `regua.mostrar_valor` (LGPD, CDC 42: no amount to a
# possibly wrong number unless the manager decides so).
VARIAVEIS = frozenset(
    {"primeiro_nome", "credor", "vencimento", "parcela", "total_parcelas", "contrato", "dias", "valor"}
)
CANAIS_DA_REGUA = (TipoCanal.WHATSAPP, TipoCanal.TELEGRAM, TipoCanal.SMS, TipoCanal.EMAIL)

# State laws on collection contact hours (domain.md §2): configured hours may not go beyond them.
LIMITES_LEGAIS: dict[str, tuple[int, int]] = {"SP": (8, 20), "RJ": (9, 19), "ES": (8, 19), "AL": (8, 20), "PR": (8, 18)}


def variaveis_de(texto: str) -> set[str]:
    """The `{nome}` fields of a text; raises ValueError on a malformed brace."""
    nomes = set()
    for _literal, campo, _formato, _conversao in string.Formatter().parse(texto):
        if campo is not None:
            nomes.add(campo)
    return nomes


class Modelo(Estrito):
    """What one step sends on one channel."""

    texto: str = Field(min_length=1, description="Texto livre; {variavel} do vocabulário fixo")
    modelo: str | None = Field(None, description="WhatsApp: nome do modelo aprovado; e-mail: assunto")
    parametros: tuple[str, ...] = Field((), description="Variáveis passadas ao modelo aprovado, em ordem")

    @field_validator("texto")
    @classmethod
    def _texto(cls, valor: str) -> str:
        try:
            desconhecidas = variaveis_de(valor) - VARIAVEIS
        except ValueError as erro:
            raise ValueError(f"chaves {{}} malformadas: {erro}") from erro
        if desconhecidas:
            raise ValueError(_fora_do_vocabulario(desconhecidas))
        return valor

    @field_validator("parametros")
    @classmethod
    def _parametros(cls, valor: tuple[str, ...]) -> tuple[str, ...]:
        desconhecidas = set(valor) - VARIAVEIS
        if desconhecidas:
            raise ValueError(_fora_do_vocabulario(desconhecidas))
        return valor

    def variaveis(self) -> set[str]:
        return variaveis_de(self.texto) | set(self.parametros)


def _fora_do_vocabulario(nomes: set[str]) -> str:
    return f"variável desconhecida: {', '.join(sorted(nomes))}; use: {', '.join(sorted(VARIAVEIS))}"


class Condicoes(Estrito):
    """A step applies only when every condition set here holds."""

    segmento: tuple[str, ...] = Field((), description="Segmentos do devedor (vazio: todos)")
    valor_min: Decimal | None = Field(None, ge=0, description="Valor em aberto mínimo, em reais")
    valor_max: Decimal | None = Field(None, ge=0, description="Valor em aberto máximo, em reais")
    dias_atraso_min: int | None = Field(None, description="Dias de atraso mínimos da parcela mais antiga")
    dias_atraso_max: int | None = Field(None, description="Dias de atraso máximos da parcela mais antiga")
    tem_acordo: bool | None = Field(None, description="true: só com acordo ativo; false: só sem")
    ultima_resposta: UltimaResposta | None = Field(None, description="nenhuma: nunca respondeu; alguma")
    dias_sem_resposta_min: int | None = Field(None, ge=0, description="Última resposta há pelo menos N dias")

    @model_validator(mode="after")
    def _faixas(self) -> Condicoes:
        if self.valor_min is not None and self.valor_max is not None and self.valor_min > self.valor_max:
            raise ValueError("valor_min maior que valor_max")
        if (
            self.dias_atraso_min is not None
            and self.dias_atraso_max is not None
            and self.dias_atraso_min > self.dias_atraso_max
        ):
            raise ValueError("dias_atraso_min maior que dias_atraso_max")
        return self


class Passo(Estrito):
    nome: str = Field(pattern=r"^[a-z0-9_]{1,40}$", description="Identificador do passo (chave da fila)")
    alvo: Alvo = Field(Alvo.PARCELA, description="parcela, acordo (parcela de acordo) ou quebra")
    dia: int = Field(ge=-30, le=180, description="Dias em relação ao vencimento (-5 = D-5)")
    canais: tuple[TipoCanal, ...] = Field(min_length=1, description="Ordem de tentativa dos canais")
    modelos: dict[TipoCanal, Modelo] = Field(description="O que enviar em cada canal")
    condicoes: Condicoes = Condicoes()

    @model_validator(mode="after")
    def _canais(self) -> Passo:
        fora = [c.value for c in self.canais if c not in CANAIS_DA_REGUA]
        if fora:
            raise ValueError(f"canal sem régua: {', '.join(fora)}; use: {', '.join(CANAIS_DA_REGUA)}")
        if len(set(self.canais)) != len(self.canais):
            raise ValueError("canal repetido em canais")
        sem_modelo = [c.value for c in self.canais if c not in self.modelos]
        if sem_modelo:
            raise ValueError(f"faltam modelos para: {', '.join(sem_modelo)}")
        zap = self.modelos.get(TipoCanal.WHATSAPP)
        if zap is not None and not zap.modelo:
            raise ValueError("modelos.whatsapp.modelo: informe o modelo aprovado (usado fora da janela de 24 h)")
        return self


class Horario(Estrito):
    inicio: int = Field(ge=0, le=23, description="Primeira hora permitida (hora local do devedor)")
    fim: int = Field(ge=1, le=24, description="Hora em que os envios param")

    @model_validator(mode="after")
    def _ordem(self) -> Horario:
        if self.inicio >= self.fim:
            raise ValueError(f"inicio ({self.inicio}) deve ser menor que fim ({self.fim})")
        return self


class Politica(Estrito):
    """Consulted before every outbound message that opens a contact."""

    horario: Horario = Field(Horario(inicio=9, fim=18), description="Horário nacional, seg a sex")
    horario_uf: dict[str, Horario] = Field(default_factory=dict, description="Horário por UF, dentro da lei")
    max_por_dia: int = Field(1, ge=1, le=10, description="Contatos por devedor por dia, somando canais")
    max_por_semana: int = Field(3, ge=1, le=30, description="Contatos por devedor por semana (seg a dom)")
    intervalo_minimo_horas: int = Field(4, ge=0, le=72, description="Intervalo mínimo entre dois contatos")
    validade_dias: int = Field(3, ge=0, le=30, description="Um lembrete adiado além disso é descartado")
    pausa_dias: int = Field(15, ge=1, le=365, description="Duração de uma pausa sem evento 'retomada'")
    uf_padrao: str = Field(
        "SP", description="UF cujo fuso e horário valem quando a do devedor não é conhecida, e que dá o dia de hoje"
    )

    @field_validator("uf_padrao")
    @classmethod
    def _uf_padrao(cls, valor: str) -> str:
        if valor not in UFS:
            raise ValueError(f"UF desconhecida: {valor!r}; esperada a sigla de um dos 27 estados, ex. SP")
        return valor

    @field_validator("horario_uf")
    @classmethod
    def _ufs(cls, valor: dict[str, Horario]) -> dict[str, Horario]:
        problemas = []
        for uf, horario in valor.items():
            if uf not in UFS:
                problemas.append(f"UF desconhecida: {uf!r}")
            elif uf in LIMITES_LEGAIS:
                inicio, fim = LIMITES_LEGAIS[uf]
                if horario.inicio < inicio or horario.fim > fim:
                    problemas.append(
                        f"{uf}: {horario.inicio}h–{horario.fim}h além do que a lei permite ({inicio}h–{fim}h)"
                    )
        if problemas:
            raise ValueError("; ".join(problemas))
        return valor

    def horario_de(self, uf: str) -> Horario:
        return self.horario_uf.get(uf, self.horario)


class Limites(Estrito):
    por_segundo: dict[TipoCanal, int] = Field(
        default_factory=lambda: {TipoCanal.WHATSAPP: 80}, description="Mensagens por segundo por canal"
    )
    segundos_por_usuario: int = Field(6, ge=0, le=3600, description="Intervalo mínimo entre envios a um destino")
    tentativas_max: int = Field(5, ge=1, le=20, description="Tentativas em erros transitórios")
    espera_inicial_segundos: int = Field(60, ge=1, le=86400, description="Primeira espera; dobra a cada erro")
    simultaneos: int = Field(32, ge=1, le=1000, description="Envios em andamento ao mesmo tempo, por canal")
    reserva_segundos: int = Field(
        300, ge=5, le=86400, description="Lembrete reservado há mais que isso sem desfecho: o processo morreu"
    )

    @field_validator("por_segundo")
    @classmethod
    def _positivos(cls, valor: dict[TipoCanal, int]) -> dict[TipoCanal, int]:
        ruins = [f"{c.value}={n}" for c, n in valor.items() if n < 1 or n > 1000]
        if ruins:
            raise ValueError(f"entre 1 e 1000 mensagens por segundo: {', '.join(ruins)}")
        return valor

    def taxa(self, canal: TipoCanal) -> int:
        return self.por_segundo.get(canal, 80 if canal == TipoCanal.WHATSAPP else 10)


class Regua(Estrito):
    automatica: bool = Field(True, description="O serve planeja e despacha sozinho (false: só pelo comando regua)")
    mostrar_valor: bool = Field(False, description="Permite a variável {valor} nos lembretes")
    politica: Politica = Politica()
    limites: Limites = Limites()
    passos: tuple[Passo, ...] = Field((), description="Os passos da régua")

    @model_validator(mode="after")
    def _passos(self) -> Regua:
        nomes = [p.nome for p in self.passos]
        repetidos = sorted({n for n in nomes if nomes.count(n) > 1})
        if repetidos:
            raise ValueError(f"nome de passo repetido: {', '.join(repetidos)}")
        if not self.mostrar_valor:
            com_valor = [p.nome for p in self.passos if any("valor" in m.variaveis() for m in p.modelos.values())]
            if com_valor:
                raise ValueError(
                    f"passos {', '.join(com_valor)} usam {{valor}}; ligue regua.mostrar_valor = true para permitir"
                )
        return self
