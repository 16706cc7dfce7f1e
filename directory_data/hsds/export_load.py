"""Reading the directory for an export in a few queries: one per table, never one per record."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from directory_data.id_lists import in_ids
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
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
    Unit,
)
from directory_data.models.base import Base

RecordT = TypeVar("RecordT", bound=Base)


def load_services(
    session: Session, ids: Collection[str] | None = None, *, live_locations_only: bool = False
) -> list[Any]:
    """Every service (or those of ``ids``) with everything its nested HSDS 3.0 object shows,
    ordered by name and id; without retired locations when ``live_locations_only`` (the public
    API, like every other public surface).

    The HSDS export (JSON and CSV) keeps a retired location (``location.retired_at`` set) and its
    ``service_at_location`` links, on purpose: the export is the directory's complete copy, and
    re-importing it must not lose anything. The importer deletes the links a listed service no
    longer lists, so leaving them out would delete them on a re-import and a later restore would
    bring back a place no service is delivered at; and HSDS 3.0 has no field that says a location
    is retired. Re-importing leaves ``retired_at`` as it is (no import writes it); an import into
    an empty directory brings such a place back in use.

    The services are read-only row objects shaped like the models (:func:`record_class`), not ORM
    instances: one plain ``SELECT`` per table (and per 1,000 ids) builds them. Each
    service-at-location link also carries its own ``schedules``. Through the ORM's
    ``selectinload`` the same graph cost about 0.9 s of CPU per 1,000 services of the synthetic
    directory, three times the database's own time; these rows cost about a third of that.
    """
    wanted = sorted(set(ids)) if ids is not None else list(session.scalars(select(Service.id)))
    found: list[Any] = []
    for start in range(0, len(wanted), _CHUNK):
        found += _load(session, wanted[start:start + _CHUNK], live_locations_only)
    return _sorted(found)


def schedules_by_service_at_location(
    session: Session, service_ids: Collection[str] | None = None
) -> dict[str, list[Any]]:
    """Schedules that belong to a service-at-location link (of the services ``service_ids``, or
    of all), by the link's id, as row objects."""
    if service_ids is None:
        schedules = record_rows(session, Schedule, Schedule.service_at_location_id.is_not(None))
    else:
        wanted = sorted(set(service_ids))
        link_ids = [link_id for start in range(0, len(wanted), _CHUNK)
                    for link_id in session.scalars(select(ServiceAtLocation.id).where(
                        in_ids(session, ServiceAtLocation.service_id, wanted[start:start + _CHUNK])))]
        schedules = rows_in(session, Schedule, Schedule.service_at_location_id, link_ids)
    return _by(schedules, "service_at_location_id")


#: Ids per query (SQLite and PostgreSQL both take this many parameters comfortably).
_CHUNK = 1000

#: Columns no HSDS object shows: when a record was created and last updated (a service's
#: creation time is kept: it is its last modified time when the change journal has none).
_BOOKKEEPING = frozenset({"created_at", "updated_at"})


def _not_loaded(self: Any, name: str) -> Any:
    raise AttributeError(f"{type(self).__name__}.{name} is not loaded by directory_data.hsds.export_load")


@functools.cache
def record_class(model: type) -> type:
    """A plain class standing for rows of ``model``: its columns are attributes (set per object;
    :func:`~directory_data.hsds.export_fields.model_columns` finds them on the class), the model's
    properties are shared (they read only attributes), and anything not loaded raises; its
    ``record_keys`` are the columns read. Made once per model: the one class of a model is what
    :func:`~directory_data.hsds.export_fields.model_columns` is kept for, so a class made per
    query would grow that table with every answer (this is identity, not a speed-up)."""
    namespace: dict[str, Any] = {
        name: value for klass in reversed(model.__mro__) for name, value in vars(klass).items()
        if isinstance(value, property)
    }
    keys = tuple(attr.key for attr in inspect(model).column_attrs
                 if attr.key not in _BOOKKEEPING or (model is Service and attr.key == "created_at"))
    namespace.update({key: None for key in keys})
    namespace.update(__getattr__=_not_loaded, __module__=__name__, record_keys=keys,
                     __doc__=f"A row of {model.__name__} read for an HSDS export.")
    return type(f"{model.__name__}Record", (), namespace)


def record_rows(session: Session, model: type, condition: ColumnElement[bool]) -> list[Any]:
    """Record objects of ``model`` (:func:`record_class`) for the rows matching ``condition``."""
    cls = record_class(model)
    keys = cls.record_keys
    new = object.__new__
    out: list[Any] = []
    statement = select(*(getattr(model, key) for key in keys)).where(condition)
    for row in session.connection().execute(statement).all():  # Core: no ORM layer per row
        obj = new(cls)
        obj.__dict__ = dict(zip(keys, row))
        out.append(obj)
    return out


def _by(objs: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for obj in objs:
        grouped[obj.__dict__[key]].append(obj)
    return grouped


def _sorted(services: list[Any]) -> list[Any]:
    return sorted(services, key=lambda s: (s.name, s.id))


def rows_in(session: Session, model: type, column: Any, ids: Iterable[Any]) -> list[Any]:
    """Record objects of ``model`` whose ``column`` is one of ``ids`` (a query per 1,000)."""
    values = sorted({i for i in ids if i is not None})
    found: list[Any] = []
    for start in range(0, len(values), _CHUNK):
        found += record_rows(session, model, in_ids(session, column, values[start:start + _CHUNK]))
    return found


def _load(session: Session, ids: list[str], live_locations_only: bool) -> list[Any]:
    """The services of ``ids`` with every record their objects show."""
    services = rows_in(session, Service, Service.id, ids)
    if not services:
        return []
    organizations = {o.id: o for o in rows_in(session, Organization, Organization.id,
                                              (s.organization_id for s in services))}
    org_phones = _by(rows_in(session, Phone, Phone.organization_id, organizations), "organization_id")
    link_condition = in_ids(session, ServiceAtLocation.service_id, ids)
    if live_locations_only:
        link_condition = and_(link_condition, live_location_link())
    links = record_rows(session, ServiceAtLocation, link_condition)
    link_hours = _by(rows_in(session, Schedule, Schedule.service_at_location_id, (link.id for link in links)),
                     "service_at_location_id")
    locations = _locations(session, {link.location_id for link in links})
    term_links = rows_in(session, ServiceTaxonomy, ServiceTaxonomy.service_id, ids)
    terms = _terms(session, {link.taxonomy_term_id for link in term_links})
    phones = rows_in(session, Phone, Phone.service_id, ids)
    _phone_languages(session, [*phones, *(p for group in org_phones.values() for p in group),
                               *(p for loc in locations.values() for p in loc.phones)])
    for org_id, org in organizations.items():
        org.__dict__["phones"] = org_phones.get(org_id, [])
    for link in links:
        link.__dict__["location"] = locations[link.location_id]
        link.__dict__["schedules"] = link_hours.get(link.id, [])
    for link in term_links:
        link.__dict__["term"] = terms[link.taxonomy_term_id]
    children = {
        "phones": _by(phones, "service_id"),
        "schedules": _by(rows_in(session, Schedule, Schedule.service_id, ids), "service_id"),
        "languages": _by(rows_in(session, Language, Language.service_id, ids), "service_id"),
        "cost_options": _by(rows_in(session, CostOption, CostOption.service_id, ids), "service_id"),
        "capacities": _by(_capacities(session, ids), "service_id"),
        "category_links": _by(rows_in(session, ServiceCategory, ServiceCategory.service_id, ids), "service_id"),
        "taxonomy_links": _by(term_links, "service_id"),
        "location_links": _by(links, "service_id"),
    }
    for service in services:
        values = service.__dict__
        values["organization"] = organizations.get(values["organization_id"])
        for name, grouped in children.items():
            values[name] = grouped.get(values["id"], [])
    return services


def _capacities(session: Session, ids: list[str]) -> list[Any]:
    """The capacities of the services ``ids``, each with its ``unit``."""
    capacities = rows_in(session, ServiceCapacity, ServiceCapacity.service_id, ids)
    units = {u.id: u for u in rows_in(session, Unit, Unit.id, (c.unit_id for c in capacities))}
    for capacity in capacities:
        capacity.__dict__["unit"] = units[capacity.unit_id]
    return capacities


def _locations(session: Session, ids: set[str]) -> dict[str, Any]:
    """The locations of ``ids``, with their addresses, accessibility, schedules, phones and
    languages."""
    locations = {loc.id: loc for loc in rows_in(session, Location, Location.id, ids)}
    if not locations:
        return {}
    children = {
        "addresses": _by(rows_in(session, Address, Address.location_id, ids), "location_id"),
        "accessibility": _by(rows_in(session, Accessibility, Accessibility.location_id, ids), "location_id"),
        "schedules": _by(rows_in(session, Schedule, Schedule.location_id, ids), "location_id"),
        "phones": _by(rows_in(session, Phone, Phone.location_id, ids), "location_id"),
        "languages": _by(rows_in(session, Language, Language.location_id, ids), "location_id"),
    }
    for location_id, location in locations.items():
        for name, grouped in children.items():
            location.__dict__[name] = grouped.get(location_id, [])
    return locations


def _terms(session: Session, ids: set[str]) -> dict[str, Any]:
    """The taxonomy terms of ``ids``, each with its ``taxonomy_detail``."""
    terms = {t.id: t for t in rows_in(session, TaxonomyTerm, TaxonomyTerm.id, ids)}
    taxonomies = {t.id: t for t in rows_in(session, Taxonomy, Taxonomy.id, (t.taxonomy_id for t in terms.values()))}
    for term in terms.values():
        term.__dict__["taxonomy_detail"] = taxonomies.get(term.taxonomy_id)
    return terms


def _phone_languages(session: Session, phones: list[Any]) -> None:
    """Give each of ``phones`` its ``languages``."""
    grouped = _by(rows_in(session, Language, Language.phone_id, (p.id for p in phones)), "phone_id")
    for phone in phones:
        phone.__dict__["languages"] = grouped.get(phone.id, [])


def load_table(session: Session, model: type[RecordT], *options: ORMOption) -> Sequence[RecordT]:
    """Every row of ``model``'s table ordered by id, with loader ``options`` (one query each)."""
    statement = select(model).options(*options).order_by(model.id)  # type: ignore[attr-defined]
    return session.scalars(statement).all()


def load_rows(session: Session, model: type[RecordT]) -> Sequence[RecordT]:
    """Every row of ``model``'s table (a link table without ``id``), unordered (one query)."""
    return session.scalars(select(model)).all()


def parents_first(records: Sequence[RecordT], parent_attr: str) -> list[RecordT]:
    """``records`` reordered so a record's parent (``parent_attr`` holds its id) comes before it.

    Order is otherwise kept. An importer that inserts rows in file order then never meets a
    parent id it has not seen yet.
    """
    by_id = {record.id: record for record in records}  # type: ignore[attr-defined]
    placed: set[str] = set()
    ordered: list[RecordT] = []
    for record in records:
        chain: list[RecordT] = []
        current: RecordT | None = record
        while current is not None and current.id not in placed and current not in chain:  # type: ignore[attr-defined]
            chain.append(current)
            parent_id = getattr(current, parent_attr)
            current = by_id.get(parent_id) if parent_id else None
        for item in reversed(chain):
            placed.add(item.id)  # type: ignore[attr-defined]
            ordered.append(item)
    return ordered

