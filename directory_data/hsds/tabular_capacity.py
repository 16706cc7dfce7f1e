"""HSDS 3.1 capacities in a tabular package: ``service_capacity.csv`` and ``units.csv``.

The files are read with the rest of the package (:func:`.tabular.read_tabular` keeps them apart
from the rows the builder turns into records, with the attributes describing their records:
``kiosk:source``, ``kiosk:source-id``, a unit's ``kiosk:unit-name-es``). Once the services are
written, :func:`import_capacities` reads them with :class:`.capacities.CapacityImport`, by the
rules the JSON import uses:

* every unit of ``units.csv`` is added or updated, also one no capacity counts;
* a capacity row belongs to the service its ``service_id`` names among this package's services;
  the rows of each service are that service's whole set of capacities (a service of the package
  without rows has none left), as long as the package has a ``service_capacity.csv`` at all;
* a row that cannot be read (no such service or unit, a count that is not a whole number,
  ``available`` above ``maximum``, no ``updated`` time ...) is skipped with its line and reason
  in the report, and only that row: the rest of the import goes on.

Every row is counted in the report under its file, like the rows of the other tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import ServiceCapacity, Unit

from . import extensions as ext
from .build_state import Plan
from .capacities import CapacityImport, Entry, entry_values
from .csvfile import CsvRecord, CsvTable
from .report import ImportReport
from .rows import ReadResult, SourceRow

#: The capacity files of a package: file name -> (kind, the columns it cannot do without).
CAPACITY_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "service_capacity.csv": ("service_capacity", ("service_id", "unit_id")),
    "units.csv": ("unit", ("id", "name")),
    "unit.csv": ("unit", ("id", "name")),  # the 3.1 name is units.csv; the singular is read too
}

#: The kinds of records the capacity files hold (an attribute's ``link_entity``).
CAPACITY_KINDS: frozenset[str] = frozenset(kind for kind, _ in CAPACITY_FILES.values())

_EXTENSION_TERMS: frozenset[str] = frozenset(ext.term_id(code) for code in ext.EXTENSIONS)


def set_aside_attributes(result: ReadResult) -> None:
    """Move the attribute rows describing capacities and units out of ``result.rows`` (the
    builder has no such records) into ``result.capacity.attributes``."""
    kept: list[SourceRow] = []
    for row in result.rows:
        entity = str(row.fields.get("link_entity") or "").strip().lower()
        (result.capacity.attributes if row.kind == "attribute" and entity in CAPACITY_KINDS
         else kept).append(row)
    result.rows = kept


def _link(row: SourceRow) -> tuple[str, str]:
    return (str(row.fields.get("link_entity") or "").strip().lower(),
            str(row.fields.get("link_id") or "").strip())


def _raw(record: CsvRecord, column: str) -> str:
    return (record.values.get(column) or "").strip()


class _TabularCapacities:
    """One import's capacity files, read into the session and counted in the report."""

    def __init__(self, session: Session, result: ReadResult, plan: Plan, source: str,
                 report: ImportReport) -> None:
        self.session, self.plan, self.report = session, plan, report
        self.tables = result.capacity.tables
        self.reader = CapacityImport(session, source)
        self.attributes: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in result.capacity.attributes:
            self.attributes[_link(row)].append({"taxonomy_term_id": row.fields.get("taxonomy_term_id"),
                                                "value": row.fields.get("value")})
        self.attribute_rows = result.capacity.attributes
        self.services = self._services(result.rows)
        #: What became of each record read: (kind, raw id) -> created/updated/unchanged.
        self.statuses: dict[tuple[str, str], str] = {}
        self.units: dict[str, Unit | str] = {}

    def _services(self, rows: list[SourceRow]) -> dict[str, str | None]:
        """The package's services: raw id -> the id of the service written (None: skipped)."""
        found: dict[str, str | None] = {}
        for row in rows:
            if row.kind != "service" or not row.raw_id:
                continue
            targets = [t for t in self.plan.targets.get(row, []) if t[0] == "service"]
            if targets or row.raw_id not in found:
                found[row.raw_id] = str(targets[0][1]) if targets else None
        return found

    def _records(self, kind: str) -> Iterator[tuple[CsvTable, CsvRecord, str]]:
        """The records of ``kind``'s files with their raw ids; a repeated id is skipped."""
        for table_kind, table in self.tables:
            if table_kind != kind:
                continue
            seen: dict[str, int | None] = {}
            for record in table.records:
                raw = _raw(record, "id")
                if raw and raw in seen:
                    self._skip(table, record, kind, f"it repeats the id of line {seen[raw]}")
                    continue
                seen[raw] = record.line
                yield table, record, raw

    def _skip(self, table: CsvTable, record: CsvRecord, kind: str, reason: str) -> None:
        self.report.skip(table.label, kind, table.label, record.line or "",
                         _raw(record, "id") or None, reason)

    def _object(self, kind: str, record: CsvRecord, raw: str) -> dict[str, Any]:
        return {**record.values, "attributes": self.attributes.get((kind, raw), [])}

    def read_units(self) -> None:
        """Add or update every unit of the units file."""
        for table, record, raw in self._records("unit"):
            unit = self.reader.unit(self._object("unit", record, raw))
            if isinstance(unit, str):
                self._skip(table, record, "unit", unit)
                self.units[raw] = f"its unit {raw} was not read ({table.label} line {record.line}: {unit})"
                continue
            self.units[raw] = unit
            self.statuses[("unit", raw)] = status = self.reader.status(unit)
            self.report.count(table.label, "unit", status)

    def _unit_of(self, record: CsvRecord) -> Unit | str:
        raw = _raw(record, "unit_id")
        if not raw:
            return "it names no unit (unit_id is blank)"
        return self.units.get(raw) or f"its unit {raw} is not in the units file (units.csv)"

    def _service_of(self, record: CsvRecord) -> str:
        """The id of the service a row belongs to; raises ValueError saying why there is none."""
        raw = _raw(record, "service_id")
        if not raw:
            raise ValueError("it names no service (service_id is blank)")
        if raw not in self.services:
            raise ValueError(f"its service {raw} is not in this import")
        service_id = self.services[raw]
        if service_id is None:
            raise ValueError(f"its service {raw} was skipped (see that row)")
        return service_id

    def read_capacities(self) -> None:
        """Make each service's capacities the rows naming it."""
        if not any(kind == "service_capacity" for kind, _ in self.tables):
            return
        rows: dict[str, list[tuple[CsvTable, CsvRecord, str, Entry]]] = defaultdict(list)
        for table, record, raw in self._records("service_capacity"):
            entry = Entry(f"{table.label} line {record.line}",
                          self._object("service_capacity", record, raw), self._unit_of(record))
            try:
                service_id = self._service_of(record)
            except ValueError as why:  # said first, then whatever else is wrong with the row
                reasons = [str(why), *entry_values(entry)[1]]
                self._skip(table, record, "service_capacity", "; ".join(reasons))
                continue
            rows[service_id].append((table, record, raw, entry))
        imported = {service_id for service_id in self.services.values() if service_id}
        held = set(self.session.scalars(select(ServiceCapacity.service_id).distinct()))
        for service_id in sorted(set(rows) | (imported & held)):
            items = rows.get(service_id, [])
            outcomes = self.reader.replace(service_id, [entry for *_, entry in items])
            for (table, record, raw, entry), outcome in zip(items, outcomes):
                if outcome.reason:
                    self._skip(table, record, "service_capacity", outcome.reason)
                    continue
                self.statuses[("service_capacity", raw)] = outcome.status
                self.report.count(table.label, "service_capacity", outcome.status)
                if self.statuses.get(("unit", _raw(record, "unit_id")), "unchanged") != "unchanged":
                    self.reader.changed_services.add(service_id)

    def count_attributes(self) -> None:
        """Count the attribute rows describing capacities and units with the record they describe."""
        for row in self.attribute_rows:
            kind, link = _link(row)
            name = kind.replace("_", " ")
            status = self.statuses.get((kind, link))
            if str(row.fields.get("taxonomy_term_id") or "").strip() not in _EXTENSION_TERMS:
                reason = f"taxonomy terms are kept for services only; this one describes a {name}"
            elif status is None:
                reason = f"it describes the {name} {link or '(no link_id)'}, which was not read"
            else:
                self.report.count(row.table, "attribute", status)
                continue
            self.report.skip(row.table, "attribute", row.origin.file, row.origin.where,
                             row.raw_id, reason)


def import_capacities(session: Session, result: ReadResult, plan: Plan, source: str,
                      report: ImportReport) -> CapacityImport | None:
    """Read the package's capacity files (see the module docstring) once its services are
    written; the reader (its changed services and removed count), None without such files."""
    if not result.capacity.tables:
        return None
    reading = _TabularCapacities(session, result, plan, source, report)
    reading.read_units()
    reading.read_capacities()
    session.flush()
    reading.count_attributes()
    return reading.reader
