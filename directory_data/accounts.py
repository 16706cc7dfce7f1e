"""Staff accounts: add, disable, re-enable, change role or password, and check a name and
password (add + flush, never commit). A new password, disabling and a change of role end every
session of the account (:func:`directory_data.staff_sessions.end_sessions`).

Passwords are hashed with scrypt (``hashlib.scrypt``, N=2**15, r=8, p=1, a 16-byte random salt)
and stored as ``scrypt$N$r$p$salt$hash`` (hex), so the cost can be raised later and old hashes
still verify. A wrong name costs as much time as a wrong password.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models.user import Role, User
from directory_data.staff_sessions import end_sessions

SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class AccountError(ValueError):
    """An account cannot be created as asked (bad name, weak password, name taken)."""


def hash_password(password: str, *, n: int | None = None, r: int | None = None, p: int | None = None) -> str:
    """A salted scrypt hash of ``password`` in the ``scrypt$N$r$p$salt$hash`` form.

    ``n``, ``r`` and ``p`` default to :data:`SCRYPT_N`, :data:`SCRYPT_R` and :data:`SCRYPT_P`, read
    when called (the test suite lowers ``SCRYPT_N`` for speed, except in the tests of the hashing
    itself: tests/conftest.py); :func:`verify_password` uses the parameters stored in the hash.
    """
    n = SCRYPT_N if n is None else n
    r = SCRYPT_R if r is None else r
    p = SCRYPT_P if p is None else p
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            maxmem=_MAXMEM,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, bytes.fromhex(digest))


@functools.cache
def _dummy_hash(n: int, r: int, p: int) -> str:
    """A hash checked when the name is unknown, so that case takes as long as a wrong password
    (one per set of parameters, made with the parameters of the hashes :func:`add_user` makes)."""
    return hash_password("not the password of anyone", n=n, r=r, p=p)


def add_user(session: Session, name: str, password: str, role: Role = Role.officer) -> User:
    """Create the account ``name`` with ``role``; raises :class:`AccountError` when it cannot."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise AccountError("a name is 2-80 characters: letters, digits, '.', '_' or '-'")
    _check_password(password)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise AccountError(f"the name {name!r} is taken")
    user = User(name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active account ``name`` if ``password`` is its password, else ``None``."""
    user = session.scalar(select(User).where(User.name == name.strip().lower()))
    if user is None:
        verify_password(_dummy_hash(SCRYPT_N, SCRYPT_R, SCRYPT_P), password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def get_user(session: Session, user_id: str) -> User | None:
    """The active account with id ``user_id``, or ``None``."""
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def find_user(session: Session, name: str) -> User | None:
    """The account called ``name`` (active or not), or ``None``."""
    return session.scalar(select(User).where(User.name == name.strip().lower()))


def list_users(session: Session) -> list[User]:
    """Every account, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


def set_password(session: Session, user: User, password: str) -> User:
    """Give ``user`` a new password; every session of the account ends."""
    _check_password(password)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    return user


def set_active(session: Session, user: User, active: bool) -> User:
    """Disable (``False``) or enable the account; a disabled account cannot sign in, and every
    session it had ends (enabling it again brings none back)."""
    user.active = active
    session.flush()
    if not active:
        end_sessions(session, user)
    return user


def set_role(session: Session, user: User, role: Role) -> User:
    """Change what the account may do; every session of the account ends (it signs in again
    with the new role)."""
    if user.role != role:
        user.role = role
        session.flush()
        end_sessions(session, user)
    return user


def credential_stamp(user: User) -> str:
    """A short fingerprint of the account's password hash, kept in its sessions: a new
    password changes it, which ends every session signed in before."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
