"""Passwords (argon2id), lock-out after repeated failures, and browser sessions with their CSRF token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.console.config import ConsoleConfig
from bot.dados.console import FalhaLogin, SessaoConsole, Usuario

SENHA_MINIMA = 10

_hasher = PasswordHasher()
# Verifying against a dummy hash when the login is unknown keeps the answer time the same as for a wrong password.
_HASH_FICTICIO = _hasher.hash(secrets.token_urlsafe(16))


class SenhaFraca(ValueError):
    """The new password is too short."""


def gerar_hash(senha: str) -> str:
    if len(senha) < SENHA_MINIMA:
        raise SenhaFraca(f"senha curta demais: mínimo {SENHA_MINIMA} caracteres")
    return _hasher.hash(senha)


def senha_confere(senha_hash: str, senha: str) -> bool:
    try:
        return _hasher.verify(senha_hash, senha)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):  # a corrupt stored hash refuses, never crashes
        return False


@dataclass(frozen=True)
class Limites:
    """`[console]`: wrong passwords within `janela` lock the login until the oldest ages out; session length."""

    falhas: int = 5
    janela: timedelta = timedelta(minutes=15)
    sessao: timedelta = timedelta(hours=12)

    @classmethod
    def de(cls, config: ConsoleConfig) -> Limites:
        janela = timedelta(minutes=config.bloqueio_minutos)
        return cls(config.falhas_para_bloqueio, janela, timedelta(hours=config.sessao_horas))


@dataclass(frozen=True)
class Entrada:
    """The result of a login attempt: a user, or why not (never which of login or password was wrong)."""

    usuario: Usuario | None
    bloqueado: bool = False


async def _bloqueado(s: AsyncSession, login: str, agora: datetime, limites: Limites) -> bool:
    consulta = select(func.count()).where(FalhaLogin.login == login, FalhaLogin.criada_em > agora - limites.janela)
    return int((await s.exec(consulta)).one()) >= limites.falhas


async def entrar(s: AsyncSession, login: str, senha: str, agora: datetime, limites: Limites = Limites()) -> Entrada:
    """Check a login; every failure is stored, and a locked login is refused even with the right password."""
    login = login.strip().lower()[:64]
    if await _bloqueado(s, login, agora, limites):
        return Entrada(None, bloqueado=True)
    usuario = (await s.exec(select(Usuario).where(Usuario.login == login))).first()
    confere = senha_confere(usuario.senha_hash if usuario else _HASH_FICTICIO, senha)
    if usuario is not None and usuario.ativo and confere:
        await s.exec(delete(FalhaLogin).where(col(FalhaLogin.login) == login))
        return Entrada(usuario)
    s.add(FalhaLogin(login=login, criada_em=agora))
    await s.commit()
    return Entrada(None, bloqueado=await _bloqueado(s, login, agora, limites))


def _resumo(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def abrir_sessao(s: AsyncSession, usuario: Usuario, agora: datetime, limites: Limites = Limites()) -> str:
    """A new session for the user; returns the cookie value (only its hash is stored)."""
    assert usuario.id is not None
    token = secrets.token_urlsafe(32)
    s.add(
        SessaoConsole(
            token_hash=_resumo(token),
            usuario_id=usuario.id,
            csrf=secrets.token_urlsafe(32),
            criada_em=agora,
            expira_em=agora + limites.sessao,
        )
    )
    await s.commit()
    return token


async def sessao_valida(s: AsyncSession, token: str, agora: datetime) -> tuple[Usuario, SessaoConsole] | None:
    """The session's user if the cookie is known, not expired and the user still active."""
    consulta = (
        select(SessaoConsole, Usuario)
        .join(Usuario, col(SessaoConsole.usuario_id) == col(Usuario.id))
        .where(SessaoConsole.token_hash == _resumo(token), SessaoConsole.expira_em > agora)
    )
    linha = (await s.exec(consulta)).first()
    if linha is None or not linha[1].ativo:
        return None
    return linha[1], linha[0]


async def fechar_sessao(s: AsyncSession, token: str) -> None:
    await s.exec(delete(SessaoConsole).where(col(SessaoConsole.token_hash) == _resumo(token)))
    await s.commit()


def csrf_confere(esperado: str, recebido: str | None) -> bool:
    return recebido is not None and secrets.compare_digest(esperado.encode(), recebido.encode())
