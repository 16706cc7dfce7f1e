"""HSDS 1.0/1.1 tabular tables (as real 211 exports produce them) -> canonical 3.0 rows.

The field crosswalk:

==============================  ===============================================================
1.1                             3.0 (canonical)
==============================  ===============================================================
services.fees                   service.fees_description
services.taxonomy_ids (list)    one service_taxonomy row per id
organizations.url               organization.website
phones.language ("en, es")      one language row per code, linked to the phone
physical_addresses.csv          address, ``address_type=physical`` (``address_3``/``_4`` are
postal_addresses.csv            appended to ``address_2``); postal: ``address_type=postal``
regular_schedules.csv           schedule, ``freq=WEEKLY``, ``byday`` from ``weekday`` (a name or
                                1 = Monday .. 7 = Sunday), Miami's ``original_text`` kept as
                                the description
holiday_schedules.csv           schedule with ``valid_from``/``valid_to`` from ``start_date`` /
                                ``end_date``: a closure when ``closed``, else special hours
accessibility_for_disabilities  accessibility: ``accessibility`` -> ``description``
languages.language              language.name (the ISO code is looked up from it)
eligibility.csv                 appended to service.eligibility_description
taxonomy.csv                    taxonomy_term (the id is the code, e.g. AIRS ``BH-1800``;
                                ``vocabulary`` names a taxonomy)
services_taxonomy.csv           service_taxonomy (service -> term)
==============================  ===============================================================
"""

from __future__ import annotations

import re
import uuid

from .csvfile import CsvTable
from .rows import SourceRow
from .tabular_v3 import PHONE_FIELDS, SERVICE_FIELDS, copy_rows

_LIST_SPLIT = re.compile(r"\s*[,;|]\s*")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def services(table: CsvTable) -> list[SourceRow]:
    """``services.csv`` (1.x ``fees``; deprecated ``taxonomy_ids`` lists become links)."""
    rows = copy_rows(table, "service", SERVICE_FIELDS, {"fees": "fees_description"})
    if "taxonomy_ids" not in table.columns:
        return rows
    derived: list[SourceRow] = []
    for row, record in zip(rows, table.records):
        for term in _LIST_SPLIT.split(record.values["taxonomy_ids"].strip()):
            if term:
                derived.append(SourceRow(
                    "service_taxonomy", {"taxonomy_id": term}, row.origin, table.label,
                    derived_from=row, links={"service_id": row},
                ))
    return rows + derived


def phones(table: CsvTable) -> list[SourceRow]:
    """``phones.csv`` (1.1 ``language`` lists the languages spoken on the line)."""
    rows = copy_rows(table, "phone", PHONE_FIELDS)
    if "language" not in table.columns:
        return rows
    derived: list[SourceRow] = []
    for row, record in zip(rows, table.records):
        for n, code in enumerate(_LIST_SPLIT.split(record.values["language"].strip()), 1):
            if code:
                derived.append(SourceRow(
                    "language", {"code": code, "name": code}, row.origin, table.label,
                    key=f"{row.raw_id or record.line}#language{n}",
                    derived_from=row, links={"phone_id": row},
                ))
    return rows + derived


def _addresses(table: CsvTable, address_type: str) -> list[SourceRow]:
    rows: list[SourceRow] = []
    for record in table.records:
        v = record.values
        fields = {k: v[k] for k in (
            "id", "location_id", "attention", "address_1", "city", "region", "state_province",
            "postal_code", "country",
        ) if k in v}
        extra = [v.get(k, "").strip() for k in ("address_2", "address_3", "address_4")]
        if any(k in v for k in ("address_2", "address_3", "address_4")):
            fields["address_2"] = ", ".join(p for p in extra if p)
        fields["address_type"] = address_type
        if not (v.get("location_id") or "").strip() and (v.get("organization_id") or "").strip():
            fields["organization_id"] = v["organization_id"]
        rows.append(SourceRow("address", fields, record.origin(table.label), table.label,
                              (v.get("id") or "").strip() or None))
    return rows


def physical_addresses(table: CsvTable) -> list[SourceRow]:
    """``physical_addresses.csv``."""
    return _addresses(table, "physical")


def postal_addresses(table: CsvTable) -> list[SourceRow]:
    """``postal_addresses.csv``."""
    return _addresses(table, "postal")


def regular_schedules(table: CsvTable) -> list[SourceRow]:
    """``regular_schedules.csv``: one weekly span per row."""
    rows: list[SourceRow] = []
    for record in table.records:
        v = record.values
        fields = {k: v[k] for k in (
            "id", "service_id", "location_id", "service_at_location_id", "opens_at", "closes_at",
        ) if k in v}
        fields["freq"] = "WEEKLY"
        fields["byday"] = v.get("weekday", "")
        if "original_text" in v:
            fields["description"] = v["original_text"]
        rows.append(SourceRow("schedule", fields, record.origin(table.label), table.label,
                              (v.get("id") or "").strip() or None))
    return rows


def holiday_schedules(table: CsvTable) -> list[SourceRow]:
    """``holiday_schedules.csv``: closures, or special hours, on given dates."""
    rows: list[SourceRow] = []
    for record in table.records:
        v = record.values
        fields = {k: v[k] for k in ("id", "service_id", "location_id", "service_at_location_id")
                  if k in v}
        fields["valid_from"] = v.get("start_date", "")
        fields["valid_to"] = v.get("end_date", "") or v.get("start_date", "")
        closed = (v.get("closed") or "").strip().lower() in ("true", "t", "yes", "y", "1")
        fields["opens_at"] = "" if closed else v.get("opens_at", "")
        fields["closes_at"] = "" if closed else v.get("closes_at", "")
        fields["freq"] = ""
        fields["byday"] = ""
        fields["description"] = "Closed" if closed else "Special hours"
        rows.append(SourceRow("schedule", fields, record.origin(table.label), table.label,
                              (v.get("id") or "").strip() or None))
    return rows


def accessibility_for_disabilities(table: CsvTable) -> list[SourceRow]:
    """``accessibility_for_disabilities.csv``."""
    return copy_rows(table, "accessibility", ("id", "location_id", "details", "url"),
                     {"accessibility": "description"})


def languages(table: CsvTable) -> list[SourceRow]:
    """``languages.csv`` with a free-text ``language`` column."""
    return copy_rows(table, "language", ("id", "service_id", "location_id", "phone_id"),
                     {"language": "name"})


def eligibility(table: CsvTable) -> list[SourceRow]:
    """``eligibility.csv`` / ``eligibilities.csv``: text appended to the service's eligibility."""
    return copy_rows(table, "eligibility", ("id", "service_id", "eligibility"))


def taxonomy(table: CsvTable) -> list[SourceRow]:
    """``taxonomy.csv``: terms; each distinct ``vocabulary`` becomes a taxonomy."""
    rows: list[SourceRow] = []
    vocabularies: dict[str, SourceRow] = {}
    for record in table.records:
        v = record.values
        raw_id = (v.get("id") or "").strip()
        fields = {k: v[k] for k in ("id", "name", "parent_id", "description") if k in v}
        if raw_id and not _is_uuid(raw_id):
            fields["code"] = raw_id
        row = SourceRow("taxonomy_term", fields, record.origin(table.label), table.label,
                        raw_id or None)
        vocabulary = " ".join((v.get("vocabulary") or "").split())
        if vocabulary:
            fields["taxonomy"] = vocabulary
            parent = vocabularies.get(vocabulary)
            if parent is None:
                parent = SourceRow("taxonomy", {"name": vocabulary}, row.origin, table.label,
                                   key=f"vocabulary:{vocabulary}", derived_from=row)
                vocabularies[vocabulary] = parent
            row.links["taxonomy_id"] = parent
        rows.append(row)
    return list(vocabularies.values()) + rows


def services_taxonomy(table: CsvTable) -> list[SourceRow]:
    """``services_taxonomy.csv``: which terms describe which service."""
    return copy_rows(table, "service_taxonomy", ("id", "service_id", "taxonomy_id"))
