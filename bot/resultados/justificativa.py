"""Why a contact was allowed, told from the contact policy at its instant: pure, no I/O, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.calendario import fuso
from bot.config.regua import Politica
from bot.regua.politica_contato import proximo_permitido

DIAS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo")
JANELA_RESPOSTA = timedelta(hours=24)  # WhatsApp's customer-service window: answering the debtor is no new contact


def justificar(
    politica: Politica, uf: str, instante: datetime, anteriores: Sequence[datetime], ultima_entrada: datetime | None
) -> str:
    """The rule that allowed a contact at `instante`; `anteriores` are the régua's earlier contacts (for the caps).

    An answer within 24 h of the debtor's own message is a reply, not a contact the policy counts. A contact the
    policy would not allow is said so plainly: the file must show it rather than hide it.
    """
    zona = fuso(uf)
    local = instante.astimezone(zona)
    quando = f"{DIAS[local.weekday()]} {local:%d/%m/%Y %H:%M} ({zona.key})"
    if ultima_entrada is not None and timedelta(0) <= instante - ultima_entrada <= JANELA_RESPOSTA:
        escreveu = ultima_entrada.astimezone(zona)
        return f"{quando}: resposta ao devedor, que escreveu em {escreveu:%d/%m/%Y %H:%M}"
    antes = [a for a in anteriores if a < instante]
    _, motivo = proximo_permitido(politica, uf, instante, antes)
    if motivo is not None:
        return f"{quando}: fora da política de contato ({motivo})"
    horario = politica.horario_de(uf)
    no_dia = sum(1 for a in antes if a.astimezone(zona).date() == local.date())
    segunda = local.date() - timedelta(days=local.weekday())
    na_semana = sum(1 for a in antes if segunda <= a.astimezone(zona).date() < segunda + timedelta(days=7))
    return (
        f"{quando}: dia útil sem feriado, dentro do horário {horario.inicio}h–{horario.fim}h; "
        f"{no_dia + 1}º contato do dia (limite {politica.max_por_dia}), "
        f"{na_semana + 1}º da semana (limite {politica.max_por_semana})"
    )
