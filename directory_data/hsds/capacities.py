"""HSDS 3.1 ``service_capacity`` and ``unit``: a service's ``capacities`` in the export, the HSDS
API and the JSON import.

Export: each capacity is a 3.1 ``service_capacity`` object with its ``unit`` nested; a unit's
Spanish name, which HSDS has no field for, is the ``kiosk:unit-name-es`` attribute, and the
capacity's and unit's source ids are ``kiosk:source``/``kiosk:source-id`` attributes, like every
other record's (:mod:`.extensions`).

Import (JSON services, and the tabular ``service_capacity.csv`` and ``units.csv`` through
:mod:`.tabular_capacity`): a service's capacities in the import are the whole set of them, so a
capacity the service no longer lists is removed. Ids follow the rest of the importer
(:func:`directory_data.models.stable_id`: a UUID is kept), so import -> export -> import keeps
every capacity and unit as it was. One set of rules (:func:`capacity_values`) decides what can be
read: a capacity without a unit, id, whole ``available`` count, ``maximum`` at least as large, or
time-zoned ``updated`` time is left out, with the reason in the report (a warning naming the
JSON object; a skipped row of the CSV file), and a capacity of that id already held is kept as it
was. Everything is added and flushed, never committed; a capacity carries its ``service_id``, so
the change journal names its service.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _count_field(obj: dict[str, Any], name: str, problems: list[str], *, required: bool) -> int | None:
    """Field ``name`` of ``obj`` as a whole count of 0 or more; what is wrong goes to ``problems``."""
    raw = obj.get(name)
    if _blank(raw):
        if required:
            problems.append(f"{name} is missing")
        return None
    value = _count(raw)
    if value is None:
        problems.append(f"{name} {raw!r} is not a whole number of 0 or more")
    return value


def capacity_values(obj: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values of a ``service_capacity`` object or CSV row (``available``, ``maximum``,
    ``description``, ``updated``), and what is wrong with it: the rules every import applies.

    A capacity needs an id, a whole ``available`` count of 0 or more, no more than its
    ``maximum`` (optional, a whole count too) and an ``updated`` date-time with a time zone.
    """
    problems: list[str] = []
    if not _text(obj.get("id"), 200):
        problems.append("it has no id")
    available = _count_field(obj, "available", problems, required=True)
    maximum = _count_field(obj, "maximum", problems, required=False)
    if available is not None and maximum is not None and available > maximum:
        problems.append(f"available {available} is more than maximum {maximum}")
    raw = obj.get("updated")
    updated = _time(raw)
    if updated is None:
        problems.append("updated is missing" if _blank(raw) else
                        f"updated {raw!r} is not a date-time with a time zone "
                        "(such as 2026-12-07T14:30:00Z)")
    values = {"available": available, "maximum": maximum, "updated": updated,
              "description": _text(obj.get("description"), 4000)}
    return values, problems


@dataclass(frozen=True)
class Entry:
    """One capacity to read: where it is (for messages), its object (a JSON object or a CSV
    row's values), and its unit, already read, or why it has none."""

    where: str
    obj: Any
    unit: Unit | str


@dataclass(frozen=True)
class Outcome:
    """What became of one entry: ``created``, ``updated``, ``unchanged``, or ``skipped`` and why."""

    status: str
    reason: str | None = None


def entry_values(entry: Entry) -> tuple[dict[str, Any], list[str]]:
    """:func:`capacity_values` of an entry's object, with its missing unit first among the problems."""
    values, problems = capacity_values(entry.obj)
    if isinstance(entry.unit, str):
        problems.insert(0, entry.unit)
    return values, problems


class CapacityImport:
    """Reads capacities and units into one session, for the JSON and the tabular import."""

    def __init__(self, session: Session, source: str) -> None:
        self.session = session
        self.source = source
        self.warnings: list[str] = []
        self.changed_services: set[str] = set()
        self.removed = 0

    def status(self, record: Any) -> str:
        """``created``, ``updated`` or ``unchanged``: what reading ``record`` did (before a flush)."""
        if record in self.session.new:
            return "created"
        return "updated" if self.session.is_modified(record) else "unchanged"

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

    def unit(self, obj: Any) -> Unit | str:
        """The unit of ``obj`` (a ``unit`` object or a row of ``units.csv``), added or updated;
        or why it cannot be read."""
        if not isinstance(obj, dict) or not _text(obj.get("name"), 200):
            return "the unit has no name" if isinstance(obj, dict) else "it has no unit"
        key = self._key("unit", obj)
        if key is None:
            return "the unit has no id"
        unit_id, source, source_id = key
        with self.session.no_autoflush:
            unit = self.session.get(Unit, unit_id) or Unit(id=unit_id)
            if unit not in self.session:
                self.session.add(unit)
            unit.source, unit.source_id = source, source_id
            unit.name = _text(obj.get("name"), 200) or ""
            unit.name_es = _extension(obj, ext.UNIT_NAME_ES)
            for name in UNIT_FIELDS:
                setattr(unit, name, _text(obj.get(name), 500 if name == "uri" else 200))
        return unit

    def service(self, service_id: str, items: Any, where: str) -> None:
        """Make the service's capacities those of ``items`` (its JSON object's ``capacities``);
        each one that cannot be read is a warning naming it."""
        if not isinstance(items, list):
            self.warnings.append(f"{where}: capacities is not a list; not read")
            return
        units: dict[str, Unit] = {}
        entries = []
        for index, obj in enumerate(items):
            unit: Unit | str = "not an object"
            if isinstance(obj, dict):
                unit_id = obj.get("unit_id")
                if obj.get("unit") is None and isinstance(unit_id, str) and unit_id in units:
                    unit = units[unit_id]
                else:
                    unit = self.unit(obj.get("unit"))
            if isinstance(unit, Unit):
                units[unit.id] = unit
            entries.append(Entry(f"{where}/{index}", obj, unit))
        for entry, outcome in zip(entries, self.replace(service_id, entries)):
            if outcome.reason:
                self.warnings.append(f"{entry.where}: {outcome.reason}; not read")

    def replace(self, service_id: str, entries: Sequence[Entry]) -> list[Outcome]:
        """Make the service's capacities those of ``entries``; what became of each entry.

        A capacity no entry names is removed; one an entry names but that cannot be read is
        kept as it was. Flushes; the service is noted as changed when anything changed.
        """
        outcomes: list[Outcome] = []
        kept: set[str] = set()
        with self.session.no_autoflush:  # records are complete only once all fields are set
            for entry in entries:
                outcome, capacity_id = self._entry(service_id, entry)
                outcomes.append(outcome)
                if capacity_id:
                    kept.add(capacity_id)
            units = {entry.unit for entry in entries if isinstance(entry.unit, Unit)}
            changed = any(o.status in ("created", "updated") for o in outcomes) or any(
                self.status(unit) != "unchanged" for unit in units)
        gone = list(self.session.scalars(select(ServiceCapacity).where(
            ServiceCapacity.service_id == service_id, ServiceCapacity.id.not_in(kept or {""}))))
        for old in gone:
            self.session.delete(old)
        self.removed += len(gone)
        self.session.flush()
        if changed or gone:
            self.changed_services.add(service_id)
        return outcomes

    def _entry(self, service_id: str, entry: Entry) -> tuple[Outcome, str | None]:
        """Read one entry; its outcome and the id of the capacity it names (None without one)."""
        obj = entry.obj
        if not isinstance(obj, dict):
            return Outcome("skipped", "not an object"), None
        key = self._key("service_capacity", obj)
        values, problems = entry_values(entry)
        if problems or key is None or isinstance(entry.unit, str):
            return Outcome("skipped", "; ".join(problems)), key[0] if key else None
        capacity_id, source, source_id = key
        capacity = self.session.get(ServiceCapacity, capacity_id) or ServiceCapacity(id=capacity_id)
        if capacity not in self.session:
            self.session.add(capacity)
        capacity.service_id, capacity.unit = service_id, entry.unit
        capacity.source, capacity.source_id = source, source_id
        for name, value in values.items():
            setattr(capacity, name, value)
        return Outcome(self.status(capacity)), capacity_id
