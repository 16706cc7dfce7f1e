"""Loading listings: which services are shown or searchable, and the one loader of the listing
graph that indexing, result cards and the JSON API all read.

A listing is a service with its organization, phones, schedules, languages, cost options,
categories, taxonomy terms, capacities (with their units) and live locations (with their addresses, accessibility, schedules,
phones and languages). :func:`load_listings` reads it with one plain ``SELECT`` per table and
batch and builds plain row objects (about half the CPU of the ORM's ``selectinload``, as much as
Whoosh needs to index a service). They carry the model's columns and properties, are not in any
session, and raise ``AttributeError`` for anything not loaded here instead of giving an empty value.
Retired locations are left out (:func:`directory_data.locations.live_location_link`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, inspect, select
from sqlalchemy.orm import Session

from directory_data.locations import live_location_link
from directory_data.models import (
    Accessibility,
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceCategory,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
    Unit,
)

#: Statuses a resident or an officer may see (inactive and defunct services are hidden).
SHOWN_STATUSES = (ServiceStatus.active, ServiceStatus.temporarily_closed)


def listed() -> ColumnElement[bool]:
    """SQL: a service residents and officers may see: a shown status, and not held for review
    (:mod:`directory_data.publication`)."""
    return and_(Service.status.in_(SHOWN_STATUSES), Service.review_reasons.is_(None))


def searchable() -> ColumnElement[bool]:
    """SQL: a service that belongs in the search index: not defunct, and not held for review
    (an inactive service is indexed, ranked down, and left out when the results are loaded)."""
    return and_(Service.status != ServiceStatus.defunct, Service.review_reasons.is_(None))


#: Columns of the mixins that say which record a row came from, when it changed and its lock
#: version: no listing surface reads them (the timestamps alone cost a conversion per value).
BOOKKEEPING = frozenset({"source_id", "created_at", "updated_at", "version"})


def _not_loaded(self: Any, name: str) -> Any:
    raise AttributeError(f"{type(self).__name__}.{name} is not loaded by directory_data.service_rows")


@functools.cache
def row_class(model: type) -> type:
    """A plain class standing for rows of ``model``: attributes are set per object, and the
    model's properties and methods are shared (they read attributes); anything else raises."""
    namespace: dict[str, Any] = {
        name: value for klass in reversed(model.__mro__) for name, value in vars(klass).items()
        if isinstance(value, property) or (callable(value) and not name.startswith("_")
                                           and not isinstance(value, (type, classmethod, staticmethod)))
    }
    namespace.update(__getattr__=_not_loaded, __module__=__name__,
                     __doc__=f"A row of {model.__name__} read by the listing loader.")
    return type(f"{model.__name__}Row", (), namespace)


def _rows(session: Session, model: type, condition: ColumnElement[bool]) -> list[Any]:
    """Row objects of ``model`` (:func:`row_class`) for the rows matching ``condition``, every
    column but the :data:`BOOKKEEPING` ones filled in."""
    keys = [attr.key for attr in inspect(model).column_attrs if attr.key not in BOOKKEEPING]
    stmt = select(*(getattr(model, key) for key in keys)).where(condition)
    cls = row_class(model)
    new = object.__new__
    out: list[Any] = []
    for row in session.connection().execute(stmt).all():  # Core: no ORM layer; rows at once
        obj = new(cls)
        obj.__dict__ = dict(zip(keys, row))
        out.append(obj)
    return out


def _by(objs: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    """``objs`` grouped by attribute ``key``, each group in the order the database returned it.

    That is the order the ORM's ``selectinload`` gives a parent's children (the relationships
    have no ``order_by``, and the queries have the same shape), so documents come out the same.
    """
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for obj in objs:
        grouped[obj.__dict__[key]].append(obj)
    return grouped


def load_listings(session: Session, ids: Collection[str], where: ColumnElement[bool] | None = None) -> list[Any]:
    """The services among ``ids`` matching ``where`` (default: :func:`searchable`), with their
    whole listing graph, in id order (see the module docstring)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return _load(session, Service.id.in_(wanted), lambda column: column.in_(wanted), where)


def load_listing_range(session: Session, low: str, high: str) -> list[Any]:
    """The searchable services with ``low <= id <= high``, as :func:`load_listings`.

    A rebuild reads the directory in consecutive id ranges: each table is read with a range
    condition or a subquery on that range, never with a list of hundreds of parameters.
    """
    return _load(session, Service.id.between(low, high), lambda column: column.between(low, high))


def services_in_order(session: Session, ids: Sequence[str]) -> list[Any]:
    """The shown services among ``ids`` (:func:`listed`), in the order of ``ids``."""
    by_id = {s.id: s for s in load_listings(session, ids, listed())}
    return [by_id[i] for i in ids if i in by_id]


def _load(
    session: Session,
    service_condition: ColumnElement[bool],
    service_key: Callable[[Any], ColumnElement[bool]],
    where: ColumnElement[bool] | None = None,
) -> list[Any]:
    """Services matching ``service_condition`` with every relationship the document reads.

    ``service_key(column)`` restricts a column holding a service id to the same services.
    """
    live = service_condition & (searchable() if where is None else where)
    services = _rows(session, Service, live)
    if not services:
        return []

    def children(cls: Any) -> dict[Any, list[Any]]:
        return _by(_rows(session, cls, service_key(cls.service_id)), "service_id")

    org_ids = select(Service.organization_id).where(live)
    orgs = {o.__dict__["id"]: o for o in _rows(session, Organization, Organization.id.in_(org_ids))}
    term_links = _rows(session, ServiceTaxonomy, service_key(ServiceTaxonomy.service_id))
    term_ids = select(ServiceTaxonomy.taxonomy_term_id).where(service_key(ServiceTaxonomy.service_id))
    terms = {t.__dict__["id"]: t for t in _rows(session, TaxonomyTerm, TaxonomyTerm.id.in_(term_ids))}
    for link in term_links:
        link.__dict__["term"] = terms.get(link.__dict__["taxonomy_term_id"])
    live_links = service_key(ServiceAtLocation.service_id) & live_location_link()
    location_links = _rows(session, ServiceAtLocation, live_links)
    location_ids = select(ServiceAtLocation.location_id).where(live_links)
    locations = _locations(session, location_ids)
    for link in location_links:
        link.__dict__["location"] = locations.get(link.__dict__["location_id"])
    capacities = _rows(session, ServiceCapacity, service_key(ServiceCapacity.service_id))
    unit_ids = select(ServiceCapacity.unit_id).where(service_key(ServiceCapacity.service_id))
    units = {u.__dict__["id"]: u for u in _rows(session, Unit, Unit.id.in_(unit_ids))} if capacities else {}
    for capacity in capacities:
        capacity.__dict__["unit"] = units.get(capacity.__dict__["unit_id"])
    by_service = {
        "capacities": _by(capacities, "service_id"),
        "phones": children(Phone),
        "schedules": children(Schedule),
        "languages": children(Language),
        "cost_options": children(CostOption),
        "category_links": children(ServiceCategory),
        "taxonomy_links": _by(term_links, "service_id"),
        "location_links": _by(location_links, "service_id"),
    }
    for service in services:
        values = service.__dict__
        values["organization"] = orgs.get(values["organization_id"])
        for name, grouped in by_service.items():
            values[name] = grouped.get(values["id"], [])
    return sorted(services, key=lambda s: s.__dict__["id"])


def _locations(session: Session, ids: Select[Any]) -> dict[str, Any]:
    """The locations whose ids ``ids`` selects, with their children."""
    locations = {loc.__dict__["id"]: loc for loc in _rows(session, Location, Location.id.in_(ids))}
    if not locations:
        return {}
    children = {
        "addresses": _by(_rows(session, Address, Address.location_id.in_(ids)), "location_id"),
        "accessibility": _by(_rows(session, Accessibility, Accessibility.location_id.in_(ids)), "location_id"),
        "schedules": _by(_rows(session, Schedule, Schedule.location_id.in_(ids)), "location_id"),
        "phones": _by(_rows(session, Phone, Phone.location_id.in_(ids)), "location_id"),
        "languages": _by(_rows(session, Language, Language.location_id.in_(ids)), "location_id"),
    }
    for location_id, location in locations.items():
        for name, grouped in children.items():
            location.__dict__[name] = grouped.get(location_id, [])
    return locations
