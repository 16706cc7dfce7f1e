"""Services: what a resident can get, with eligibility, costs, verification and categories."""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_data.curated import SAMPLE_SOURCE

from .base import Base, SourcedMixin, TimestampMixin, UTCDateTime, VersionedMixin

if TYPE_CHECKING:
    from .capacity import ServiceCapacity
    from .category import ServiceCategory
    from .language import Language
    from .location import Location, ServiceAtLocation
    from .organization import Organization
    from .phone import Phone
    from .schedule import Schedule
    from .taxonomy import ServiceTaxonomy

#: A listing not verified for this many days is stale (configurable where it is used).
DEFAULT_STALE_AFTER_DAYS = 180

_FREE_WORDS = re.compile(r"\b(free|no cost|no charge|gratis|sin costo)\b", re.IGNORECASE)


class ServiceStatus(str, enum.Enum):
    """HSDS service ``status``."""

    active = "active"
    inactive = "inactive"
    defunct = "defunct"
    temporarily_closed = "temporarily closed"


class Service(SourcedMixin, TimestampMixin, VersionedMixin, Base):
    """An HSDS service, plus the kiosk's own fields (Spanish text, officer notes, walk-in)."""

    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # type: ignore[dict-item]

    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[ServiceStatus] = mapped_column(
        Enum(
            ServiceStatus,
            native_enum=False,
            length=30,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ServiceStatus.active,
        # no index: a status holds half the directory, and SQLite chose such an index over the
        # primary key for "these ids, if listed" (a scan of every active service per page)
    )
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    wait_time: Mapped[str | None] = mapped_column(String(300))
    accreditations: Mapped[str | None] = mapped_column(Text)
    licenses: Mapped[str | None] = mapped_column(Text)
    alert: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    assured_date: Mapped[dt.date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(254))
    #: The staff account that last marked the listing verified (HSDS keeps only an e-mail).
    assured_by: Mapped[str | None] = mapped_column(String(80))
    #: When a caseworker retired the listing (status ``defunct``); ``None`` when it is live.
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_modified: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: Why the listing is held for review instead of shown (reason codes of
    #: :mod:`directory_data.publication`, separated by spaces); ``None`` when it is published.
    review_reasons: Mapped[str | None] = mapped_column(String(100))
    # The kiosk's own fields (exported as HSDS attributes, see directory_data.hsds.extensions).
    name_es: Mapped[str | None] = mapped_column(String(300))
    description_es: Mapped[str | None] = mapped_column(Text)
    officer_notes: Mapped[str | None] = mapped_column(Text)
    walk_in: Mapped[bool | None] = mapped_column(Boolean)

    organization: Mapped[Organization | None] = relationship(back_populates="services")
    phones: Mapped[list[Phone]] = relationship(back_populates="service")
    schedules: Mapped[list[Schedule]] = relationship(back_populates="service")
    languages: Mapped[list[Language]] = relationship(back_populates="service")
    cost_options: Mapped[list[CostOption]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    location_links: Mapped[list[ServiceAtLocation]] = relationship(back_populates="service")
    taxonomy_links: Mapped[list[ServiceTaxonomy]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    category_links: Mapped[list[ServiceCategory]] = relationship(cascade="all, delete-orphan")
    capacities: Mapped[list[ServiceCapacity]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceCapacity.id"
    )

    @property
    def category_slugs(self) -> list[str]:
        """The slugs of the service's categories, sorted."""
        return sorted(link.category_slug for link in self.category_links)

    @property
    def locations(self) -> list[Location]:
        """The service's places, in the order of its links."""
        return [link.location for link in self.location_links if link.location is not None]

    @property
    def hours_schedules(self) -> list[Schedule]:
        """The rows the service's hours come from: its own, else those of its places (a place's
        own rows, not another service's there)."""
        if self.schedules:
            return list(self.schedules)
        return [row for loc in self.locations for row in loc.schedules if row.service_id is None]

    @property
    def is_sample(self) -> bool:
        """Whether the listing is one of the fictional sample directory's."""
        return self.source == SAMPLE_SOURCE

    @property
    def held_for(self) -> list[str]:
        """The reasons the listing is held for review (empty when it is published)."""
        return (self.review_reasons or "").split()

    @property
    def is_free(self) -> bool:
        """Whether the service costs nothing: a zero-amount cost option or a fee text saying so."""
        if any(c.amount is not None and c.amount == 0 for c in self.cost_options):
            return True
        if any(c.option and _FREE_WORDS.search(c.option) for c in self.cost_options):
            return True
        return bool(self.fees_description and _FREE_WORDS.search(self.fees_description))

    def is_stale(self, today: dt.date, after_days: int = DEFAULT_STALE_AFTER_DAYS) -> bool:
        """Whether the listing has not been verified within ``after_days`` of ``today``."""
        if self.assured_date is None:
            return True
        return (today - self.assured_date).days > after_days

    def accepts_age(self, age: int) -> bool:
        """Whether a person of ``age`` years is within the service's age limits."""
        if self.minimum_age is not None and age < self.minimum_age:
            return False
        return not (self.maximum_age is not None and age > self.maximum_age)


class CostOption(SourcedMixin, Base):
    """What a service costs (HSDS 3.0 ``cost_option``); an amount of 0 means free."""

    __tablename__ = "cost_option"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    amount_description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="cost_options")
