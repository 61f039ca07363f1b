"""API tokens: created by `python -m bot api-token`, stored as SHA-256, each with the scopes it may use."""

from __future__ import annotations

import argparse
import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum
from typing import TextIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.atendentes import Auditoria
from bot.dados.banco import sessao
from bot.dados.integracao import TokenApi

PREFIXO = "cba_"  # tells a leaked token apart in a log or a repository (secret scanners match it)


class Escopo(StrEnum):
    DEVEDORES_LER = "devedores:ler"
    CARTEIRA_ESCREVER = "carteira:escrever"
    PAGAMENTOS_ESCREVER = "pagamentos:escrever"
    COBRANCA_ESCREVER = "cobranca:escrever"  # pause, resume, opt-out


def hash_do_token(token: str) -> str:
    """The stored form. The token carries 256 random bits, so a plain SHA-256 cannot be brute-forced; a slow
    password hash (argon2, as the console's passwords) would only slow every API call down."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def escopos_de(texto: str) -> list[str]:
    """`devedores:ler,carteira:escrever` → the list; ValueError naming the unknown ones."""
    pedidos = [e.strip() for e in texto.split(",") if e.strip()]
    conhecidos = {e.value for e in Escopo}
    desconhecidos = [e for e in pedidos if e not in conhecidos]
    if desconhecidos or not pedidos:
        raise ValueError(
            f"escopo(s) desconhecido(s): {', '.join(desconhecidos) or '(nenhum)'}; use: {', '.join(sorted(conhecidos))}"
        )
    return list(dict.fromkeys(pedidos))


async def token_valido(s: AsyncSession, token: str) -> TokenApi | None:
    if not token.startswith(PREFIXO) or len(token) > 100:
        return None
    consulta = select(TokenApi).where(TokenApi.token_hash == hash_do_token(token), col(TokenApi.revogado_em).is_(None))
    return (await s.exec(consulta)).first()


async def criar_token(engine: AsyncEngine, nome: str, escopos: list[str], agora: datetime) -> str:
    """A new token (shown once: only its hash is kept); ValueError when an active token has the name. A revoked
    token's name is taken over (rotation: revoke, then create again for the same client system)."""
    token = PREFIXO + secrets.token_urlsafe(32)
    ocupado = ValueError(f"já existe um token ativo chamado {nome!r} (revogue-o antes ou escolha outro nome)")
    async with sessao(engine) as s:
        anterior = (await s.exec(select(TokenApi).where(TokenApi.nome == nome))).first()
        if anterior is not None and anterior.revogado_em is None:
            raise ocupado
        novo = anterior or TokenApi(nome=nome, token_hash="", criado_em=agora)
        novo.token_hash, novo.escopos, novo.criado_em, novo.revogado_em = hash_do_token(token), escopos, agora, None
        s.add(novo)
        s.add(Auditoria(acao="api_token_criar", dados={"nome": nome, "escopos": escopos}, criada_em=agora))
        try:
            await s.commit()
        except IntegrityError:  # another `criar` of the same name got there first
            raise ocupado from None
    return token


def _nome(texto: str) -> str:
    if not re.fullmatch(r"[a-z0-9_-]{1,64}", texto):
        raise argparse.ArgumentTypeError(f"nome inválido: {texto!r} (letras minúsculas, números, _ e -; até 64)")
    return texto


def configurar_parser(comandos: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    api = comandos.add_parser("api-token", help="cria, lista e revoga os tokens da API HTTP (/api/v1)")
    acoes = api.add_subparsers(dest="acao_token", required=True, metavar="AÇÃO")
    criar = acoes.add_parser("criar", help="cria um token e o mostra uma única vez")
    criar.add_argument("nome", type=_nome, help="quem usa o token, ex. erp")
    criar.add_argument("--escopos", required=True, help=f"separados por vírgula: {', '.join(e.value for e in Escopo)}")
    acoes.add_parser("listar", help="lista os tokens (nunca os valores)")
    revogar = acoes.add_parser("revogar", help="revoga um token pelo nome")
    revogar.add_argument("nome", type=_nome)


async def comando_token(engine: AsyncEngine, args: argparse.Namespace, agora: datetime, saida: TextIO) -> int:
    import sys

    if args.acao_token == "criar":
        try:
            escopos = escopos_de(args.escopos)
            token = await criar_token(engine, args.nome, escopos, agora)
        except ValueError as erro:
            print(erro, file=sys.stderr)
            return 1
        print(
            f"token {args.nome!r} criado ({', '.join(escopos)}); guarde-o agora, ele não é mostrado de novo:",
            file=saida,
        )
        print(token, file=saida)
        return 0
    async with sessao(engine) as s:
        if args.acao_token == "listar":
            tokens = (await s.exec(select(TokenApi).order_by(col(TokenApi.nome)))).all()
            for t in tokens:
                situacao = f"revogado em {t.revogado_em:%d/%m/%Y %H:%M} UTC" if t.revogado_em else "ativo"
                print(f"{t.nome}  {', '.join(t.escopos)}  criado em {t.criado_em:%d/%m/%Y}  {situacao}", file=saida)
            if not tokens:
                print("Nenhum token.", file=saida)
            return 0
        alvo = (await s.exec(select(TokenApi).where(TokenApi.nome == args.nome))).first()
        if alvo is None or alvo.revogado_em is not None:
            print(f"nenhum token ativo chamado {args.nome!r}", file=sys.stderr)
            return 1
        alvo.revogado_em = agora
        s.add(alvo)
        s.add(Auditoria(acao="api_token_revogar", dados={"nome": args.nome}, criada_em=agora))
        await s.commit()
    print(f"token {args.nome!r} revogado", file=saida)
    return 0
