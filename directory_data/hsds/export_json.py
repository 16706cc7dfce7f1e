"""The HSDS 3.0 JSON export: one paginated service list holding every service, fully nested.

The file is a single page of the HSDS 3.0 API's ``/services`` response: ``total_items``,
``total_pages`` (1), ``page_number`` (1), ``size``, ``first_page``, ``last_page``, ``empty`` and
``contents``, each service a full HSDS 3.0 service object (the shape of the curated directory,
``directory_data/curated/seminole_county.json``).

Where a record appears: every record appears once per service that shows it, at the most
specific place its links allow. A phone or language of a service sits in the service's list
even when it also names a location; a location's own ``phones``, ``schedules`` and ``languages``
hold only those of no service; a schedule of a service-at-location link sits in that link's
``schedules``; an organization's ``phones`` hold only those of no service and no location.
Records that no service reaches (an organization without services, a term attached to nothing)
are not in a service list: the CSV data package carries the whole directory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from directory_data.confidential import (
    WITHHELD_LINK_FIELDS,
    WITHHELD_LOCATION_FIELDS,
    WITHHELD_PHONE_FIELDS,
    WITHHELD_SCHEDULE_FIELDS,
)
from directory_data.models import (
    Location,
    Organization,
    Phone,
    PhoneAudience,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

from . import extensions as ext
from .capacities import capacity_objects
from .export_attributes import extension_attributes, taxonomy_attribute, taxonomy_term_object
from .export_fields import deprecated_columns, format_datetime, json_fields
from .export_load import load_services, schedules_by_service_at_location
from .schedule_times import ScheduleClock

#: File name used when the JSON export is given an existing directory.
DEFAULT_JSON_NAME = "directory.json"


def write_json(session: Session, path: Path) -> int:
    """Write every service as an HSDS 3.0 service list to ``path``; the number of services.

    ``path`` is the file to write, or an existing directory to write ``directory.json`` into.
    The page's own members stand one per line and each service takes one line, which keeps a
    large directory quick to write and easy to diff. The file is written beside its final name
    and renamed, so a reader never sees half of it.
    """
    if path.is_dir():
        path = path / DEFAULT_JSON_NAME
    page = service_list_page(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in page.items():
            if key != "contents":
                handle.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
        handle.write('"contents": [')
        for n, service in enumerate(page["contents"]):
            handle.write(",\n" if n else "\n")
            handle.write(json.dumps(service, ensure_ascii=False))
        handle.write("\n]\n}\n")
    os.replace(partial, path)
    return int(page["total_items"])


def service_list_page(session: Session) -> dict[str, Any]:
    """Every service in one page of the HSDS 3.0 paginated list form."""
    services = load_services(session)
    objects = ServiceObjects(schedules_by_service_at_location(session))
    contents = [objects.service(service) for service in services]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


class ServiceObjects:
    """Builds full HSDS 3.0 service objects from loaded services.

    An organization, location or taxonomy term shown by many services is built once and the
    same object nested in each of them.

    With ``public=True`` the objects are fit for anonymous callers of the public API: officer-only
    phones and the ``kiosk:officer-notes`` attribute are left out, and a confidential location
    keeps only what :mod:`directory_data.confidential` lets the public see: its id, name, type,
    public phones (without descriptions), hours (without notes) and languages. Its addresses,
    coordinates, accessibility, free text (alternate name, description, transportation, web
    address, external identifiers), source id and the service-at-location description are left out.

    The HSDS API (``kiosk/api/directory.py``) also gives ``clock``, ``last_modified`` and
    ``current_only``: schedules then carry their zone's UTC offset at ``clock.now`` as
    ``timezone`` and on their times (:mod:`directory_data.hsds.schedule_times`), a service's
    ``last_modified`` is its time in ``last_modified`` (:mod:`directory_data.change_times`), and the
    fields HSDS 3.0 deprecates (``wait_time``, ``licenses``, ``tax_status``, ``tax_id``) are left
    out; ``sources`` names the tables whose records carry the ``kiosk:source`` and
    ``kiosk:source-id`` attributes (None: every table). The file exports keep what the model
    holds, so a re-import loses nothing.
    """

    def __init__(
        self, sal_schedules: dict[str, list[Schedule]] | None = None, *, public: bool = False,
        clock: ScheduleClock | None = None, last_modified: Mapping[str, dt.datetime] | None = None,
        current_only: bool = False, sources: frozenset[str] | None = None,
    ) -> None:
        """``sal_schedules``: schedules of service-at-location links, by link id
        (see :func:`directory_data.hsds.export_load.schedules_by_service_at_location`); None:
        each link's own ``schedules`` (as :func:`~directory_data.hsds.export_load.load_services`
        gives them)."""
        self._sal_schedules = sal_schedules
        self.public = public
        self.clock = clock
        self.last_modified = last_modified
        self.current_only = current_only
        self.sources = sources
        self._organizations: dict[str, dict[str, Any]] = {}
        self._locations: dict[str, dict[str, Any]] = {}
        self._terms: dict[str, dict[str, Any]] = {}
        #: The deprecated columns of each table this answer has shown (read from the spec once
        #: per answer and table, not once per record).
        self._deprecated: dict[str, frozenset[str]] = {}

    def fields(self, table: str, record: Any) -> dict[str, Any]:
        """The record's own HSDS fields (without the deprecated ones when ``current_only``)."""
        obj = json_fields(table, record)
        if self.current_only:
            if table not in self._deprecated:
                self._deprecated[table] = deprecated_columns(table)
            for name in self._deprecated[table]:
                obj.pop(name, None)
        if table == "service" and self.last_modified is not None:
            changed = self.last_modified.get(record.id)
            if changed is not None:
                obj["last_modified"] = format_datetime(changed)
        return obj

    def attributes(self, table: str, record: Any) -> list[dict[str, Any]]:
        """The record's ``kiosk:*`` attributes (its source ones only if ``sources`` allows)."""
        return extension_attributes(table, record, sources=self.sources is None or table in self.sources)

    def record(self, table: str, record: Any) -> dict[str, Any]:
        """A record without records of its own: its fields and attributes (when it has any)."""
        obj = self.fields(table, record)
        _put(obj, "attributes", self.attributes(table, record))
        return obj

    def phone(self, phone: Phone, private: bool = False) -> dict[str, Any]:
        """The HSDS 3.0 phone with its languages; without its description when ``private``."""
        obj = self.fields("phone", phone)
        _put(obj, "languages", [self.record("language", lang) for lang in _by_id(phone.languages)])
        _put(obj, "attributes", self.attributes("phone", phone))
        return withheld(obj, WITHHELD_PHONE_FIELDS, private)

    def schedule(self, schedule: Schedule, private: bool = False) -> dict[str, Any]:
        """The HSDS schedule object, with its offset when the objects have a ``clock``; without
        its free text when ``private`` (hours of a confidential place in a public object)."""
        obj = withheld(self.record("schedule", schedule), WITHHELD_SCHEDULE_FIELDS, private)
        if self.clock is not None:
            self.clock.apply(obj, schedule.timezone)
        return obj

    def service(self, service: Service) -> dict[str, Any]:
        """The full HSDS 3.0 service object of ``service``."""
        obj = self.fields("service", service)
        if service.organization is not None:
            obj["organization"] = self.organization(service.organization)
        hidden = {link.location_id for link in service.location_links if self._private(link.location)}
        _put(obj, "phones", [self.phone(p, p.location_id in hidden) for p in self._shown(service.phones)])
        _put(obj, "schedules", [
            self.schedule(s) for s in _by_id(service.schedules)
            if s.service_at_location_id is None
        ])
        _put(obj, "service_at_locations", [
            self.service_at_location(link) for link in _by_id(service.location_links)
        ])
        _put(obj, "languages", [
            self.record("language", lang) for lang in _by_id(service.languages) if lang.phone_id is None
        ])
        _put(obj, "cost_options", [self.record("cost_option", c) for c in _by_id(service.cost_options)])
        _put(obj, "capacities", capacity_objects(service.capacities))
        terms = sorted((link.term for link in service.taxonomy_links), key=lambda t: t.id)
        obj["attributes"] = [taxonomy_attribute(service.id, self.term(term)) for term in terms]
        obj["attributes"].extend(
            a for a in self.attributes("service", service)
            if not (self.public and a["taxonomy_term"]["code"] == ext.OFFICER_NOTES)
        )
        return obj

    def _shown(self, phones: Sequence[Phone]) -> list[Phone]:
        """``phones`` in id order, without officer-only numbers in a public object."""
        return [p for p in _by_id(phones) if not (self.public and p.audience == PhoneAudience.officer)]

    def term(self, term: TaxonomyTerm) -> dict[str, Any]:
        """The HSDS 3.0 ``taxonomy_term`` object of ``term`` (with its taxonomy), built once."""
        if term.id not in self._terms:
            self._terms[term.id] = taxonomy_term_object(term)
        return self._terms[term.id]

    def organization(self, organization: Organization) -> dict[str, Any]:
        """The HSDS 3.0 organization (without its services), with its own phones."""
        if organization.id not in self._organizations:
            obj = self.fields("organization", organization)
            _put(obj, "phones", [
                self.phone(p)
                for p in self._shown(organization.phones)
                if p.service_id is None and p.location_id is None
            ])
            obj["attributes"] = self.attributes("organization", organization)
            self._organizations[organization.id] = obj
        return self._organizations[organization.id]

    def _private(self, location: Location | None) -> bool:
        """Whether records of ``location`` are shown as a confidential place's are in public."""
        return self.public and location is not None and bool(location.confidential)

    def service_at_location(self, link: ServiceAtLocation) -> dict[str, Any]:
        """The HSDS 3.0 service-at-location link with its schedules and nested location."""
        private = self._private(link.location)
        obj = json_fields("service_at_location", link)
        schedules = link.schedules if self._sal_schedules is None else self._sal_schedules.get(link.id, [])
        _put(obj, "schedules", [self.schedule(s, private) for s in _by_id(schedules)])
        obj["location"] = self.location(link.location)
        _put(obj, "attributes", self.attributes("service_at_location", link))
        return withheld(obj, WITHHELD_LINK_FIELDS, private)

    def location(self, location: Location) -> dict[str, Any]:
        """The HSDS 3.0 location with addresses, accessibility and its own phones, hours, languages."""
        if location.id not in self._locations:
            private = self._private(location)
            obj = json_fields("location", location)
            _put(obj, "languages", [
                self.record("language", lang)
                for lang in _by_id(location.languages)
                if lang.service_id is None and lang.phone_id is None
            ])
            if not private:
                _put(obj, "addresses", [self.record("address", a) for a in _by_id(location.addresses)])
                _put(obj, "accessibility", [
                    self.record("accessibility", a) for a in _by_id(location.accessibility)
                ])
            _put(obj, "phones", [
                self.phone(p, private) for p in self._shown(location.phones) if p.service_id is None
            ])
            _put(obj, "schedules", [
                self.schedule(s, private)
                for s in _by_id(location.schedules)
                if s.service_id is None and s.service_at_location_id is None
            ])
            obj["attributes"] = self.attributes("location", location)
            self._locations[location.id] = withheld(obj, WITHHELD_LOCATION_FIELDS, private)
        return self._locations[location.id]


def withheld(obj: dict[str, Any], fields: frozenset[str], private: bool) -> dict[str, Any]:
    """``obj`` without ``fields`` and its ``kiosk:source-id`` attribute when ``private`` (a record
    of a confidential location in a public object), else ``obj`` as it is."""
    if private:
        for name in fields:
            obj.pop(name, None)
        if "attributes" in obj:
            obj["attributes"] = [a for a in obj["attributes"]
                                 if a["taxonomy_term"]["code"] != ext.SOURCE_ID]
    return obj


def _put(obj: dict[str, Any], key: str, items: list[dict[str, Any]]) -> None:
    """Set ``obj[key]`` to ``items`` unless there are none (empty lists are left out)."""
    if items:
        obj[key] = items


def _by_id(records: Sequence[Any]) -> list[Any]:
    """``records`` in id order, so the same directory always gives the same file."""
    return sorted(records, key=lambda record: record.id)
