"""HSDS 3.0 JSON -> canonical rows.

Accepted shapes: a single object (service, organization, service_at_location, location,
taxonomy, taxonomy_term), a list of them, the API's paginated form ``{"contents": [...]}``, and
the tabular-in-JSON form ``{"services.csv": [...], ...}``. Objects may be nested (a service's
``organization``, ``service_at_locations[].location``, an organization's ``services`` ...) or
refer to each other by flat ``*_id`` fields; both are read.

HSDS JSON repeats the same object wherever it is related (the example service's phone appears
under the service, its location, its organization and a contact): objects of one kind with the
same id are one record, with their fields and relations merged. Each distinct object is one row
in the report, under its kind, with a JSON pointer to where it first appears.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .csvfile import CsvRecord, CsvTable, sniff_text
from .errors import HSDSImportError
from .rows import Origin, ReadResult, SourceRow
from .tabular import IGNORED, TABLES

#: Nested keys: kind -> json key -> (child kind, which side holds the link, link field).
#: "child": the child's field points at the parent; "parent": the parent's field at the child.
NESTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "service": {
        "organization": ("organization", "parent", "organization_id"),
        "phones": ("phone", "child", "service_id"),
        "schedules": ("schedule", "child", "service_id"),
        "service_at_locations": ("service_at_location", "child", "service_id"),
        "languages": ("language", "child", "service_id"),
        "cost_options": ("cost_option", "child", "service_id"),
        "attributes": ("attribute", "child", "link_id"),
    },
    "organization": {
        "services": ("service", "child", "organization_id"),
        "locations": ("location", "child", "organization_id"),
        "phones": ("phone", "child", "organization_id"),
        "attributes": ("attribute", "child", "link_id"),
    },
    "service_at_location": {
        "service": ("service", "parent", "service_id"),
        "location": ("location", "parent", "location_id"),
        "phones": ("phone", "child", "service_at_location_id"),
        "schedules": ("schedule", "child", "service_at_location_id"),
        "attributes": ("attribute", "child", "link_id"),
    },
    "location": {
        "addresses": ("address", "child", "location_id"),
        "accessibility": ("accessibility", "child", "location_id"),
        "phones": ("phone", "child", "location_id"),
        "schedules": ("schedule", "child", "location_id"),
        "languages": ("language", "child", "location_id"),
        "attributes": ("attribute", "child", "link_id"),
    },
    "phone": {
        "languages": ("language", "child", "phone_id"),
        "attributes": ("attribute", "child", "link_id"),
    },
    "schedule": {"attributes": ("attribute", "child", "link_id")},
    "address": {"attributes": ("attribute", "child", "link_id")},
    "accessibility": {"attributes": ("attribute", "child", "link_id")},
    "language": {"attributes": ("attribute", "child", "link_id")},
    "cost_option": {"attributes": ("attribute", "child", "link_id")},
    "taxonomy_term": {
        "taxonomy_detail": ("taxonomy", "parent", "taxonomy_id"),
        "attributes": ("attribute", "child", "link_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "parent", "taxonomy_term_id")},
    "taxonomy": {"attributes": ("attribute", "child", "link_id")},
}

#: Keys that only one kind has, used to tell what a top-level object is.
SIGNATURES: dict[str, frozenset[str]] = {
    "service_at_location": frozenset({"service", "location", "service_id", "location_id"}),
    "service": frozenset({
        "organization", "organization_id", "service_at_locations", "status", "program",
        "interpretation_services", "application_process", "fees_description", "fees",
        "wait_time", "eligibility_description", "assured_date", "assurer_email", "cost_options",
        "licenses", "alert", "minimum_age", "maximum_age", "accreditations", "required_documents",
        "service_areas",
    }),
    "organization": frozenset({
        "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo",
        "parent_organization_id", "services", "locations", "organization_identifiers", "programs",
    }),
    "location": frozenset({
        "location_type", "latitude", "longitude", "addresses", "transportation", "accessibility",
        "external_identifier", "external_identifier_type",
    }),
    "taxonomy_term": frozenset({"code", "parent_id", "taxonomy", "taxonomy_detail", "term_uri",
                                "taxonomy_id"}),
    "taxonomy": frozenset({"uri", "version"}),
}
_PREFERENCE = ("service_at_location", "service", "organization", "location", "taxonomy_term",
               "taxonomy")
_SCALARS = (str, int, float, bool, type(None))


def classify(obj: Any) -> str | None:
    """The HSDS kind of a top-level object, or ``None`` when it is none of them."""
    if not isinstance(obj, dict) or not obj:
        return None
    keys = set(obj)
    if {"service", "location"} <= keys or {"service_id", "location_id"} <= keys and not (
        keys & (SIGNATURES["service"] - {"service_id"})
    ):
        return "service_at_location"
    scores = {kind: len(keys & SIGNATURES[kind]) for kind in _PREFERENCE[1:]}
    best = max(scores.values())
    if best == 0:
        return None
    if best == 1 and scores["taxonomy"] == 1 and not keys <= {"id", "name", "description",
                                                                "uri", "version"}:
        return None
    return next(kind for kind in _PREFERENCE[1:] if scores[kind] == best)


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


class _Walker:
    """Flattens nested HSDS objects into rows, merging repeated objects of the same id."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.rows: list[SourceRow] = []
        self.by_id: dict[tuple[str, str], SourceRow] = {}
        self.ignored: dict[str, int] = {}
        self.warnings: list[str] = []
        self.capacities: list[tuple[SourceRow, Any, str]] = []

    def walk(self, obj: Any, kind: str, pointer: str) -> SourceRow | None:
        if not isinstance(obj, dict):
            self.warnings.append(f"{self.label} {pointer or '/'}: expected an object; not read")
            return None
        fields = {k: v for k, v in obj.items() if isinstance(v, _SCALARS)}
        raw_id = fields.get("id")
        raw_id = str(raw_id).strip() if raw_id not in (None, "") else None
        row: SourceRow | None = self.by_id.get((kind, raw_id)) if raw_id else None
        if row is None:
            row = SourceRow(kind, fields, Origin(self.label, pointer=pointer or "/"),
                            kind, raw_id)
            self.rows.append(row)
            if raw_id:
                self.by_id[(kind, raw_id)] = row
        else:
            for name, value in fields.items():
                if row.fields.get(name) in (None, "") and value not in (None, ""):
                    row.fields[name] = value
        for key, value in obj.items():
            if isinstance(value, _SCALARS):
                continue
            if kind == "service" and key == "capacities":  # HSDS 3.1: read by .capacities
                self.capacities.append((row, value, f"{pointer}/capacities"))
                continue
            nested = NESTED.get(kind, {}).get(key)
            if nested is None:
                self.ignored[key] = self.ignored.get(key, 0) + (
                    len(value) if isinstance(value, list) else 1)
                continue
            child_kind, side, link = nested
            if side == "child" and isinstance(value, list):
                row.children.add(child_kind)
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                where = f"{pointer}/{_escape(key)}" + (
                    f"/{index}" if isinstance(value, list) else "")
                child = self.walk(item, child_kind, where)
                if child is None:
                    continue
                if side == "child":
                    child.links.setdefault(link, row)
                else:
                    row.links.setdefault(link, child)
        return row


def _tabular_json(data: dict[str, Any], label: str) -> ReadResult:
    result = ReadResult()
    for name, items in data.items():
        table_name = name.lower()
        if table_name in IGNORED:
            result.ignored.append({"file": f"{label}#/{name}", "rows": len(items or []),
                                   "reason": IGNORED[table_name]})
            continue
        spec = TABLES.get(table_name)
        if spec is None or not isinstance(items, list):
            result.warnings.append(f"{label}: {name} is not an HSDS table; it was not read")
            continue
        columns: list[str] = []
        records: list[CsvRecord] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            values = {str(k).lower(): "" if v is None else str(v) for k, v in item.items()
                      if isinstance(v, _SCALARS)}
            for column in values:
                if column not in columns:
                    columns.append(column)
            records.append(CsvRecord(None, values, f"/{_escape(name)}/{index}"))
        for record in records:
            for column in columns:
                record.values.setdefault(column, "")
        missing = [c for c in spec.required if c not in columns]
        if records and missing:
            raise HSDSImportError(f"{label}: {name} has no {', '.join(missing)} field")
        table = CsvTable(f"{label}#/{name}", columns, records)
        result.rows.extend(spec.adapter(table))
        result.covered.update(spec.kinds)
        result.tables[f"{label}#/{name}"] = spec.kinds[0]
    return result


def load_json(path: Path) -> Any:
    """Parse the JSON file at ``path``; junk and broken JSON raise :class:`HSDSImportError`."""
    label = path.name
    head = sniff_text(path, label)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start not in (b"{", b"["):
        raise HSDSImportError(
            f"{label} is not HSDS data: it is not JSON (an HSDS JSON file starts with {{ or [)"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HSDSImportError(f"{label} is not UTF-8 text (at byte {error.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise HSDSImportError(
            f"{label} is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise HSDSImportError(f"{label} is nested too deeply to be HSDS data") from None


def read_json(path: Path) -> tuple[ReadResult, str]:
    """All rows of an HSDS JSON file, and its form (for the report)."""
    label = path.name
    data = load_json(path)
    if isinstance(data, dict) and data and all(str(k).lower().endswith(".csv") for k in data):
        return _tabular_json(data, label), "3.0 tabular JSON"
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix, form = data["contents"], "/contents", "3.0 JSON page"
    elif isinstance(data, list):
        items, prefix, form = data, "", "3.0 JSON list"
    else:
        items, prefix, form = [data], None, "3.0 JSON object"
    walker = _Walker(label)
    unknown: list[str] = []
    for index, item in enumerate(items):
        pointer = "" if prefix is None else f"{prefix}/{index}"
        kind = classify(item)
        if kind is None:
            unknown.append(pointer or "/")
            continue
        walker.walk(item, kind, pointer)
    if not walker.rows:
        what = "an empty list" if not items else "none of the fields of an HSDS service, " \
            "organization, location, service_at_location, taxonomy or taxonomy_term"
        raise HSDSImportError(f"{label} is not HSDS data: it has {what}")
    result = ReadResult(rows=walker.rows, warnings=walker.warnings, capacities=walker.capacities)
    for pointer in unknown:
        result.skipped.append({"file": label, "table": "unknown", "line": pointer, "id": None,
                               "reason": "not an HSDS object (none of the fields of a service, "
                                         "organization, location ...)"})
    for key, count in sorted(walker.ignored.items()):
        result.ignored.append({"file": f"{label} ({key})", "rows": count,
                               "reason": f"{key} are not kept"})
    return result, form
