"""The objects of the HSDS 3.0 API: services, organizations, service-at-locations, taxonomies
and taxonomy terms, in the list ("one-to-one fields") and fully nested forms.

:class:`ApiObjects` loads the records for a list of ids in a few queries and builds the objects
in the order of the ids. It uses :class:`~directory_data.hsds.export_json.ServiceObjects` for the
nested records, so every object follows the same rules:

* ``public=True`` (anonymous callers): officer-only phones, officer notes and a confidential
  place's position and free text are left out (:mod:`directory_data.confidential`);
* schedule times carry their zone's UTC offset at ``clock.now`` (:mod:`.schedule_times`);
* ``last_modified`` comes from the change history (:mod:`directory_data.change_times`);
* only HSDS 3.0's current fields (no ``wait_time``, ``licenses``, ``tax_status``, ``tax_id``);
* retired places are left out, as on every public surface;
* a retired listing's ``status`` is ``inactive`` (HSDS: not in operation now; a caseworker can
  restore it), whatever status it had;
* a listing the public may not see -- held for review (:mod:`directory_data.publication`) or a
  retired listing of the fictional sample -- is only a **withdrawn stub** in the service lists and
  at ``/services/{id}``: ``id``, ``name``, ``status`` ``inactive`` and ``last_modified`` (never
  its content), so a copy kept in sync by ``modified_after`` learns that it went (it drops out of
  every other list: service-at-locations and organizations' services).

The forms (compiled schemas of the HSDS 3.0 specification):

==========================  =========================================================================
services, list form         the service's own fields and its organization's (``service_list.json``)
services, minimal           ``id``, ``name``, ``status``, ``last_modified``
services, full              fully nested (``service.json``)
organizations, list form    the organization's own fields (``organization_list.json``), with
                            ``services`` (full) when ``full_service``
organizations, full         with phones, places and attributes, and ``services``: each in the list
                            form, or fully nested when ``full_service``
service-at-locations, list  the link's fields, its place's own fields and its service in the list
                            form (``service_at_location_list.json``)
service-at-locations, full  the link with its hours, its place fully nested and its service fully
                            nested (as the specification's example)
taxonomies, terms           ``taxonomy.json``, ``taxonomy_term.json`` (with ``taxonomy_detail``)
==========================  =========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from directory_data.change_times import last_modified_times
from directory_data.confidential import WITHHELD_LINK_FIELDS, WITHHELD_LOCATION_FIELDS
from directory_data.curated import SAMPLE_SOURCE
from directory_data.id_lists import in_ids
from directory_data.locations import live_location_link
from directory_data.models import (
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

from . import extensions as ext
from .export_attributes import EXTENSION_TAXONOMY_OBJECT, taxonomy_object, taxonomy_term_object
from .export_fields import format_datetime
from .export_json import ServiceObjects, withheld
from .export_load import load_services, record_rows, rows_in
from .schedule_times import ScheduleClock

Obj = dict[str, Any]

#: The records whose ``kiosk:source`` and ``kiosk:source-id`` attributes the API shows: the ones
#: another system matches its own copies on. (The file exports show them on every record, for
#: re-imports; on every phone, schedule and language they made up three quarters of a service's
#: JSON.)
SOURCES = frozenset({"service", "organization", "location"})

#: The ``status`` the API gives a retired listing and a withdrawn stub.
INACTIVE = ServiceStatus.inactive.value

#: What the API shows in full: not a listing held for review (not published, :mod:`directory_data.publication`),
#: and not a retired listing of the fictional sample directory. The others are withdrawn stubs
#: in the service lists (see the module docstring); every other retired listing is listed in
#: full, ``inactive``.
PUBLISHED = and_(Service.review_reasons.is_(None),
                 or_(Service.source != SAMPLE_SOURCE, Service.status != ServiceStatus.defunct))
#: The organizations the API lists: not a retired organization of the fictional sample directory
#: (its services are gone from the lists; a real organization, retired or not, stays listed).
LISTED_ORGANIZATION = or_(Organization.source != SAMPLE_SOURCE, Organization.retired_at.is_(None))


def extension_taxonomy() -> Obj:
    """The ``kiosk-extensions`` taxonomy (the terms of the ``kiosk:*`` attributes) as an object."""
    return dict(EXTENSION_TAXONOMY_OBJECT)


def extension_terms() -> list[Obj]:
    """The ``kiosk:*`` terms as ``taxonomy_term`` objects with their taxonomy, by id."""
    terms = [{**ext.term_object(code), "taxonomy_detail": extension_taxonomy()} for code in ext.EXTENSIONS]
    return sorted(terms, key=lambda t: t["id"])


class ApiObjects:
    """Builds the API's objects for one answer (see the module docstring)."""

    def __init__(self, session: Session, *, public: bool, clock: ScheduleClock) -> None:
        self.session = session
        self.public = public
        self.clock = clock

    def _builder(self, service_ids: Sequence[str], loaded: Sequence[Any] | None = None) -> ServiceObjects:
        """Nested-object builder for the services ``service_ids`` (their last modified times
        looked up once; ``loaded``: as :func:`load_services` gave them)."""
        times = last_modified_times(self.session, service_ids, self.clock, loaded=loaded)
        return ServiceObjects(None, public=self.public, clock=self.clock, current_only=True,
                              last_modified=times, sources=SOURCES)

    # Services --------------------------------------------------------------------------------

    def published(self, ids: Sequence[str]) -> list[str]:
        """``ids`` less what the API does not show in full (:data:`PUBLISHED`)."""
        shown = set(self.session.scalars(select(Service.id).where(
            in_ids(self.session, Service.id, list(ids)), PUBLISHED)))
        return [i for i in ids if i in shown]

    def withdrawn(self, ids: Sequence[str]) -> dict[str, Obj]:
        """The withdrawn stubs of the services of ``ids`` the API does not show in full (held
        for review, retired sample listings), by id: ``id``, ``name``, ``status`` ``inactive``,
        ``last_modified``."""
        rows = dict(self.session.execute(select(Service.id, Service.name).where(
            in_ids(self.session, Service.id, list(ids)), ~PUBLISHED)).tuples().all())
        times = last_modified_times(self.session, list(rows), self.clock)
        return {sid: {"id": sid, "name": name, "status": INACTIVE, "last_modified": format_datetime(times[sid])}
                for sid, name in rows.items()}

    def services(self, ids: Sequence[str], *, full: bool) -> list[Obj]:
        """The services of ``ids`` (unknown ones dropped), in that order: published ones in the
        list or full form, the others as withdrawn stubs."""
        shown = self.published(ids)
        found = self.withdrawn([i for i in ids if i not in set(shown)]) if len(shown) < len(ids) else {}
        if full:
            services = load_services(self.session, shown, live_locations_only=True)
            builder = self._builder(shown, services)
            found.update((s.id, self.full_service_object(builder, s)) for s in services)
        else:
            builder = self._builder(shown)
            loaded = self._services_with_organizations(shown)
            found.update((sid, self.service_list_object(builder, s)) for sid, s in loaded.items())
        return [found[i] for i in ids if i in found]

    def minimal_services(self, ids: Sequence[str]) -> list[Obj]:
        """``id``, ``name``, ``status`` and ``last_modified`` of the services of ``ids`` (a
        withdrawn one as its stub)."""
        times = last_modified_times(self.session, ids, self.clock)
        rows = {sid: (name, status, retired, published) for sid, name, status, retired, published
                in self.session.execute(select(Service.id, Service.name, Service.status, Service.retired_at,
                                               PUBLISHED).where(in_ids(self.session, Service.id, list(ids))))}
        return [{"id": i, "name": rows[i][0],
                 "status": rows[i][1].value if rows[i][2] is None and rows[i][3] else INACTIVE,
                 "last_modified": format_datetime(times[i])} for i in ids if i in rows]

    @staticmethod
    def full_service_object(builder: ServiceObjects, service: Any) -> Obj:
        """A service fully nested (a retired one ``inactive``)."""
        return _api_status(builder.service(service), service)

    @staticmethod
    def service_list_object(builder: ServiceObjects, service: Service, *, with_organization: bool = True) -> Obj:
        """A service in the list form: its own fields and its organization's."""
        obj = _api_status(builder.fields("service", service), service)
        if with_organization and service.organization is not None:
            obj["organization"] = builder.fields("organization", service.organization)
        return obj

    # Organizations ---------------------------------------------------------------------------

    def organizations(self, ids: Sequence[str], *, full: bool, full_service: bool) -> list[Obj]:
        """The listed organizations of ``ids`` (:data:`LISTED_ORGANIZATION`), in that order, each
        with only its published services (:data:`PUBLISHED`); see the module docstring for the
        forms."""
        options = [selectinload(Organization.services.and_(PUBLISHED))]  # as the service lists
        if full:
            live = Organization.locations.and_(Location.retired_at.is_(None))
            options += [
                selectinload(Organization.phones).selectinload(Phone.languages),
                selectinload(live).selectinload(Location.addresses),
                selectinload(live).selectinload(Location.accessibility),
                selectinload(live).selectinload(Location.phones).selectinload(Phone.languages),
                selectinload(live).selectinload(Location.schedules),
                selectinload(live).selectinload(Location.languages),
            ]
        rows = self.session.scalars(select(Organization).where(Organization.id.in_(list(ids)), LISTED_ORGANIZATION)
                                    .options(*options))
        loaded = {o.id: o for o in rows}
        service_ids = self.published(sorted({s.id for o in loaded.values() for s in o.services})) \
            if (full or full_service) else []
        loaded_services = load_services(self.session, service_ids, live_locations_only=True) if full_service else None
        builder = self._builder(service_ids, loaded_services)
        full_services = {s.id: self.full_service_object(builder, s) for s in loaded_services or ()}
        listed = set(service_ids)
        out = []
        for org_id in ids:
            org = loaded.get(org_id)
            if org is None:
                continue
            own = sorted((s for s in org.services if s.id in listed), key=lambda s: s.id)
            if full:
                obj = dict(builder.organization(org))
                places = [builder.location(loc) for loc in sorted(org.locations, key=lambda x: x.id)
                          if loc.retired_at is None]
                if places:
                    obj["locations"] = places
            else:
                obj = builder.fields("organization", org)
            if full_service:
                obj["services"] = [full_services[s.id] for s in own if s.id in full_services]
            elif full:
                obj["services"] = [self.service_list_object(builder, s, with_organization=False) for s in own]
            out.append(obj)
        return out

    # Service at locations --------------------------------------------------------------------

    def service_at_locations(self, ids: Sequence[str], *, full: bool) -> list[Obj]:
        """The service-at-location links of ``ids`` (links to retired places dropped), in that order."""
        published = select(Service.id).where(PUBLISHED)
        links = {link.id: link for link in record_rows(self.session, ServiceAtLocation, and_(
            in_ids(self.session, ServiceAtLocation.id, ids), live_location_link(),
            ServiceAtLocation.service_id.in_(published)))}
        service_ids = sorted({link.service_id for link in links.values()})
        if not full:
            services = self._services_with_organizations(service_ids)
            places = {loc.id: loc for loc in rows_in(self.session, Location, Location.id,
                                                     (link.location_id for link in links.values()))}
            builder = self._builder(service_ids)
            return [self._link_list_object(builder, links[i], services[links[i].service_id],
                                           places[links[i].location_id]) for i in ids if i in links]
        loaded = load_services(self.session, service_ids, live_locations_only=True)
        builder = self._builder(service_ids, loaded)
        services = {s.id: s for s in loaded}
        full_services = {sid: self.full_service_object(builder, s) for sid, s in services.items()}
        nested = {link.id: link for s in services.values() for link in s.location_links}
        out = []
        for link_id in ids:
            link = nested.get(link_id)
            if link is None:
                continue
            obj = dict(builder.service_at_location(link))
            obj["service"] = full_services[link.service_id]
            out.append(obj)
        return out

    def _services_with_organizations(self, ids: Sequence[str]) -> dict[str, Any]:
        """Service records of ``ids``, each with its ``organization`` record."""
        services = {s.id: s for s in rows_in(self.session, Service, Service.id, ids)}
        orgs = {o.id: o for o in rows_in(self.session, Organization, Organization.id,
                                         (s.organization_id for s in services.values()))}
        for service in services.values():
            service.__dict__["organization"] = orgs.get(service.organization_id)
        return services

    def _link_list_object(self, builder: ServiceObjects, link: Any, service: Any, place: Any) -> Obj:
        private = self.public and bool(place.confidential)
        obj = withheld(builder.fields("service_at_location", link), WITHHELD_LINK_FIELDS, private)
        obj["location"] = withheld(builder.fields("location", place), WITHHELD_LOCATION_FIELDS, private)
        obj["service"] = self.service_list_object(builder, service)
        return obj

    # Taxonomies ------------------------------------------------------------------------------

    def taxonomies(self, ids: Sequence[str]) -> list[Obj]:
        """The taxonomies of ``ids`` (the extension taxonomy among them), in that order."""
        rows = {t.id: taxonomy_object(t) for t in
                self.session.scalars(select(Taxonomy).where(Taxonomy.id.in_(list(ids))))}
        rows.setdefault(ext.EXTENSION_TAXONOMY_ID, extension_taxonomy())
        return [rows[i] for i in ids if i in rows]

    def taxonomy_terms(self, ids: Sequence[str]) -> list[Obj]:
        """The taxonomy terms of ``ids`` (the ``kiosk:*`` terms among them), in that order."""
        rows = {t.id: taxonomy_term_object(t) for t in self.session.scalars(
            select(TaxonomyTerm).where(TaxonomyTerm.id.in_(list(ids)))
            .options(selectinload(TaxonomyTerm.taxonomy_detail)))}
        for term in extension_terms():
            rows.setdefault(term["id"], term)
        return [rows[i] for i in ids if i in rows]


def _api_status(obj: Obj, service: Any) -> Obj:
    """``obj`` (a service's object) with ``status`` ``inactive`` when the listing is retired."""
    if service.retired_at is not None:
        obj["status"] = INACTIVE
    return obj
