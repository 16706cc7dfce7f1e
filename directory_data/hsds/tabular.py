"""Reading a tabular package: which CSV file is which HSDS table, in which version.

Files are recognised by name (1.x and 3.0 names) and, where the two versions share a name, by
their columns (a ``schedules.csv`` with a ``weekday`` column is 1.1 regular schedules, as ILAO's
export has it). Tables the directory has no place for (contacts, funding ...) are listed in the
report as ignored; files that are no HSDS table at all get a warning. HSDS 3.1's capacity files
(``service_capacity.csv``, ``units.csv``) are read too, and imported by :mod:`.tabular_capacity`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import tabular_v1 as v1
from . import tabular_v3 as v3
from .csvfile import CsvTable, read_csv
from .errors import HSDSImportError
from .locate import Package
from .rows import ReadResult, SourceRow
from .tabular_capacity import CAPACITY_FILES, set_aside_attributes

Adapter = Callable[[CsvTable], list[SourceRow]]


@dataclass(frozen=True)
class TableSpec:
    """How to read one table: the adapter, the columns it cannot do without, its version."""

    adapter: Adapter
    required: tuple[str, ...]
    version: str  # "1.1", "3.0" or "any"
    kinds: tuple[str, ...] = ()


def _schedules(table: CsvTable) -> list[SourceRow]:
    if "weekday" in table.columns:
        return v1.regular_schedules(table)
    return v3.schedules(table)


def _languages(table: CsvTable) -> list[SourceRow]:
    if "language" in table.columns and "name" not in table.columns:
        return v1.languages(table)
    return v3.languages(table)


def _accessibility(table: CsvTable) -> list[SourceRow]:
    if "accessibility" in table.columns and "description" not in table.columns:
        return v1.accessibility_for_disabilities(table)
    return v3.accessibility(table)


_SAL = ("service_id", "location_id")
_TAXONOMY_LINK = ("service_id", "taxonomy_id")

TABLES: dict[str, TableSpec] = {
    "organizations.csv": TableSpec(v3.organizations, ("id", "name"), "any", ("organization",)),
    "services.csv": TableSpec(v1.services, ("id", "name"), "any", ("service",)),
    "locations.csv": TableSpec(v3.locations, ("id",), "any", ("location",)),
    "services_at_location.csv": TableSpec(v3.services_at_location, _SAL, "1.1",
                                          ("service_at_location",)),
    "service_at_location.csv": TableSpec(v3.services_at_location, _SAL, "3.0",
                                         ("service_at_location",)),
    "phones.csv": TableSpec(v1.phones, ("number",), "any", ("phone",)),
    "physical_addresses.csv": TableSpec(v1.physical_addresses, ("address_1",), "1.1",
                                        ("address",)),
    "postal_addresses.csv": TableSpec(v1.postal_addresses, ("address_1",), "1.1", ("address",)),
    "addresses.csv": TableSpec(v3.addresses, ("address_1",), "3.0", ("address",)),
    "regular_schedules.csv": TableSpec(v1.regular_schedules, ("weekday",), "1.1", ("schedule",)),
    "holiday_schedules.csv": TableSpec(v1.holiday_schedules, ("start_date",), "1.1",
                                       ("schedule",)),
    "schedules.csv": TableSpec(_schedules, (), "3.0", ("schedule",)),
    "accessibility_for_disabilities.csv": TableSpec(_accessibility, ("location_id",), "1.1",
                                                    ("accessibility",)),
    "accessibility.csv": TableSpec(_accessibility, ("location_id",), "3.0", ("accessibility",)),
    "languages.csv": TableSpec(_languages, (), "any", ("language",)),
    "eligibility.csv": TableSpec(v1.eligibility, ("eligibility",), "1.1", ("eligibility",)),
    "eligibilities.csv": TableSpec(v1.eligibility, ("eligibility",), "1.1", ("eligibility",)),
    "taxonomy.csv": TableSpec(v1.taxonomy, ("id", "name"), "1.1", ("taxonomy_term",)),
    "services_taxonomy.csv": TableSpec(v1.services_taxonomy, _TAXONOMY_LINK, "1.1",
                                       ("service_taxonomy",)),
    "service_taxonomy.csv": TableSpec(v1.services_taxonomy, _TAXONOMY_LINK, "1.1",
                                      ("service_taxonomy",)),
    "taxonomies.csv": TableSpec(v3.taxonomies, ("id", "name"), "3.0", ("taxonomy",)),
    "taxonomy_terms.csv": TableSpec(v3.taxonomy_terms, ("id", "name"), "3.0",
                                    ("taxonomy_term",)),
    "attributes.csv": TableSpec(v3.attributes, ("link_id", "taxonomy_term_id"), "3.0",
                                ("attribute", "service_taxonomy")),
    "attribute.csv": TableSpec(v3.attributes, ("link_id", "taxonomy_term_id"), "3.0",
                               ("attribute", "service_taxonomy")),
    "cost_options.csv": TableSpec(v3.cost_options, ("service_id",), "3.0", ("cost_option",)),
}

#: HSDS tables the directory has no place for, and why (shown in the report).
IGNORED: dict[str, str] = {
    "contacts.csv": "contacts (staff names and e-mail addresses) are not kept",
    "funding.csv": "funding sources are not kept",
    "programs.csv": "programs are not kept",
    "service_areas.csv": "service areas are not kept",
    "required_documents.csv": "required documents are not kept",
    "payments_accepted.csv": "accepted payment methods are not kept",
    "metadata.csv": "change metadata is not kept",
    "meta_table_descriptions.csv": "table descriptions are not kept",
    "organization_identifiers.csv": "organization identifiers are not kept",
    "interpretation_services.csv": "use services.interpretation_services instead",
    "fees.csv": "HSDS 1.0 fees are not kept",
    "service_attributes.csv": "HSDS 2.0 service attributes are not kept",
    "other_attributes.csv": "HSDS 2.0 attributes are not kept",
    "urls.csv": "additional URLs are not kept",
    "url.csv": "additional URLs are not kept",
}


def _count_records(path: Path) -> int | None:
    """How many records an ignored table has (not checked further: it is not imported)."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            return max(sum(1 for row in csv.reader(handle) if row) - 1, 0)
    except (OSError, csv.Error):
        return None


def read_tabular(package: Package) -> tuple[ReadResult, str]:
    """All rows of a tabular package, and the HSDS version it looks like (``1.1``/``3.0``)."""
    result = ReadResult()
    versions: set[str] = set()
    known = [name for name in package.csv_files if name in TABLES]
    if not known:
        raise HSDSImportError(
            f"{package.path} is not an HSDS package: none of its CSV files is an HSDS table "
            f"(found {', '.join(sorted(package.csv_files)[:8])}; expected services.csv, "
            f"organizations.csv, locations.csv ...)"
        )
    for name, path in package.csv_files.items():
        if name in CAPACITY_FILES:  # HSDS 3.1: read once the services are written
            kind, required = CAPACITY_FILES[name]
            table = read_csv(path, name, required)
            result.warnings.extend(table.warnings)
            result.capacity.tables.append((kind, table))
            result.tables[name] = kind
            continue
        spec = TABLES.get(name)
        if spec is None:
            if name in IGNORED:
                result.ignored.append({"file": name, "rows": _count_records(path),
                                       "reason": IGNORED[name]})
            else:
                result.warnings.append(f"{name} is not an HSDS table; it was not read")
            continue
        table = read_csv(path, name, spec.required)
        result.warnings.extend(table.warnings)
        result.rows.extend(spec.adapter(table))
        result.covered.update(spec.kinds)
        result.tables[name] = spec.kinds[0]
        if spec.version != "any":
            if name == "schedules.csv" and "weekday" in table.columns:
                versions.add("1.1")
            else:
                versions.add(spec.version)
    if result.capacity.tables:
        set_aside_attributes(result)
    for name in package.missing:
        if name not in package.csv_files:
            result.warnings.append(
                f"{name} is declared in datapackage.json but there is no such file; skipped"
            )
    version = "3.0" if "3.0" in versions and "1.1" not in versions else (
        "1.1" if "1.1" in versions and "3.0" not in versions else "1.1/3.0 mixed"
        if versions else _declared_version(package))
    return result, version


def _declared_version(package: Package) -> str:
    declared = str((package.datapackage or {}).get("version") or "")
    return "3.0" if declared.startswith("3") else "1.1"
