"""HSDS 3.0 tabular tables -> canonical rows (also the tables 1.1 and 3.0 share).

In 3.0 the CSV columns already are the canonical field names, so most tables are copied over
column by column; what differs is which columns a table may have.
"""

from __future__ import annotations

from .csvfile import CsvTable
from .rows import SourceRow

ORGANIZATION_FIELDS = (
    "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
    "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
)
SERVICE_FIELDS = (
    "id", "organization_id", "name", "alternate_name", "description", "url", "email", "status",
    "interpretation_services", "application_process", "fees_description", "fees", "wait_time",
    "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date",
    "assurer_email", "licenses", "alert", "last_modified",
)
LOCATION_FIELDS = (
    "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
    "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type",
)
SERVICE_AT_LOCATION_FIELDS = ("id", "service_id", "location_id", "description")
PHONE_FIELDS = (
    "id", "location_id", "service_id", "organization_id", "service_at_location_id", "number",
    "extension", "type", "description",
)
ADDRESS_FIELDS = (
    "id", "location_id", "attention", "address_1", "address_2", "city", "region",
    "state_province", "postal_code", "country", "address_type",
)
SCHEDULE_FIELDS = (
    "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
    "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno",
    "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link",
    "attending_type", "notes",
)
LANGUAGE_FIELDS = ("id", "service_id", "location_id", "phone_id", "name", "code", "note")
ACCESSIBILITY_FIELDS = ("id", "location_id", "description", "details", "url")
TAXONOMY_FIELDS = ("id", "name", "description", "uri", "version")
TAXONOMY_TERM_FIELDS = (
    "id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id",
    "term_uri",
)
ATTRIBUTE_FIELDS = ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")
COST_OPTION_FIELDS = (
    "id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
    "amount_description",
)


def copy_rows(
    table: CsvTable, kind: str, names: tuple[str, ...], renames: dict[str, str] | None = None
) -> list[SourceRow]:
    """One row of ``kind`` per record, with the columns in ``names`` (and ``renames``) copied."""
    renames = renames or {}
    present = [n for n in names if n in table.columns]
    moved = [(old, new) for old, new in renames.items()
             if old in table.columns and new not in table.columns]
    rows: list[SourceRow] = []
    reuse = not moved and set(table.columns) <= set(names)  # nothing to drop or rename
    label = table.label
    for record in table.records:
        values = record.values
        if reuse:
            fields = values
        else:
            fields = {n: values[n] for n in present}
            for old, new in moved:
                fields[new] = values[old]
        raw_id = (values.get("id") or "").strip() or None
        rows.append(SourceRow(kind, fields, record.origin(label), label, raw_id))
    return rows


def organizations(table: CsvTable) -> list[SourceRow]:
    """``organizations.csv`` (1.1 calls the website ``url``)."""
    return copy_rows(table, "organization", ORGANIZATION_FIELDS, {"url": "website"})


def locations(table: CsvTable) -> list[SourceRow]:
    """``locations.csv``."""
    return copy_rows(table, "location", LOCATION_FIELDS)


def services_at_location(table: CsvTable) -> list[SourceRow]:
    """``service_at_location.csv`` (3.0) or ``services_at_location.csv`` (1.1)."""
    return copy_rows(table, "service_at_location", SERVICE_AT_LOCATION_FIELDS)


def addresses(table: CsvTable) -> list[SourceRow]:
    """``addresses.csv``: physical and postal addresses told apart by ``address_type``."""
    return copy_rows(table, "address", ADDRESS_FIELDS)


def schedules(table: CsvTable) -> list[SourceRow]:
    """``schedules.csv`` in the 3.0 RRULE-like form."""
    return copy_rows(table, "schedule", SCHEDULE_FIELDS)


def languages(table: CsvTable) -> list[SourceRow]:
    """``languages.csv`` with ``name`` and ``code``."""
    return copy_rows(table, "language", LANGUAGE_FIELDS)


def accessibility(table: CsvTable) -> list[SourceRow]:
    """``accessibility.csv``."""
    return copy_rows(table, "accessibility", ACCESSIBILITY_FIELDS)


def taxonomies(table: CsvTable) -> list[SourceRow]:
    """``taxonomies.csv``."""
    return copy_rows(table, "taxonomy", TAXONOMY_FIELDS)


def taxonomy_terms(table: CsvTable) -> list[SourceRow]:
    """``taxonomy_terms.csv``."""
    return copy_rows(table, "taxonomy_term", TAXONOMY_TERM_FIELDS)


def attributes(table: CsvTable) -> list[SourceRow]:
    """``attributes.csv``: taxonomy terms (and kiosk extension values) linked to any record."""
    return copy_rows(table, "attribute", ATTRIBUTE_FIELDS)


def cost_options(table: CsvTable) -> list[SourceRow]:
    """``cost_options.csv``."""
    return copy_rows(table, "cost_option", COST_OPTION_FIELDS)
