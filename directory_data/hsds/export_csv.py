"""The HSDS 3.0 CSV export: a tabular data package holding the whole directory.

One CSV per table the model holds (columns and their order as in the spec's ``datapackage.json``)
and a ``datapackage.json`` describing only those tables. Every record is written, whether a
service reaches it or not: organizations without services, locations, terms attached to nothing.
``attributes.csv`` holds the services' taxonomy terms and every ``kiosk:*`` extension attribute;
``taxonomy_terms.csv`` and ``taxonomies.csv`` also hold the extension terms and their taxonomy,
which the attributes refer to. ``service_capacity.csv`` and ``units.csv`` hold every capacity and
unit as HSDS 3.1 has them (:mod:`.capacities` makes their objects, as for the JSON export; a
confidential shelter's capacities are written like any other's); their source ids and a unit's
Spanish name are attributes too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, selectinload

from directory_data.models import (
    Accessibility,
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceCategory,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
    Unit,
)
from directory_data.models.base import Base

from . import extensions as ext
from .capacities import capacity_object, unit_object
from .export_attributes import (
    EXTENSION_TAXONOMY_OBJECT,
    TAXONOMY_LINK_TYPE,
    extension_attributes,
    taxonomy_attribute_id,
)
from .export_fields import csv_row, csv_value, table_columns
from .export_load import load_rows, load_table, parents_first
from .export_package import package_descriptor, resource_path

#: The tables written from a model, in the order they are written: (HSDS table, model).
MODEL_TABLES: tuple[tuple[str, type[Base]], ...] = (
    ("organization", Organization),
    ("service", Service),
    ("location", Location),
    ("service_at_location", ServiceAtLocation),
    ("address", Address),
    ("phone", Phone),
    ("schedule", Schedule),
    ("language", Language),
    ("accessibility", Accessibility),
    ("cost_option", CostOption),
    ("taxonomy", Taxonomy),
    ("taxonomy_term", TaxonomyTerm),
)

#: The HSDS 3.1 capacity tables, written from :mod:`.capacities`' objects.
CAPACITY_TABLES: tuple[str, ...] = ("service_capacity", "unit")

#: Every table the package holds.
PACKAGE_TABLES: tuple[str, ...] = (*(table for table, _ in MODEL_TABLES), *CAPACITY_TABLES,
                                   "attribute")

#: Self-references written parents first, so a reader never meets an unknown parent id.
PARENT_COLUMNS: dict[str, str] = {
    "organization": "parent_organization_id",
    "taxonomy_term": "parent_id",
}


def write_csv(session: Session, folder: Path) -> int:
    """Write the directory as an HSDS 3.0 tabular data package into ``folder``.

    ``folder`` is created when missing. Returns the number of services written.
    """
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} exists and is not a folder: the CSV export is a folder")
    folder.mkdir(parents=True, exist_ok=True)
    attributes: list[dict[str, Any]] = []
    services = 0
    for table, model in MODEL_TABLES:
        options = (selectinload(Service.category_links),) if model is Service else ()
        records: list[Any] = list(load_table(session, model, *options))
        if table in PARENT_COLUMNS:
            records = parents_first(records, PARENT_COLUMNS[table])
        rows = [csv_row(table, record) for record in records]
        for record in records:
            attributes.extend(extension_attributes(table, record))
        if table == "taxonomy":
            rows.extend(_extension_taxonomy_rows(records))
        elif table == "taxonomy_term":
            rows.extend(_extension_term_rows(records))
        elif table == "service":
            services = len(records)
        _write_table(folder, table, rows)
    for table, objects in _capacity_objects(session):
        for obj in objects:
            attributes.extend(obj["attributes"])
        _write_table(folder, table, (_object_row(table, obj) for obj in objects))
    attributes[:0] = _taxonomy_link_attributes(session)
    _write_table(folder, "attribute", (_attribute_row(a) for a in attributes))
    descriptor = package_descriptor(PACKAGE_TABLES)
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return services


def _capacity_objects(session: Session) -> list[tuple[str, list[dict[str, Any]]]]:
    """The HSDS 3.1 objects of every capacity and every unit (those no capacity counts too), by
    table, in id order."""
    capacities = load_table(session, ServiceCapacity)  # each with its unit (joined)
    units = load_table(session, Unit)
    return [("service_capacity", [capacity_object(c) for c in capacities]),
            ("unit", [unit_object(u) for u in units])]


def _taxonomy_link_attributes(session: Session) -> list[dict[str, Any]]:
    """The attributes attaching taxonomy terms to services."""
    links = sorted(
        load_rows(session, ServiceTaxonomy), key=lambda link: (link.service_id, link.taxonomy_term_id)
    )
    return [
        {
            "id": taxonomy_attribute_id(link.service_id, link.taxonomy_term_id),
            "link_id": link.service_id,
            "taxonomy_term_id": link.taxonomy_term_id,
            "link_type": TAXONOMY_LINK_TYPE,
            "link_entity": "service",
        }
        for link in links
    ]


def _extension_taxonomy_rows(taxonomies: Iterable[Taxonomy]) -> list[list[str]]:
    """The extension taxonomy's row, unless the database already holds it."""
    if any(t.id == ext.EXTENSION_TAXONOMY_ID for t in taxonomies):
        return []
    return [_object_row("taxonomy", EXTENSION_TAXONOMY_OBJECT)]


def _extension_term_rows(terms: Iterable[TaxonomyTerm]) -> list[list[str]]:
    """The extension terms' rows, but for those the database already holds."""
    held = {term.id for term in terms}
    return [
        _object_row("taxonomy_term", ext.term_object(code))
        for code in ext.EXTENSIONS
        if ext.term_id(code) not in held
    ]


def _attribute_row(attribute: dict[str, Any]) -> list[str]:
    return _object_row("attribute", attribute)


def _object_row(table: str, obj: dict[str, Any]) -> list[str]:
    return [csv_value(obj.get(column)) for column in table_columns(table)]


def _write_table(folder: Path, table: str, rows: Iterable[list[str]]) -> None:
    with (folder / resource_path(table)).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table_columns(table))
        writer.writerows(rows)
