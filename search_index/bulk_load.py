"""Loading services for a full rebuild: the same object graph as ``load_for_indexing``, cheaper.

A rebuild reads every service with its organization, phones, schedules, languages, cost
options, categories, taxonomy terms and locations (with their addresses, accessibility,
schedules, phones and languages). Through the ORM's ``selectinload`` that costs about 0.8 ms of
CPU per service on this machine, as much as Whoosh needs to index it, so on two cores the ORM
alone would use a third of the 90 s a rebuild of 100,000 services may take.

:func:`load_services` reads the same rows with one plain ``SELECT`` per table and batch and builds
the model objects directly (``__dict__`` filled, then :func:`make_transient_to_detached`), at
about half the cost. The objects are real model instances, so
:func:`~search_index.documents.service_document` runs on them unchanged; they are *detached*,
so reading anything not loaded here (a relationship added to the document later, say) raises
``DetachedInstanceError`` instead of silently giving an empty value. ``tests/test_index_bulk_load.py``
checks that both loaders give identical documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

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
    ServiceCategory,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
)

T = TypeVar("T")


def _rows(session: Session, cls: type[T], condition: ColumnElement[bool]) -> list[T]:
    """Instances of ``cls`` for the rows matching ``condition``, every column filled in."""
    mapper = inspect(cls)
    attrs = list(mapper.column_attrs)
    keys = [attr.key for attr in attrs]
    stmt = select(*(getattr(cls, key) for key in keys)).where(condition)
    new = mapper.class_manager.new_instance
    out: list[T] = []
    for row in session.execute(stmt):
        obj = new()
        obj.__dict__.update(zip(keys, row))
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


def load_services(session: Session, ids: Collection[str]) -> list[Service]:
    """The services among ``ids`` that belong in the index (not defunct), fully loaded, in id order.

    Every object is detached from ``session``: read-only, and loud about anything not loaded.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return []
    services = _rows(session, Service, Service.id.in_(wanted) & (Service.status != ServiceStatus.defunct))
    sids = [s.__dict__["id"] for s in services]
    if not sids:
        return []
    org_ids = {s.__dict__["organization_id"] for s in services} - {None}
    orgs = {o.__dict__["id"]: o for o in _rows(session, Organization, Organization.id.in_(org_ids))} if org_ids else {}
    phones = _by(_rows(session, Phone, Phone.service_id.in_(sids)), "service_id")
    schedules = _by(_rows(session, Schedule, Schedule.service_id.in_(sids)), "service_id")
    languages = _by(_rows(session, Language, Language.service_id.in_(sids)), "service_id")
    costs = _by(_rows(session, CostOption, CostOption.service_id.in_(sids)), "service_id")
    categories = _by(_rows(session, ServiceCategory, ServiceCategory.service_id.in_(sids)), "service_id")
    term_links = _rows(session, ServiceTaxonomy, ServiceTaxonomy.service_id.in_(sids))
    term_ids = {link.__dict__["taxonomy_term_id"] for link in term_links}
    terms = {t.__dict__["id"]: t for t in _rows(session, TaxonomyTerm, TaxonomyTerm.id.in_(term_ids))} if term_ids else {}
    for link in term_links:
        link.__dict__["term"] = terms.get(link.__dict__["taxonomy_term_id"])
    location_links = _rows(session, ServiceAtLocation, ServiceAtLocation.service_id.in_(sids))
    locations = _locations(session, {link.__dict__["location_id"] for link in location_links})
    for link in location_links:
        link.__dict__["location"] = locations.get(link.__dict__["location_id"])
    by_service = {
        "phones": phones,
        "schedules": schedules,
        "languages": languages,
        "cost_options": costs,
        "category_links": categories,
        "taxonomy_links": _by(term_links, "service_id"),
        "location_links": _by(location_links, "service_id"),
    }
    for service in services:
        values = service.__dict__
        values["organization"] = orgs.get(values["organization_id"])
        for name, grouped in by_service.items():
            values[name] = grouped.get(values["id"], [])
    _detach([*services, *orgs.values(), *terms.values(), *term_links, *location_links, *locations.values()],
            [phones, schedules, languages, costs, categories])
    return sorted(services, key=lambda s: s.__dict__["id"])


def _locations(session: Session, ids: set[str]) -> dict[str, Location]:
    if not ids:
        return {}
    locations = {loc.__dict__["id"]: loc for loc in _rows(session, Location, Location.id.in_(ids))}
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
    for grouped in children.values():
        for objs in grouped.values():
            for obj in objs:
                if inspect(obj).key is None:
                    make_transient_to_detached(obj)
    return locations


def _detach(objs: Iterable[Any], groups: Iterable[dict[Any, list[Any]]]) -> None:
    for obj in objs:
        if inspect(obj).key is None:
            make_transient_to_detached(obj)
    for grouped in groups:
        for children in grouped.values():
            for obj in children:
                if inspect(obj).key is None:
                    make_transient_to_detached(obj)
