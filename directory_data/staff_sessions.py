"""Staff sessions kept in the database, so that ending one ends every copy of it (add + flush,
never commit).

Signing in makes a :class:`~directory_data.models.StaffSession` row and hands back a random
256-bit token for the signed session cookie; only the token's SHA-256 is stored. A request is
signed in only while that row exists, belongs to the account the cookie names, the account is
active, and the session is younger than its maximum age. Signing out deletes the row; a new
password, disabling the account and a change of role delete every row of the account
(:mod:`directory_data.accounts` calls :func:`end_sessions`). A copied cookie is then worthless,
and re-enabling the account does not bring its old sessions back.

Checking costs one indexed query per request, the one that loads the account anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory_data.models import StaffSession, User

#: Random bytes in a session token.
TOKEN_BYTES = 32
#: A session ends this long after sign-in however busy it is (a long shift fits in it).
DEFAULT_MAX_AGE = dt.timedelta(hours=12)


def token_hash(token: str) -> str:
    """What is stored of ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user: User, now: dt.datetime) -> str:
    """Start a session for ``user``; its token (to keep in the signed cookie)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(StaffSession(token_hash=token_hash(token), user_id=user.id, created_at=now))
    session.flush()
    return token


def session_account(
    session: Session, user_id: str, token: str, now: dt.datetime,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
) -> User | None:
    """The active account ``user_id`` if ``token`` is one of its live sessions, else ``None``."""
    if not token or not user_id:
        return None
    return session.scalar(
        select(User).join(StaffSession, StaffSession.user_id == User.id).where(
            StaffSession.token_hash == token_hash(token), User.id == user_id,
            User.active.is_(True), StaffSession.created_at > now - max_age))


def end_session(session: Session, token: str) -> None:
    """End the session ``token`` names (every copy of its cookie)."""
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))
        session.flush()


def end_sessions(session: Session, user: User) -> int:
    """End every session of ``user``; how many there were."""
    result = session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_sessions(session: Session, now: dt.datetime,
                   max_age: dt.timedelta = DEFAULT_MAX_AGE) -> int:
    """Delete the sessions past their maximum age; how many there were."""
    result = session.execute(delete(StaffSession).where(StaffSession.created_at <= now - max_age))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
