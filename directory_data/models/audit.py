"""The audit trail: one row per changed field, in the shape of HSDS 3.0's ``metadata`` object.

HSDS 3.0 describes a change as ``resource_id``, ``resource_type``, ``last_action_date``,
``last_action_type``, ``field_name``, ``previous_value``, ``replacement_value`` and
``updated_by``; the columns carry those names. ``listing_id`` groups the rows by the service
(the listing) the change belongs to, so a listing's history is one indexed query. Rows are
written by :mod:`directory_data.audit` in the same transaction as the change they describe.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, new_id, utcnow


class AuditEntry(Base):
    """One changed field of one record (or one action, such as a verification, on a listing)."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(36), default=new_id, unique=True)
    listing_id: Mapped[str | None] = mapped_column(String(36), index=True)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(60))
    last_action_date: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_action_type: Mapped[str] = mapped_column(String(20))
    field_name: Mapped[str] = mapped_column(String(80), default="")
    previous_value: Mapped[str] = mapped_column(Text, default="")
    replacement_value: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(80))
