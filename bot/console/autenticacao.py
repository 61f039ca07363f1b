"""Passwords (argon2id), lock-out after repeated failures, and browser sessions with their CSRF token."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.console import ConsoleConfig
from bot.dados.atendentes import FalhaLogin, SessaoConsole, Usuario

SENHA_MINIMA = 10

_hasher = PasswordHasher()
# argon2 takes tens of milliseconds of CPU by design: it runs on these threads (the C code releases the GIL),
# never on the event loop, so a burst of logins cannot stall webhooks or /healthz.
_VERIFICADORES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


@cache
def _hash_ficticio() -> str:
    """Verifying against a dummy hash when the login is unknown keeps the answer time the same as for a wrong
    password. Drawn on first use, not at import (it costs what a login costs)."""
    return _hasher.hash(secrets.token_urlsafe(16))


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


async def verificar(senha_hash: str | None, senha: str) -> bool:
    """`senha_confere` on the verification threads (`None`: an unknown login, checked against a dummy hash)."""
    laco = asyncio.get_running_loop()
    alvo = senha_hash if senha_hash is not None else await laco.run_in_executor(_VERIFICADORES, _hash_ficticio)
    return await laco.run_in_executor(_VERIFICADORES, senha_confere, alvo, senha)


@dataclass
class Limitador:
    """At most `limite` attempts per key in a sliding minute; says how long until the next one is allowed."""

    limite: int
    janela: timedelta = timedelta(minutes=1)
    _vistos: dict[str, deque[datetime]] = field(default_factory=dict)

    def esperar(self, chave: str, agora: datetime) -> int:
        """Seconds to wait before `chave` may try again (0: allowed now, and counted)."""
        vistos = self._vistos.setdefault(chave, deque())
        while vistos and vistos[0] <= agora - self.janela:
            vistos.popleft()
        if len(vistos) >= self.limite:
            return max(1, int((vistos[0] + self.janela - agora).total_seconds() + 0.999))
        vistos.append(agora)
        if len(self._vistos) > 10_000:  # forget keys whose window is over, so random names cannot grow memory
            self._vistos = {c: v for c, v in self._vistos.items() if v and v[-1] > agora - self.janela}
        return 0


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
    await s.commit()  # nothing to write yet: give the connection back while argon2 runs
    confere = await verificar(usuario.senha_hash if usuario else None, senha)
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
