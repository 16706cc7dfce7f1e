"""HSDS 3.1 ``service_capacity`` and ``unit``: a service's ``capacities`` in the export, the HSDS
API and the JSON import.

Export: each capacity is a 3.1 ``service_capacity`` object with its ``unit`` nested; a unit's
Spanish name, which HSDS has no field for, is the ``kiosk:unit-name-es`` attribute, and the
capacity's and unit's source ids are ``kiosk:source``/``kiosk:source-id`` attributes, like every
other record's (:mod:`.extensions`).

Import (JSON services): a service object's ``capacities`` is the whole set of its capacities, so
a capacity the service no longer lists is removed. Ids follow the rest of the importer
(:func:`directory_data.models.stable_id`: a UUID is kept), so import -> export -> import keeps
every capacity and unit as it was. An object that cannot be read (no unit, no count, a bad
time) is left out with a warning in the report. Everything is added and flushed, never
committed; a capacity carries its ``service_id``, so the change journal names its service.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import ServiceCapacity, Unit, stable_id

from . import extensions as ext
from .export_fields import format_datetime

#: Columns a unit object carries besides ``id`` and ``name``.
UNIT_FIELDS = ("scheme", "identifier", "uri")


def _sources(table: str, record: Any) -> list[dict[str, object]]:
    out = [ext.attribute_object(record.id, table, ext.SOURCE, record.source)]
    if record.source_id:
        out.append(ext.attribute_object(record.id, table, ext.SOURCE_ID, record.source_id))
    return out


def unit_object(unit: Any) -> dict[str, Any]:
    """The HSDS 3.1 ``unit`` object of ``unit``."""
    obj: dict[str, Any] = {"id": unit.id, "name": unit.name}
    for name in UNIT_FIELDS:
        if getattr(unit, name):
            obj[name] = getattr(unit, name)
    attributes = _sources("unit", unit)
    if unit.name_es:
        attributes.append(ext.attribute_object(unit.id, "unit", ext.UNIT_NAME_ES, unit.name_es))
    obj["attributes"] = attributes
    return obj


def capacity_object(capacity: Any) -> dict[str, Any]:
    """The HSDS 3.1 ``service_capacity`` object of ``capacity`` (its ``unit`` loaded)."""
    obj: dict[str, Any] = {
        "id": capacity.id,
        "service_id": capacity.service_id,
        "unit_id": capacity.unit_id,
        "unit": unit_object(capacity.unit),
        "available": capacity.available,
        "updated": format_datetime(capacity.updated),
        "attributes": _sources("service_capacity", capacity),
    }
    if capacity.maximum is not None:
        obj["maximum"] = capacity.maximum
    if capacity.description:
        obj["description"] = capacity.description
    return obj


def capacity_objects(capacities: Iterable[Any]) -> list[dict[str, Any]]:
    """The objects of a service's ``capacities``, in id order."""
    return [capacity_object(c) for c in sorted(capacities, key=lambda c: c.id)]


# -- import ------------------------------------------------------------------------------------


def _extension(obj: dict[str, Any], code: str) -> str | None:
    for attribute in obj.get("attributes") or []:
        if not isinstance(attribute, dict):
            continue
        term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
        if term.get("code") == code or attribute.get("taxonomy_term_id") == ext.term_id(code):
            value = attribute.get("value")
            return str(value) if value not in (None, "") else None
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0 or number != int(number):
        return None
    return int(number)


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _text(value: Any, limit: int) -> str | None:
    return str(value).strip()[:limit] or None if isinstance(value, (str, int, float)) else None


class CapacityImport:
    """Reads the ``capacities`` of imported service objects into one session."""

    def __init__(self, session: Session, source: str) -> None:
        self.session = session
        self.source = source
        self.warnings: list[str] = []
        self.changed_services: set[str] = set()
        self.counts = {"service_capacity": 0, "unit": 0}

    def _key(self, table: str, obj: dict[str, Any]) -> tuple[str, str, str] | None:
        """The record's id, source and source id (from its ``kiosk:source*`` attributes, else
        the import's source and the object's id); None without an id."""
        raw = _text(obj.get("id"), 200)
        if not raw:
            return None
        own_source = _extension(obj, ext.SOURCE)
        if own_source:  # exported here: its source as it was (a record made here has no source id)
            return stable_id(own_source, table, raw), own_source, _extension(obj, ext.SOURCE_ID) or ""
        return stable_id(self.source, table, raw), self.source, raw

    def _unit(self, obj: Any, where: str) -> Unit | None:
        if not isinstance(obj, dict) or not _text(obj.get("name"), 200):
            self.warnings.append(f"{where}: a capacity without a unit name was not read")
            return None
        key = self._key("unit", obj)
        if key is None:
            self.warnings.append(f"{where}: a unit without an id was not read")
            return None
        unit_id, source, source_id = key
        unit = self.session.get(Unit, unit_id) or Unit(id=unit_id)
        if unit not in self.session:
            self.session.add(unit)
        unit.source, unit.source_id = source, source_id
        unit.name = _text(obj.get("name"), 200) or ""
        unit.name_es = _extension(obj, ext.UNIT_NAME_ES)
        for name in UNIT_FIELDS:
            setattr(unit, name, _text(obj.get(name), 500 if name == "uri" else 200))
        self.counts["unit"] += 1
        return unit

    def service(self, service_id: str, items: Any, where: str) -> None:
        """Make the service's capacities those of ``items`` (its object's ``capacities``)."""
        with self.session.no_autoflush:  # records are complete only once all fields are set
            changed = self._read(service_id, items, where)
        self.session.flush()
        if changed:
            self.changed_services.add(service_id)

    def _read(self, service_id: str, items: Any, where: str) -> bool:
        """Set the service's capacities (see :meth:`service`); whether anything changed."""
        if not isinstance(items, list):
            self.warnings.append(f"{where}: capacities is not a list; not read")
            return False
        kept: set[str] = set()
        units: dict[str, Unit] = {}
        touched: list[Any] = []
        for index, obj in enumerate(items):
            at = f"{where}/{index}"
            if not isinstance(obj, dict):
                self.warnings.append(f"{at}: not an object; not read")
                continue
            unit_obj = obj.get("unit")
            if unit_obj is None and isinstance(obj.get("unit_id"), str) and obj["unit_id"] in units:
                unit = units[obj["unit_id"]]
            else:
                unit = self._unit(unit_obj, at)
            available, updated = _count(obj.get("available")), _time(obj.get("updated"))
            key = self._key("service_capacity", obj)
            if unit is None or available is None or updated is None or key is None:
                if unit is not None:
                    self.warnings.append(f"{at}: a capacity needs an id, a whole available count "
                                         "and an updated date-time; not read")
                continue
            units[unit.id] = unit
            touched.append(unit)
            capacity_id, source, source_id = key
            capacity = self.session.get(ServiceCapacity, capacity_id) or ServiceCapacity(id=capacity_id)
            if capacity not in self.session:
                self.session.add(capacity)
            capacity.service_id, capacity.unit = service_id, unit
            capacity.source, capacity.source_id = source, source_id
            capacity.available = available
            maximum = _count(obj.get("maximum"))
            capacity.maximum = maximum
            capacity.description = _text(obj.get("description"), 4000)
            capacity.updated = updated
            kept.add(capacity_id)
            touched.append(capacity)
            self.counts["service_capacity"] += 1
        changed = any(obj in self.session.new or self.session.is_modified(obj) for obj in touched)
        gone = list(self.session.scalars(select(ServiceCapacity).where(
            ServiceCapacity.service_id == service_id, ServiceCapacity.id.not_in(kept or {""}))))
        for old in gone:
            self.session.delete(old)
        return changed or bool(gone)
