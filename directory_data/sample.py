"""The curated directory's two parts in a database: the real lines, and the fictional sample
(write use-cases: add + flush, never commit; see :mod:`directory_data.curated`).

* :func:`load_national` upserts the real national and Florida lines (every ``kiosk init``);
* :func:`sample_state` says how many sample listings are live and retired, and how many
  listings the department has of its own; :func:`is_empty` is what ``kiosk init`` asks before it
  loads the sample into a directory;
* :func:`load_sample` loads the sample (or brings a retired one back: on request only);
* :func:`retire_sample` retires every live sample listing, and the sample's organizations and
  places that no other live listing uses (the first import of real data offers it, in the same
  transaction). The real lines are never touched.

Retiring is the workspace's retiring (status ``defunct`` and ``retired_at``, with the audit
trail), so a retired sample listing can also be restored one by one in the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from directory_data.audit import record_action, set_actor, set_listing
from directory_data.curated import NATIONAL_SOURCE, SAMPLE_SOURCE, national_path, sample_path
from directory_data.hsds.importer import ImportReport, import_path
from directory_data.listings import restore_listing, retire_listing
from directory_data.locations import restore_location, retire_location
from directory_data.models import Location, Organization, Service, ServiceAtLocation, utcnow

#: The curated parts that are not the department's own listings.
CURATED_SOURCES = (SAMPLE_SOURCE, NATIONAL_SOURCE)


@dataclass(frozen=True)
class SampleState:
    """How much of the sample a directory holds, beside the department's own listings."""

    live: int
    retired: int
    own: int

    @property
    def present(self) -> bool:
        """Whether the sample was ever loaded (live or retired)."""
        return bool(self.live or self.retired)

    def summary(self) -> str:
        """The state in one line (as ``kiosk init`` and ``kiosk sample status`` say it)."""
        if not self.present:
            return "not loaded"
        parts = []
        if self.live:
            parts.append(f"{self.live:,} sample listings shown (fictional Seminole County listings for trying "
                         f"the kiosk out, marked \"Sample listing\" on every page)")
        if self.retired:
            parts.append(f"{self.retired:,} retired")
        if self.live and self.own:
            parts.append(f"beside {self.own:,} listings of your own: retire the sample with kiosk sample retire")
        return "; ".join(parts)


def sample_state(session: Session) -> SampleState:
    """The sample listings live and retired, and the listings of every other source but the
    real lines (the department's own, imported or made in the workspace)."""
    # (two counts rather than a GROUP BY of "source = :sample": PostgreSQL binds the comparison
    # twice and then refuses the grouping)
    live = select(func.count()).select_from(Service).where(
        Service.source != NATIONAL_SOURCE, Service.retired_at.is_(None))
    rows = {True: session.scalar(live.where(Service.source == SAMPLE_SOURCE)) or 0,
            False: session.scalar(live.where(Service.source != SAMPLE_SOURCE)) or 0}
    retired = session.scalar(select(func.count()).select_from(Service).where(
        Service.source == SAMPLE_SOURCE, Service.retired_at.is_not(None)))
    own_retired = session.scalar(select(func.count()).select_from(Service).where(
        Service.source.not_in(CURATED_SOURCES), Service.retired_at.is_not(None)))
    return SampleState(live=int(rows.get(True, 0)), retired=int(retired or 0),
                       own=int(rows.get(False, 0)) + int(own_retired or 0))


def is_empty(session: Session) -> bool:
    """Whether the directory holds no listing but the real lines: no sample (live or retired)
    and none of the department's own."""
    return session.scalar(select(Service.id).where(Service.source != NATIONAL_SOURCE).limit(1)) is None


def load_national(session: Session) -> ImportReport:
    """Upsert the real national and Florida lines."""
    return import_path(session, national_path(), source=NATIONAL_SOURCE)


def load_sample(session: Session, *, actor: str) -> tuple[ImportReport, int]:
    """Load the sample directory as shipped, bringing back whatever of it was retired (by
    ``actor``); the import report and how many sample listings were restored."""
    report = import_path(session, sample_path(), source=SAMPLE_SOURCE)
    set_actor(session, actor)
    restored = 0
    for service in session.scalars(select(Service).where(
            Service.source == SAMPLE_SOURCE, Service.retired_at.is_not(None))).all():
        restore_listing(session, service, actor=actor)
        restored += 1
    set_listing(session, None)
    for organization in session.scalars(select(Organization).where(
            Organization.source == SAMPLE_SOURCE, Organization.retired_at.is_not(None))).all():
        organization.retired_at = None
    for location in session.scalars(select(Location).where(
            Location.source == SAMPLE_SOURCE, Location.retired_at.is_not(None))).all():
        restore_location(session, location, expected_version=location.version, actor=actor)
    session.flush()
    return report, restored


def retire_sample(session: Session, *, actor: str) -> int:
    """Retire every live sample listing as ``actor``, and the sample organizations and places no
    other live listing uses; how many listings were retired (0 when none was live)."""
    services = session.scalars(select(Service).where(
        Service.source == SAMPLE_SOURCE, Service.retired_at.is_(None))).all()
    if not services:
        return 0
    for service in services:
        retire_listing(session, service, actor=actor)
    set_actor(session, actor)
    set_listing(session, None)
    other_live = and_(Service.source != SAMPLE_SOURCE, Service.retired_at.is_(None))
    organizations = session.scalars(select(Organization).where(
        Organization.source == SAMPLE_SOURCE, Organization.retired_at.is_(None),
        ~exists().where(Service.organization_id == Organization.id, other_live))).all()
    now = utcnow()
    for organization in organizations:
        organization.retired_at = now
    locations = session.scalars(select(Location).where(
        Location.source == SAMPLE_SOURCE, Location.retired_at.is_(None),
        ~exists().where(ServiceAtLocation.location_id == Location.id,
                        ServiceAtLocation.service_id == Service.id, other_live))).all()
    for location in locations:
        retire_location(session, location, expected_version=location.version, actor=actor)
    record_action(session, action="retire-sample", actor=actor, resource_type="sample",
                  resource_id=SAMPLE_SOURCE, replacement=f"{len(services)} sample listings retired")
    session.flush()
    return len(services)


@dataclass(frozen=True)
class PackageImport:
    """An imported package's report, and the sample listings it retired and left shown."""

    report: ImportReport
    sample_retired: int
    sample_live: int


def import_package(session: Session, path: Path, *, source: str | None, actor: str,
                   retire_sample_listings: bool = False) -> PackageImport:
    """Import the HSDS package at ``path`` (:func:`import_path`), retiring the fictional sample
    listings in the same transaction when asked (added and flushed, not committed)."""
    report = import_path(session, path, source=source)
    retired = retire_sample(session, actor=actor) if retire_sample_listings else 0
    return PackageImport(report, retired, sample_state(session).live)
