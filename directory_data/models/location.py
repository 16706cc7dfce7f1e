"""Locations, their addresses and accessibility, and the service-at-location link."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin, TimestampMixin, UTCDateTime, VersionedMixin

if TYPE_CHECKING:
    from .language import Language
    from .organization import Organization
    from .phone import Phone
    from .schedule import Schedule
    from .service import Service


class LocationType(str, enum.Enum):
    """HSDS ``location_type``."""

    physical = "physical"
    postal = "postal"
    virtual = "virtual"


class AddressType(str, enum.Enum):
    """HSDS ``address_type``."""

    physical = "physical"
    postal = "postal"
    virtual = "virtual"


class Location(SourcedMixin, TimestampMixin, VersionedMixin, Base):
    """Where a service is delivered.

    ``confidential`` marks a place whose street address must never appear on a public surface
    (a domestic-violence shelter, say); its coordinates are only used for coarse distance.
    ``retired_at`` is when a caseworker retired the place (``None`` while it is in use): a retired
    place keeps its data but no public surface shows it (:mod:`directory_data.locations`). HSDS
    has no field for it: an import leaves it as it is.
    """

    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # type: ignore[dict-item]

    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    location_type: Mapped[LocationType] = mapped_column(
        Enum(LocationType, native_enum=False, length=20), default=LocationType.physical
    )
    url: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(String(200))
    external_identifier_type: Mapped[str | None] = mapped_column(String(200))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    accessibility: Mapped[list[Accessibility]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(back_populates="location")
    schedules: Mapped[list[Schedule]] = relationship(back_populates="location")
    languages: Mapped[list[Language]] = relationship(back_populates="location")
    service_links: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )

    @property
    def physical_address(self) -> Address | None:
        """The first physical address, if any."""
        return next((a for a in self.addresses if a.address_type == AddressType.physical), None)


class Address(SourcedMixin, Base):
    """A postal or physical address of a location."""

    __tablename__ = "address"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(String(300))
    address_1: Mapped[str] = mapped_column(String(300), default="")
    address_2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str | None] = mapped_column(String(120))
    state_province: Mapped[str] = mapped_column(String(60), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    address_type: Mapped[AddressType] = mapped_column(
        Enum(AddressType, native_enum=False, length=20), default=AddressType.physical
    )

    location: Mapped[Location] = relationship(back_populates="addresses")

    def one_line(self) -> str:
        """The address on one line: ``street, unit, city, ST 12345``."""
        street = ", ".join(p for p in (self.address_1, self.address_2) if p)
        tail = " ".join(p for p in (self.state_province, self.postal_code) if p)
        return ", ".join(p for p in (street, self.city, tail) if p)


class Accessibility(SourcedMixin, Base):
    """Accessibility of a location for people with disabilities."""

    __tablename__ = "accessibility"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))

    location: Mapped[Location] = relationship(back_populates="accessibility")


class ServiceAtLocation(SourcedMixin, Base):
    """The link between a service and a location where it is delivered."""

    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="location_links")
    location: Mapped[Location] = relationship(back_populates="service_links")
