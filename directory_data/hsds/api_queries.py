"""Which records a list of the HSDS 3.0 API holds, in which order, a page at a time.

Every list is in ``id`` order unless it is ranked (search text, distance): a record never changes
its id, so paging through a list while the directory changes never skips a record that stays in
it (a record that joins it may shift the rest by one, so one may appear twice). Services are
listed whatever their status and publication: a retired listing is ``inactive``, one held for
review (or a retired sample listing) a withdrawn stub (:mod:`.api_objects`), and a copy kept in
sync needs to learn of both (:mod:`directory_data.change_times`). Service-at-locations list only
published services' links.

The ``kiosk-extensions`` taxonomy and its ``kiosk:*`` terms (the taxonomy of the attributes that
carry the kiosk's own fields, :mod:`directory_data.hsds.extensions`) are listed after the
directory's own, so every ``taxonomy_term_id`` an object names can be looked up.
"""

from __future__ import annotations

import datetime as dt
import math
from operator import itemgetter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from directory_data.change_times import changed_since_clause
from directory_data.confidential import DISTANCE_STEP_KM, coarse_point
from directory_data.distance import Point, haversine_many_km
from directory_data.id_lists import in_ids
from directory_data.locations import live_location_link
from directory_data.models import (
    Address,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
)

from . import extensions as ext
from .api_objects import LISTED_ORGANIZATION, PUBLISHED, extension_terms
from .schedule_times import ScheduleClock

#: Kilometres between a confidential place's true point and its cell centre, at most (a cell is
#: 5.56 km high and less than twice that wide), plus the rounding of public distances: the
#: margin of the box a proximity search reads before it measures to cell centres.
_CELL_MARGIN_KM = 8.0
#: Kilometres per degree of latitude, rounded down (so a box is never too small).
_KM_PER_DEGREE = 110.5


class UnsupportedFilter(ValueError):
    """A filter the directory cannot apply (the API answers 400 with the message)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Page:
    """One page of a list: the ids on it, in order, and how many the whole list holds."""

    ids: list[str]
    total: int


@dataclass(frozen=True)
class ServiceFilter:
    """The service filters of ``/services`` and ``/service_at_locations``."""

    @staticmethod
    def since(modified_after: dt.datetime | None, overlap: dt.timedelta) -> dt.datetime | None:
        """The ``modified_since`` of a ``modified_after``: ``overlap`` earlier (so a copy kept in
        sync also gets changes committed late, or written on a host whose clock is behind; README,
        "Keeping a copy in sync"), never before the earliest instant."""
        if modified_after is None:
            return None
        earliest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        return modified_after - overlap if modified_after - earliest > overlap else earliest

    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    #: Services last modified at or after this instant (aware).
    modified_since: dt.datetime | None = None

    def conditions(self, session: Session, clock: ScheduleClock) -> list[ColumnElement[bool]]:
        """SQL conditions over ``service`` (raises :class:`UnsupportedFilter`)."""
        found: list[ColumnElement[bool]] = []
        if self.taxonomy_term_id is not None:
            if ext.is_extension(_extension_code(self.taxonomy_term_id)):
                raise UnsupportedFilter("taxonomy_term_id", "names a kiosk:* term: those describe fields "
                                        "of records, not services, and cannot filter them")
            found.append(Service.id.in_(select(ServiceTaxonomy.service_id)
                                        .where(ServiceTaxonomy.taxonomy_term_id == self.taxonomy_term_id)))
        if self.taxonomy_id is not None:
            if self.taxonomy_id == ext.EXTENSION_TAXONOMY_ID:
                raise UnsupportedFilter("taxonomy_id", "names the kiosk-extensions taxonomy: its terms "
                                        "describe fields of records, not services, and cannot filter them")
            found.append(Service.id.in_(
                select(ServiceTaxonomy.service_id)
                .join(TaxonomyTerm, TaxonomyTerm.id == ServiceTaxonomy.taxonomy_term_id)
                .where(TaxonomyTerm.taxonomy_id == self.taxonomy_id)))
        if self.organization_id is not None:
            found.append(Service.organization_id == self.organization_id)
        if self.modified_since is not None:
            found.append(changed_since_clause(session, self.modified_since, clock))
        return found


def _extension_code(term_id: str) -> str | None:
    return next((code for code in ext.EXTENSIONS if ext.term_id(code) == term_id), None)


def page_of(session: Session, ids: Select[Any], order: Any, offset: int, limit: int) -> Page:
    """The page ``offset`` .. ``offset + limit`` of the ids ``ids`` selects, ordered by ``order``."""
    total = int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
    if offset >= total or limit <= 0:
        return Page([], total)
    return Page(list(session.scalars(ids.order_by(order).offset(offset).limit(limit))), total)


def in_rank_order(session: Session, ranked: Sequence[str], conditions: Sequence[ColumnElement[bool]]) -> list[str]:
    """The services of ``ranked`` (ranked ids) that meet ``conditions``, in rank order."""
    if not conditions:
        return list(ranked)
    kept: set[str] = set()
    for start in range(0, len(ranked), 1000):
        chunk = list(ranked[start:start + 1000])
        kept.update(session.scalars(select(Service.id).where(in_ids(session, Service.id, chunk), *conditions)))
    return [i for i in ranked if i in kept]


def slice_of(ids: Sequence[str], offset: int, limit: int) -> Page:
    """The page of a list already in memory."""
    return Page(list(ids[offset:offset + limit]), len(ids))


# Services ------------------------------------------------------------------------------------


def service_page(session: Session, conditions: Sequence[ColumnElement[bool]], offset: int, limit: int) -> Page:
    """A page of the services meeting ``conditions``, in id order (published or not: the
    unpublished ones are withdrawn stubs, so a synced copy learns that they went)."""
    return page_of(session, select(Service.id).where(*conditions), Service.id, offset, limit)


# Service at locations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where ``/service_at_locations`` looks: places with ``postcode``, or within ``radius_km`` of
    ``origin`` (the postcode's centroid). ``precise`` (signed-in officers): true positions and
    postcodes of confidential places; else their cell centres and no postcode."""

    postcode: str | None = None
    origin: Point | None = None
    radius_km: float | None = None
    precise: bool = False


def link_select(conditions: Sequence[ColumnElement[bool]], place: Place) -> Select[Any]:
    """SQL: ids of the service-at-location links of live places whose service meets
    ``conditions`` (and, without a radius, whose place has ``place.postcode``)."""
    statement = (select(ServiceAtLocation.id).join(Service, Service.id == ServiceAtLocation.service_id)
                 .where(live_location_link(), PUBLISHED, *conditions))
    if place.postcode is not None and place.radius_km is None:
        in_postcode = exists().where(Address.location_id == ServiceAtLocation.location_id,
                                     _postcode_is(place.postcode))
        if not place.precise:  # a confidential place's postcode is not public
            in_postcode = and_(in_postcode, ~exists().where(Location.id == ServiceAtLocation.location_id,
                                                            Location.confidential.is_(True)))
        statement = statement.where(in_postcode)
    return statement


def _postcode_is(postcode: str) -> ColumnElement[bool]:
    """SQL: an address's postal code is ``postcode``, or starts with it and a hyphen (ZIP+4)."""
    return or_(Address.postal_code == postcode, Address.postal_code.startswith(postcode + "-", autoescape=True))


def links_near(session: Session, conditions: Sequence[ColumnElement[bool]], place: Place,
               keep: Callable[[str], bool] | None = None) -> list[str]:
    """The links whose place is within ``place.radius_km`` of ``place.origin``, nearest first
    (then by id). For anonymous callers a confidential place is measured at its cell's centre and
    the distance rounded to whole km, as every public distance is.

    Reads the links in a box around the origin: the radius for public places, the radius plus
    :data:`_CELL_MARGIN_KM` for confidential ones (their cell centre may lie that far from their
    true point), so no place whose public distance is within the radius is left out.
    """
    assert place.origin is not None and place.radius_km is not None
    columns = (ServiceAtLocation.id, ServiceAtLocation.service_id, Location.latitude, Location.longitude,
               Location.confidential)
    base = (select(*columns).join(Location, Location.id == ServiceAtLocation.location_id)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .where(Location.retired_at.is_(None), PUBLISHED, *conditions))
    if place.precise:
        boxes = [_box(place.origin, place.radius_km)]
    else:
        boxes = [and_(Location.confidential.is_not(True), _box(place.origin, place.radius_km)),
                 and_(Location.confidential.is_(True), _box(place.origin, place.radius_km + _CELL_MARGIN_KM))]
    rows = [tuple(r) for box in boxes for r in session.connection().execute(base.where(box)).all()
            if keep is None or keep(r[1])]
    if not rows:
        return []
    rows.sort(key=itemgetter(0))  # by id: the stable sort below keeps ties (equal distances) in id order
    coarse = np.fromiter((bool(r[4]) and not place.precise for r in rows), dtype=bool, count=len(rows))
    lat = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    lon = np.fromiter((r[3] for r in rows), dtype=np.float64, count=len(rows))
    for i in np.flatnonzero(coarse).tolist():
        lat[i], lon[i] = coarse_point(lat[i], lon[i])
    km = haversine_many_km(lat, lon, place.origin)
    km[coarse] = np.round(km[coarse] / DISTANCE_STEP_KM) * DISTANCE_STEP_KM
    inside = np.flatnonzero(km <= place.radius_km)
    order = inside[np.argsort(km[inside], kind="stable")]
    return [rows[i][0] for i in order.tolist()]


def _box(origin: Point, radius_km: float) -> ColumnElement[bool]:
    """SQL: the location lies in the latitude/longitude box around ``origin`` that holds every
    point within ``radius_km`` of it."""
    lat, lon = origin
    dlat = radius_km / _KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.0))), 0.01)
    return and_(Location.latitude.between(lat - dlat, lat + dlat),
                Location.longitude.between(lon - dlon, lon + dlon))


def links_of_services(session: Session, ranked: Sequence[str], statement: Select[Any]) -> list[str]:
    """The links ``statement`` selects whose services are in ``ranked``, in the services' rank
    order (a service's links by id)."""
    rank = {sid: n for n, sid in enumerate(ranked)}
    rows: list[tuple[int, str]] = []
    for start in range(0, len(ranked), 1000):
        chunk = list(ranked[start:start + 1000])
        query = (statement.add_columns(ServiceAtLocation.service_id)
                 .where(in_ids(session, ServiceAtLocation.service_id, chunk)))
        rows.extend((rank[sid], link_id) for link_id, sid in session.execute(query))
    rows.sort()
    return [link_id for _, link_id in rows]


# Organizations, taxonomies, terms ------------------------------------------------------------


def _text_match(text: str | None, *columns: Any) -> list[ColumnElement[bool]]:
    """SQL: one of ``columns`` holds ``text`` (any case); nothing when there is no text."""
    if not text:
        return []
    folded = text.lower()
    return [or_(*(func.lower(c).contains(folded, autoescape=True) for c in columns))]


def organization_page(session: Session, text: str | None, offset: int, limit: int) -> Page:
    """A page of the listed organizations (:data:`.api_objects.LISTED_ORGANIZATION`) whose name or
    description holds ``text``, in id order."""
    statement = select(Organization.id).where(
        LISTED_ORGANIZATION, *_text_match(text, Organization.name, Organization.alternate_name,
                                          Organization.description))
    return page_of(session, statement, Organization.id, offset, limit)


def taxonomy_page(session: Session, text: str | None, offset: int, limit: int) -> Page:
    """A page of the taxonomies whose name or description holds ``text``, in id order, the
    extension taxonomy last."""
    statement = select(Taxonomy.id).where(Taxonomy.id != ext.EXTENSION_TAXONOMY_ID,
                                          *_text_match(text, Taxonomy.name, Taxonomy.description))
    extras = [ext.EXTENSION_TAXONOMY_ID] if _matches(text, ext.EXTENSION_TAXONOMY, "") else []
    return _with_extras(session, statement, Taxonomy.id, extras, offset, limit)


@dataclass(frozen=True)
class TermFilter:
    """The filters of ``/taxonomy_terms``."""

    text: str | None = None
    taxonomy_id: str | None = None
    #: Only terms without a parent (the top of a hierarchy).
    top_only: bool = False
    parent_id: str | None = None


def taxonomy_term_page(session: Session, terms: TermFilter, offset: int, limit: int) -> Page:
    """A page of the taxonomy terms meeting ``terms``, in id order, the ``kiosk:*`` terms last."""
    conditions = _text_match(terms.text, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.description)
    if terms.taxonomy_id is not None:
        conditions.append(TaxonomyTerm.taxonomy_id == terms.taxonomy_id)
    if terms.top_only:
        conditions.append(TaxonomyTerm.parent_id.is_(None))
    if terms.parent_id is not None:
        conditions.append(TaxonomyTerm.parent_id == terms.parent_id)
    ext_ids = {t["id"] for t in extension_terms()}
    statement = select(TaxonomyTerm.id).where(TaxonomyTerm.id.not_in(ext_ids), *conditions)
    extras = [
        t["id"] for t in extension_terms()
        if terms.parent_id is None
        and terms.taxonomy_id in (None, ext.EXTENSION_TAXONOMY_ID)
        and _matches(terms.text, t["code"], t["name"], t["description"])
    ]
    return _with_extras(session, statement, TaxonomyTerm.id, extras, offset, limit)


def _matches(text: str | None, *values: str) -> bool:
    return not text or any(text.lower() in v.lower() for v in values)


def _with_extras(session: Session, statement: Select[Any], order: Any, extras: list[str],
                 offset: int, limit: int) -> Page:
    """The page of the rows ``statement`` selects followed by the ids ``extras``."""
    rows = page_of(session, statement, order, offset, limit)
    ids = list(rows.ids)
    if len(ids) < limit:
        start = max(0, offset - rows.total)
        ids += extras[start:start + limit - len(ids)]
    return Page(ids, rows.total + len(extras))
