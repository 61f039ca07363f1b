"""`check`'s warnings about WhatsApp templates in use that Meta has not approved (as last known in the database)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.exc import DBAPIError

from bot.config.arquivo import Config
from bot.dados.banco import criar_engine, sessao
from bot.dados.situacao_modelos import SituacaoModelo, situacoes
from bot.mensagens.catalogo import usos

APROVADO = "APPROVED"
SINCRONIZAR = "rode `python -m bot modelos` (com --enviar para submeter os que faltam)"


def avisos(config: Config, conhecidas: Mapping[tuple[str, str], SituacaoModelo]) -> list[str]:
    """One line per place that sends a template Meta has not approved; pure."""
    linhas = []
    for uso in usos(config):
        situacao = conhecidas.get((uso.nome, "pt_BR"))
        if situacao is None:
            linhas.append(f"aviso: {uso.onde} usa o modelo “{uso.nome}”, sem situação conhecida na Meta: {SINCRONIZAR}")
        elif situacao.situacao != APROVADO:
            motivo = f", {situacao.motivo}" if situacao.motivo else ""
            linhas.append(f"aviso: {uso.onde} usa o modelo “{uso.nome}”, que não está aprovado na Meta "
                          f"({situacao.situacao}{motivo}): fora da janela de 24 h o envio será recusado")  # fmt: skip
    return linhas


async def avisos_do_banco(config: Config, url: str) -> list[str]:
    """The warnings from the statuses stored in the database at `url` (read only: nothing is created)."""
    engine = criar_engine(url)
    try:
        async with sessao(engine) as s:
            conhecidas = await situacoes(s)
    except DBAPIError as erro:
        primeira = (str(erro.orig or erro).splitlines() or [""])[0]
        return [f"aviso: situação dos modelos do WhatsApp não conferida ({primeira}): {SINCRONIZAR}"]
    finally:
        await engine.dispose()
    return avisos(config, conhecidas)
