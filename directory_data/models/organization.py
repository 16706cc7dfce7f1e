"""Organizations: the agencies that provide services."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin, TimestampMixin, UTCDateTime, VersionedMixin

if TYPE_CHECKING:
    from .location import Location
    from .phone import Phone
    from .service import Service


class Organization(SourcedMixin, TimestampMixin, VersionedMixin, Base):
    """An HSDS organization."""

    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # type: ignore[dict-item]

    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    tax_status: Mapped[str | None] = mapped_column(String(100))
    tax_id: Mapped[str | None] = mapped_column(String(100))
    year_incorporated: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str | None] = mapped_column(String(100))
    logo: Mapped[str | None] = mapped_column(String(500))
    uri: Mapped[str | None] = mapped_column(String(500))
    #: When a caseworker retired the organization (its services are retired with it).
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    parent_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")
    phones: Mapped[list[Phone]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
