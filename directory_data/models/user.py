"""Staff accounts: who may sign in to the patrol view (and, later, the caseworker workspace).

Only a name, a role and a password hash are kept; the hash is made and checked by
:mod:`directory_data.accounts`. The table is called ``user_account`` because ``user`` is a
reserved word in PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, new_id, utcnow


class Role(str, enum.Enum):
    """What an account may do: officers see officer-only fields; caseworkers also edit."""

    officer = "officer"
    caseworker = "caseworker"
    admin = "admin"


class User(Base):
    """A staff account."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.officer,
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_officer(self) -> bool:
        """Whether the account may see officer-only fields (every staff role may)."""
        return self.active and self.role in (Role.officer, Role.caseworker, Role.admin)


class StaffSession(Base):
    """One signed-in staff session, for as long as it may be used.

    The signed session cookie carries a random token; only its SHA-256 is kept here. A request
    is signed in only while its token's row exists (:mod:`directory_data.staff_sessions`), so
    deleting the row ends every copy of the cookie for good.
    """

    __tablename__ = "staff_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
