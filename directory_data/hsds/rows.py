"""Source rows in canonical form: HSDS 3.0 objects, flat, with where each came from.

Every reader (HSDS 1.1 tabular, 3.0 tabular, 3.0 JSON) turns its input into :class:`SourceRow`
objects of the HSDS 3.0 kinds below, with 3.0 field names and foreign keys as the source's own
ids. The builder maps them to model values; the report counts them per source table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .csvfile import CsvTable

#: The HSDS 3.0 kinds the importer understands, in the order they are built.
KINDS: tuple[str, ...] = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "service",
    "location",
    "service_at_location",
    "phone",
    "address",
    "accessibility",
    "schedule",
    "language",
    "cost_option",
    "eligibility",
    "service_taxonomy",
    "attribute",
)

#: Foreign-key fields of each kind and the kind they point to.
REFERENCES: dict[str, dict[str, str]] = {
    "taxonomy": {},
    "taxonomy_term": {"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"},
    "organization": {"parent_organization_id": "organization"},
    "service": {"organization_id": "organization"},
    "location": {"organization_id": "organization"},
    "service_at_location": {"service_id": "service", "location_id": "location"},
    "phone": {
        "service_id": "service",
        "location_id": "location",
        "organization_id": "organization",
        "service_at_location_id": "service_at_location",
    },
    "address": {"location_id": "location"},
    "accessibility": {"location_id": "location"},
    "schedule": {
        "service_id": "service",
        "location_id": "location",
        "service_at_location_id": "service_at_location",
    },
    "language": {"service_id": "service", "location_id": "location", "phone_id": "phone"},
    "cost_option": {"service_id": "service"},
    "eligibility": {"service_id": "service"},
    "service_taxonomy": {"service_id": "service", "taxonomy_id": "taxonomy_term"},
    "attribute": {"taxonomy_term_id": "taxonomy_term"},
}

#: The fields naming a child row's owners, most specific first (used to make up missing ids).
OWNERS: dict[str, tuple[str, ...]] = {
    "phone": ("service_id", "location_id", "organization_id", "service_at_location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
    "address": ("location_id",),
    "accessibility": ("location_id",),
    "cost_option": ("service_id",),
    "eligibility": ("service_id",),
    "service_at_location": ("service_id", "location_id"),
    "service_taxonomy": ("service_id", "taxonomy_id"),
    "attribute": ("link_id",),
}


@dataclass(slots=True)
class Origin:
    """Where a row came from: the file and a 1-based physical line (CSV) or a JSON pointer."""

    file: str
    line: int | None = None
    pointer: str | None = None

    @property
    def where(self) -> int | str:
        """The line number, or the JSON pointer."""
        if self.line is not None:
            return self.line
        return self.pointer if self.pointer is not None else ""


@dataclass(slots=True, eq=False)
class SourceRow:
    """One object of the source in HSDS 3.0 form.

    ``fields`` holds HSDS 3.0 field names with raw values (text from CSV, JSON values from JSON);
    a field that the source does not have at all is absent, so it is left alone on update.
    ``table`` is the source table the report counts the row under. A row made from another one
    (a language from a 1.1 phone's ``language`` column, say) has ``derived_from`` set and is
    counted with that row. ``links`` points foreign-key fields straight at other rows (nested
    JSON objects, rows made from a parent row) and wins over the id in ``fields``. ``ext`` holds
    the kiosk extension attributes (``kiosk:*``) linked to the row, code -> values.
    """

    kind: str
    fields: dict[str, Any]
    origin: Origin
    table: str
    raw_id: str | None = None
    key: str | None = None
    derived_from: SourceRow | None = None
    links: dict[str, SourceRow] = field(default_factory=dict)
    ext: dict[str, list[str]] = field(default_factory=dict)
    children: set[str] = field(default_factory=set)

    @property
    def counted(self) -> SourceRow:
        """The row the report counts this one under (itself, or the row it was made from)."""
        row = self
        while row.derived_from is not None:
            row = row.derived_from
        return row


@dataclass
class CapacityTables:
    """A tabular package's HSDS 3.1 capacity files, read by :mod:`.tabular_capacity` once the
    services are written: each file's kind (``service_capacity``, ``unit``) and table, and the
    attribute rows describing their records."""

    tables: list[tuple[str, CsvTable]] = field(default_factory=list)
    attributes: list[SourceRow] = field(default_factory=list)


@dataclass
class ReadResult:
    """What a reader found: the rows, tables it did not import, and notes for the report.

    ``covered`` names the kinds whose whole table was read (tabular packages): every record of
    that kind belonging to a parent in the import is in ``rows``, so others are removed.
    ``skipped`` lists objects that were not read at all (file, line, id, reason). ``tables``
    names the source tables read and the kind of their rows (listed in the report even when
    empty).
    """

    rows: list[SourceRow] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)
    #: HSDS 3.1 ``capacities`` of service objects (JSON): the service's row, the list, where.
    capacities: list[tuple[SourceRow, Any, str]] = field(default_factory=list)
    #: HSDS 3.1 ``service_capacity.csv`` and ``units.csv`` of a tabular package.
    capacity: CapacityTables = field(default_factory=CapacityTables)
