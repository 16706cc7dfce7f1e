"""How much room a service has: HSDS 3.1's ``service_capacity`` and ``unit``, and the private
update links providers use to report it.

A :class:`ServiceCapacity` counts one :class:`Unit` of a service ("family beds", "child care
slots"): how many are ``available`` now, the ``maximum`` when there is one, and ``updated``, the
time the count was true (HSDS 3.1's ``updated``: the "as of" time). A count older than the
configured age is not shown as a number (:mod:`directory_data.availability`).

An :class:`AvailabilityLink` lets a provider update the counts of one service without an
account: only the SHA-256 of its random token is stored, so the database cannot give a link
away; a caseworker revokes it (``revoked_at``) and issues a new one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin, UTCDateTime, new_id, utcnow


class Unit(SourcedMixin, Base):
    """What a capacity counts (HSDS 3.1 ``unit``): "family beds", "walk-in counselling
    appointments today". ``name_es`` is the Spanish name shown on Spanish pages."""

    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str | None] = mapped_column(String(200))
    scheme: Mapped[str | None] = mapped_column(String(200))
    identifier: Mapped[str | None] = mapped_column(String(200))
    uri: Mapped[str | None] = mapped_column(String(500))


class ServiceCapacity(SourcedMixin, Base):
    """How many of one unit a service has free, as of ``updated`` (HSDS 3.1 ``service_capacity``)."""

    __tablename__ = "service_capacity"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    available: Mapped[int] = mapped_column(Integer, default=0)
    maximum: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    updated: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class AvailabilityLink(Base):
    """A provider's private link to update one service's capacities; only the token's hash."""

    __tablename__ = "availability_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(80))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
