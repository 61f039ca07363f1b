"""E-mail by SMTP (aiosmtplib): a text part and an HTML part, both carrying the creditor's identification."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib

from bot.config.arquivo import Credor
from bot.config.canais import EmailConfig, Seguranca
from bot.mensagens.avisos_canal import LEMBRETE_EMAIL
from bot.mensagens.textos import Textos
from bot.porta import Envio, ErroCanal, Indeliveravel, TentarDepois, TipoCanal


def compor(textos: Textos, nome: str, contexto: Mapping[str, Any], credor: Credor, destino: str, assunto: str) -> Envio:
    """`mensagens/NOME.email.j2` (or `NOME.j2`) as text and as HTML, with the creditor's name, CNPJ and address."""
    corpo = textos.renderizar(nome, contexto, canal="email")
    rodape = f"{credor.nome} · CNPJ {credor.cnpj} · {credor.endereco}"
    paragrafos = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in corpo.split("\n\n"))
    pagina = f'<html><body>{paragrafos}<hr><p style="font-size:small">{html.escape(rodape)}</p></body></html>'
    return Envio(TipoCanal.EMAIL, destino, f"{corpo}\n\n--\n{rodape}", modelo=assunto, html=pagina)


@dataclass(frozen=True)
class Carta:
    """What an e-mail reminder of the régua needs beyond the step's text: the frame and the creditor (CDC 42-A)."""

    textos: Textos
    credor: Credor

    def lembrete(self, destino: str, texto: str, assunto: str | None, chave: str | None) -> Envio:
        """The step's text inside `mensagens/lembrete.email.j2`, as text and HTML, keyed for the ledger."""
        contexto = {"lembrete": texto, "credor": self.credor}
        envio = compor(
            self.textos, LEMBRETE_EMAIL, contexto, self.credor, destino, assunto or f"Aviso de {self.credor.nome}"
        )
        return replace(envio, chave=chave)


class RemetenteEmail:
    def __init__(self, config: EmailConfig, senha: str | None) -> None:
        self.config, self.senha = config, senha

    async def abrir(self) -> None:
        """Nothing to do: one SMTP connection per message."""

    async def fechar(self) -> None:
        """Nothing to do."""

    async def enviar(self, envio: Envio) -> str:
        mensagem = EmailMessage()
        mensagem["From"], mensagem["To"] = self.config.remetente, envio.destino
        mensagem["Subject"] = envio.modelo or "Aviso"
        mensagem["Message-ID"] = make_msgid(domain=self.config.remetente.rpartition("@")[2] or None)
        mensagem.set_content(envio.texto)
        if envio.html:
            mensagem.add_alternative(envio.html, subtype="html")
        c = self.config
        try:
            await aiosmtplib.send(
                mensagem,
                hostname=c.host,
                port=c.porta,
                use_tls=c.seguranca is Seguranca.SSL,
                start_tls=c.seguranca is Seguranca.STARTTLS,
                username=c.usuario or None,
                password=self.senha if c.usuario else None,
                timeout=30,
            )
        except aiosmtplib.SMTPRecipientsRefused as erro:
            raise Indeliveravel(f"SMTP recusou {envio.destino}: {erro}") from erro
        except aiosmtplib.SMTPResponseException as erro:
            classe = TentarDepois if 400 <= erro.code < 500 else ErroCanal
            raise classe(f"SMTP {erro.code}: {erro.message}", str(erro.code)) from erro
        except (aiosmtplib.SMTPException, OSError) as erro:
            raise TentarDepois(f"SMTP indisponível: {erro}") from erro
        return str(mensagem["Message-ID"])
