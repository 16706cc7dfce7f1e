"""Staff accounts: who may sign in to the patrol view (and, later, the caseworker workspace).

Only a name, a role and a password hash are kept; the hash is made and checked by
:mod:`directory_data.accounts`. The table is called ``user_account`` because ``user`` is a
reserved word in PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, String
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
