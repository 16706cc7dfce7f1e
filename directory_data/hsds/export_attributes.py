"""The HSDS 3.0 ``attribute`` objects of a record: its taxonomy terms and its ``kiosk:*`` extensions.

A service's taxonomy terms are attributes with ``link_type`` ``"taxonomy"``; everything the model
holds that HSDS 3.0 has no field for (categories, Spanish text, officer notes, walk-in, location
confidentiality, phone audience, schedule time zone, a sample listing's mark, and every record's
source and source id) is an extension attribute (see :mod:`directory_data.hsds.extensions`).
"""

from __future__ import annotations

import uuid
from typing import Any

from directory_data.models import Service, Taxonomy, TaxonomyTerm
from directory_data.models.base import ID_NAMESPACE

from . import extensions as ext
from .export_fields import json_fields

#: ``ServiceCategory.assigned_by`` of a category the listing itself names.
LISTING = "listing"

#: ``link_type`` of an attribute that attaches a taxonomy term to a service.
TAXONOMY_LINK_TYPE = "taxonomy"

#: The extension taxonomy as an HSDS 3.0 ``taxonomy`` object (a row of ``taxonomies.csv``).
EXTENSION_TAXONOMY_OBJECT: dict[str, str] = {
    "id": ext.EXTENSION_TAXONOMY_ID,
    "name": ext.EXTENSION_TAXONOMY,
    "description": "Fields of the police referral kiosk that HSDS 3.0 has no place for",
}


def extension_attributes(table: str, record: Any, *, sources: bool = True) -> list[dict[str, Any]]:
    """The ``kiosk:*`` attributes of ``record``, a row of ``table`` (``"service"``, ``"phone"`` ...).

    Every record gets ``kiosk:source`` and, when it has one, ``kiosk:source-id`` (unless
    ``sources`` is false: the API shows them on services, organizations and locations only); services,
    locations, phones and schedules also get their own extension fields (a service's categories:
    only those its listing names, see :func:`listed_categories`).
    """
    values: list[tuple[str, str]] = []
    if sources:
        values.append((ext.SOURCE, record.source))
        if record.source_id:
            values.append((ext.SOURCE_ID, record.source_id))
    if table == "service":
        values.extend(_service_values(record))
    elif table == "location":
        values.append((ext.CONFIDENTIAL, _bool(record.confidential)))
    elif table == "phone":
        values.append((ext.AUDIENCE, record.audience.value))
    elif table == "schedule" and record.timezone:
        values.append((ext.TIMEZONE, record.timezone))
    return [ext.attribute_object(record.id, table, code, value) for code, value in values]


def _service_values(service: Service) -> list[tuple[str, str]]:
    values = [(ext.CATEGORY, slug) for slug in listed_categories(service)]
    for code, text in (
        (ext.NAME_ES, service.name_es),
        (ext.DESCRIPTION_ES, service.description_es),
        (ext.OFFICER_NOTES, service.officer_notes),
    ):
        if text:
            values.append((code, text))
    if service.walk_in is not None:
        values.append((ext.WALK_IN, _bool(service.walk_in)))
    if service.is_sample:
        values.append((ext.SAMPLE, "true"))
    return values


def listed_categories(service: Service) -> list[str]:
    """The slugs of the categories given to ``service`` itself (``assigned_by="listing"``), sorted.

    Categories the taxonomy crosswalk derived from the service's terms are not written: the
    importer derives them again from the exported terms, and reads every ``kiosk:category`` as
    given by the listing, so writing them would turn them into listed ones.
    """
    return sorted(link.category_slug for link in service.category_links
                  if link.assigned_by == LISTING)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def taxonomy_attribute_id(service_id: str, term_id: str) -> str:
    """The stable id of the attribute attaching term ``term_id`` to service ``service_id``."""
    return str(uuid.uuid5(ID_NAMESPACE, f"attribute\x1f{service_id}\x1f{TAXONOMY_LINK_TYPE}\x1f{term_id}"))


def taxonomy_attribute(service_id: str, term: dict[str, Any]) -> dict[str, Any]:
    """The attribute attaching a term to a service, given the term's object.

    ``term`` is the term's :func:`taxonomy_term_object`, nested as it is (a term attached to
    many services is built once).
    """
    return {
        "id": taxonomy_attribute_id(service_id, term["id"]),
        "link_id": service_id,
        "link_type": TAXONOMY_LINK_TYPE,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def taxonomy_term_object(term: TaxonomyTerm) -> dict[str, Any]:
    """The HSDS 3.0 ``taxonomy_term`` object of ``term``, with its ``taxonomy_detail``.

    Its own extension attributes (source and source id) ride along as ``attributes``, as do the
    taxonomy's in ``taxonomy_detail``: the schema allows the extra member and the importer needs them.
    """
    obj = json_fields("taxonomy_term", term)
    if term.taxonomy_detail is not None:
        obj["taxonomy_detail"] = taxonomy_object(term.taxonomy_detail)
    obj["attributes"] = extension_attributes("taxonomy_term", term)
    return obj


def taxonomy_object(taxonomy: Taxonomy) -> dict[str, Any]:
    """The HSDS 3.0 ``taxonomy`` object of ``taxonomy``, with its extension attributes."""
    obj = json_fields("taxonomy", taxonomy)
    obj["attributes"] = extension_attributes("taxonomy", taxonomy)
    return obj
