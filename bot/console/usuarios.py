"""Console users: create, change password, list, deactivate (`python -m bot usuario ...`)."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from datetime import datetime
from typing import TextIO

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.console.autenticacao import SenhaFraca, gerar_hash
from bot.dados.atendentes import Auditoria, Papel, SessaoConsole, Usuario
from bot.dados.banco import criar_engine, sessao


class UsuarioInvalido(ValueError):
    """A user command that cannot be carried out, with a message for the person who ran it."""


def _login(texto: str) -> str:
    login = texto.strip().lower()
    if not login or len(login) > 64 or not all(c.isalnum() or c in "._-@" for c in login):
        raise UsuarioInvalido(f"login inválido: {texto!r} (letras, números e . _ - @, até 64 caracteres)")
    return login


async def _usuario(s: AsyncSession, login: str) -> Usuario:
    usuario = (await s.exec(select(Usuario).where(Usuario.login == _login(login)))).first()
    if usuario is None:
        raise UsuarioInvalido(f"usuário inexistente: {login!r}")
    return usuario


async def criar_usuario(s: AsyncSession, login: str, nome: str, papel: str, senha: str, agora: datetime) -> Usuario:
    if papel not in set(Papel):
        raise UsuarioInvalido(f"papel inválido: {papel!r} (esperado agente ou gestor)")
    if (await s.exec(select(Usuario).where(Usuario.login == _login(login)))).first() is not None:
        raise UsuarioInvalido(f"o login {login!r} já existe")
    usuario = Usuario(login=_login(login), nome=nome.strip() or login, papel=papel, senha_hash=_hash(senha))
    usuario.criado_em = agora
    s.add(usuario)
    await s.flush()
    s.add(Auditoria(acao="usuario_criado", dados={"login": usuario.login, "papel": papel}, criada_em=agora))
    await s.commit()
    return usuario


def _hash(senha: str) -> str:
    try:
        return gerar_hash(senha)
    except SenhaFraca as erro:
        raise UsuarioInvalido(str(erro)) from erro


async def trocar_senha(s: AsyncSession, login: str, senha: str, agora: datetime) -> None:
    """New password; every open session of the user is closed."""
    usuario = await _usuario(s, login)
    usuario.senha_hash = _hash(senha)
    s.add(usuario)
    await s.exec(delete(SessaoConsole).where(col(SessaoConsole.usuario_id) == usuario.id))
    s.add(Auditoria(acao="senha_trocada", dados={"login": usuario.login}, criada_em=agora))
    await s.commit()


async def desativar(s: AsyncSession, login: str, agora: datetime) -> None:
    usuario = await _usuario(s, login)
    usuario.ativo = False
    s.add(usuario)
    await s.exec(delete(SessaoConsole).where(col(SessaoConsole.usuario_id) == usuario.id))
    s.add(Auditoria(acao="usuario_desativado", dados={"login": usuario.login}, criada_em=agora))
    await s.commit()


def configurar_parser(comandos: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    usuario = comandos.add_parser("usuario", help="usuários do console de atendentes")
    acoes = usuario.add_subparsers(dest="acao_usuario", required=True, metavar="AÇÃO")
    criar = acoes.add_parser("criar", help="cria um usuário (pede a senha, ou --gerar-senha)")
    criar.add_argument("login")
    criar.add_argument("--nome", default="")
    criar.add_argument("--papel", choices=[p.value for p in Papel], default=Papel.AGENTE.value)
    criar.add_argument("--gerar-senha", action="store_true", help="sorteia uma senha e a mostra uma vez")
    senha = acoes.add_parser("senha", help="troca a senha (e encerra as sessões abertas)")
    senha.add_argument("login")
    senha.add_argument("--gerar-senha", action="store_true")
    acoes.add_parser("listar", help="lista os usuários")
    desativar_cmd = acoes.add_parser("desativar", help="impede o acesso e encerra as sessões")
    desativar_cmd.add_argument("login")


def _ler_senha(gerar: bool, entrada: TextIO, saida: TextIO) -> str:
    if gerar:
        senha = secrets.token_urlsafe(12)
        print(f"senha: {senha}", file=saida)
        return senha
    if entrada.isatty():
        senha = getpass.getpass("Senha: ")
        if getpass.getpass("Repita a senha: ") != senha:
            raise UsuarioInvalido("as senhas não conferem")
        return senha
    return entrada.readline().rstrip("\n")  # scripts pipe the password on stdin, never on the command line


async def comando_usuario(
    engine: AsyncEngine, args: argparse.Namespace, agora: datetime, entrada: TextIO, saida: TextIO
) -> int:
    try:
        async with sessao(engine) as s:
            if args.acao_usuario == "listar":
                for u in (await s.exec(select(Usuario).order_by(col(Usuario.login)))).all():
                    print(f"{u.login:<20} {u.papel:<7} {'ativo' if u.ativo else 'desativado':<10} {u.nome}", file=saida)
            elif args.acao_usuario == "desativar":
                await desativar(s, args.login, agora)
                print(f"usuário {args.login} desativado", file=saida)
            elif args.acao_usuario == "senha":
                await trocar_senha(s, args.login, _ler_senha(args.gerar_senha, entrada, saida), agora)
                print(f"senha de {args.login} trocada", file=saida)
            else:
                senha = _ler_senha(args.gerar_senha, entrada, saida)
                usuario = await criar_usuario(s, args.login, args.nome, args.papel, senha, agora)
                print(f"usuário {usuario.login} ({usuario.papel}) criado", file=saida)
    except UsuarioInvalido as erro:
        print(erro, file=sys.stderr)
        return 1
    return 0


async def criar_usuarios_demo(url: str, agora: datetime) -> list[tuple[str, str, str]]:
    """An agent and a gestor with fresh random passwords for the demo database: (login, senha, papel)."""
    engine = criar_engine(url)
    criados = []
    try:
        async with sessao(engine) as s:
            for login, nome, papel in (
                ("agente", "Ana Atendente", Papel.AGENTE),
                ("gestor", "Gil Gestor", Papel.GESTOR),
            ):
                senha = secrets.token_urlsafe(9)
                await criar_usuario(s, login, nome, papel.value, senha, agora)
                criados.append((login, senha, papel.value))
    finally:
        await engine.dispose()
    return criados
