"""Publication rules: which listings are shown, and which are held for review.

A listing is **held for review** (``service.review_reasons`` set; no public surface, search,
referral or API answer shows it, only the workspace) when:

* ``no-contact`` -- nobody can reach it: no public phone (on the service or at one of its places
  in use), no address shown to the public (a place in use, not confidential, with a street
  address) and no web site (``service.url``). Phones an import or the editor refused were never
  stored, so every stored phone counts as a valid one; officer-only phones do not count;
* ``no-category`` -- nothing says what it is: no category and no taxonomy term.

The rules are applied to every service an import names (:func:`review`, in bulk), to a listing
the workspace saves or creates, and when a caseworker asks to publish a held listing
(:func:`review_listing`). A listing that passes is published again at once. The real national
and Florida lines always pass (they have phones and categories).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from directory_data.models import (
    Address,
    AddressType,
    Location,
    Phone,
    PhoneAudience,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceTaxonomy,
    utcnow,
)

NO_CONTACT = "no-contact"
NO_CATEGORY = "no-category"
#: Every reason, in the order they are stored and shown.
REASONS = (NO_CONTACT, NO_CATEGORY)
#: What each reason means (English; the workspace has its own translated words).
REASON_TEXT = {
    NO_CONTACT: "with no public phone, address or web site",
    NO_CATEGORY: "with no category or taxonomy term",
}
_CHUNK = 500


@dataclass
class Review:
    """What applying the rules to a set of services found and changed."""

    #: Services held after the review, by reason (a service held for both counts under both).
    held: Counter[str] = field(default_factory=Counter)
    #: How many services are held after the review.
    held_total: int = 0
    #: How many services were published by it (held before, not now).
    published: int = 0
    #: The services whose state changed (to be journaled).
    changed: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, object]:
        """The review as JSON-ready data (for import reports)."""
        return {"held": self.held_total, "held_by_reason": {r: self.held[r] for r in REASONS if self.held[r]},
                "published": self.published}


def _chunks(ids: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def _reachable(session: Session, ids: list[str]) -> set[str]:
    """Those of ``ids`` a resident can reach: a public phone, a web site or a public address.

    Each question is asked only of the services the earlier ones left open (most have a phone):
    asked of every service, the place questions let SQLite walk every place in use, and the
    review of the Miami export's 4,260 services took 1.4 s instead of 0.1-0.2 s."""
    public_phone = and_(Phone.audience == PhoneAudience.public, func.trim(Phone.number) != "")
    found = set(session.scalars(select(Phone.service_id).where(Phone.service_id.in_(ids), public_phone)))
    open_ids = [i for i in ids if i not in found]
    if open_ids:
        found |= set(session.scalars(select(Service.id).where(
            Service.id.in_(open_ids), func.trim(func.coalesce(Service.url, "")) != "")))
        open_ids = [i for i in open_ids if i not in found]
    if open_ids:
        at_places = (select(ServiceAtLocation.service_id)
                     .join(Location, Location.id == ServiceAtLocation.location_id)
                     .where(ServiceAtLocation.service_id.in_(open_ids), Location.retired_at.is_(None)))
        found |= set(session.scalars(at_places.join(Phone, Phone.location_id == Location.id).where(public_phone)))
        found |= set(session.scalars(
            at_places.join(Address, Address.location_id == Location.id)
            .where(Location.confidential.is_not(True), Address.address_type == AddressType.physical,
                   func.trim(Address.address_1) != "")))
    return found


def _classified(session: Session, ids: list[str]) -> set[str]:
    """Those of ``ids`` with a category or a taxonomy term."""
    found = set(session.scalars(select(ServiceCategory.service_id).where(ServiceCategory.service_id.in_(ids))))
    open_ids = [i for i in ids if i not in found]
    if open_ids:
        found |= set(session.scalars(select(ServiceTaxonomy.service_id).where(
            ServiceTaxonomy.service_id.in_(open_ids))))
    return found


def hold_reasons(session: Session, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
    """The reasons each existing service of ``ids`` must be held (``()``: it may be shown)."""
    reasons: dict[str, tuple[str, ...]] = {}
    for chunk in _chunks(ids):
        present = set(session.scalars(select(Service.id).where(Service.id.in_(chunk))))
        reachable, classified = _reachable(session, chunk), _classified(session, chunk)
        for service_id in present:
            reasons[service_id] = tuple(
                reason for reason, ok in ((NO_CONTACT, service_id in reachable),
                                          (NO_CATEGORY, service_id in classified)) if not ok)
    return reasons


def stored(reasons: Iterable[str]) -> str | None:
    """The ``review_reasons`` value of ``reasons`` (``None`` when there are none)."""
    text = " ".join(r for r in REASONS if r in set(reasons))
    return text or None


def review(session: Session, ids: Collection[str]) -> Review:
    """Apply the rules to the services ``ids`` with bulk statements (add + flush, never commit).

    A service whose state changes gets its new ``review_reasons``, ``version`` + 1 and a new
    ``updated_at``; the caller journals :attr:`Review.changed` (the importer does, with its own
    changes)."""
    outcome = Review()
    session.flush()
    wanted = hold_reasons(session, ids)
    current: dict[str, str | None] = {}
    for chunk in _chunks(wanted):
        current.update(session.execute(
            select(Service.id, Service.review_reasons).where(Service.id.in_(chunk))).tuples().all())
    rows = []
    for service_id, reasons in wanted.items():
        value = stored(reasons)
        for reason in reasons:
            outcome.held[reason] += 1
        outcome.held_total += bool(reasons)
        if value != current.get(service_id):
            outcome.published += value is None
            outcome.changed.add(service_id)
            rows.append({"b_id": service_id, "b_reasons": value})
    if rows:
        table = Service.__table__
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(
                review_reasons=bindparam("b_reasons", type_=table.c.review_reasons.type),
                version=table.c.version + 1, updated_at=utcnow()),
            rows)
        session.expire_all()
    return outcome


def review_listing(session: Session, service: Service) -> tuple[str, ...]:
    """Apply the rules to one loaded ``service`` through the ORM (its change is journaled and
    audited with the rest of the caller's flush); the reasons it is held for now."""
    session.flush()
    reasons = hold_reasons(session, [service.id]).get(service.id, ())
    value = stored(reasons)
    if service.review_reasons != value:
        service.review_reasons = value
        session.flush()
    return reasons
