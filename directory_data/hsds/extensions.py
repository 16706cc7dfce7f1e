"""The kiosk's own fields, carried through HSDS 3.0 as ``attribute`` objects.

HSDS 3.0 has no place for a confidential address, an officer-only phone, Spanish listing text or
the mission categories. The export writes each as an attribute whose ``taxonomy_term`` belongs to
the taxonomy :data:`EXTENSION_TAXONOMY` and whose ``value`` holds the field's value; the importer
reads them back, so import -> export -> import loses nothing the model holds. Other HSDS consumers
simply see extra attributes.

=====================  ===========  ==============================  ==========================
term code              link_entity  model field                     value
=====================  ===========  ==============================  ==========================
kiosk:category         service      ServiceCategory.category_slug   slug; one attribute each
kiosk:name-es          service      Service.name_es                 text
kiosk:description-es   service      Service.description_es          text
kiosk:officer-notes    service      Service.officer_notes           text
kiosk:walk-in          service      Service.walk_in                 ``true`` / ``false``
kiosk:confidential     location     Location.confidential           ``true`` / ``false``
kiosk:audience         phone        Phone.audience                  ``public`` / ``officer``
kiosk:timezone         schedule     Schedule.timezone               IANA zone name
kiosk:source           any          <model>.source                  import source name
kiosk:source-id        any          <model>.source_id               id in that source
kiosk:sample           service      Service.is_sample (read only)   ``true`` on sample listings
kiosk:unit-name-es     unit         Unit.name_es                    text (HSDS 3.1 ``unit``)
=====================  ===========  ==============================  ==========================

``kiosk:sample`` says in every HSDS object of a fictional sample listing (the public API's too)
that it is not a real service; it follows from the source (``sample``), so the importer reads
nothing from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from directory_data.models.base import ID_NAMESPACE, uuid5_text

_NAMESPACE_BYTES = ID_NAMESPACE.bytes

EXTENSION_TAXONOMY = "kiosk-extensions"
EXTENSION_TAXONOMY_ID = str(uuid.uuid5(ID_NAMESPACE, f"taxonomy\x1f{EXTENSION_TAXONOMY}"))

CATEGORY = "kiosk:category"
NAME_ES = "kiosk:name-es"
DESCRIPTION_ES = "kiosk:description-es"
OFFICER_NOTES = "kiosk:officer-notes"
WALK_IN = "kiosk:walk-in"
CONFIDENTIAL = "kiosk:confidential"
AUDIENCE = "kiosk:audience"
TIMEZONE = "kiosk:timezone"
SOURCE = "kiosk:source"
SOURCE_ID = "kiosk:source-id"
SAMPLE = "kiosk:sample"
UNIT_NAME_ES = "kiosk:unit-name-es"


@dataclass(frozen=True)
class Extension:
    """One extension field: its term code, the entity it attaches to, and what it means."""

    code: str
    link_entity: str
    description: str


EXTENSIONS: dict[str, Extension] = {
    e.code: e
    for e in (
        Extension(CATEGORY, "service", "Mission category of the service (slug)"),
        Extension(NAME_ES, "service", "Name of the service in Spanish"),
        Extension(DESCRIPTION_ES, "service", "Description of the service in Spanish"),
        Extension(OFFICER_NOTES, "service", "Notes shown to officers only"),
        Extension(WALK_IN, "service", "Whether walk-ins are accepted (true/false)"),
        Extension(CONFIDENTIAL, "location", "Street address must not be shown publicly"),
        Extension(AUDIENCE, "phone", "Who may see the number: public or officer"),
        Extension(TIMEZONE, "schedule", "IANA time zone of the schedule"),
        Extension(SOURCE, "*", "Name of the source the record was imported from"),
        Extension(SOURCE_ID, "*", "Id of the record in its source"),
        Extension(SAMPLE, "service", "A fictional sample listing, not a real service (true)"),
        Extension(UNIT_NAME_ES, "unit", "Name of the unit of a service capacity in Spanish"),
    )
}


def term_id(code: str) -> str:
    """The stable UUID of the extension term ``code``."""
    return str(uuid.uuid5(ID_NAMESPACE, f"taxonomy_term\x1f{EXTENSION_TAXONOMY}\x1f{code}"))


def term_object(code: str) -> dict[str, str]:
    """The HSDS 3.0 ``taxonomy_term`` object for the extension ``code``."""
    ext = EXTENSIONS[code]
    return {
        "id": term_id(code),
        "code": code,
        "name": code.removeprefix("kiosk:"),
        "description": ext.description,
        "taxonomy": EXTENSION_TAXONOMY,
        "taxonomy_id": EXTENSION_TAXONOMY_ID,
    }


def attribute_id(link_id: str, code: str, value: str) -> str:
    """A stable id for the attribute linking ``link_id`` to ``code`` with ``value``."""
    return uuid5_text(_NAMESPACE_BYTES, f"attribute\x1f{link_id}\x1f{code}\x1f{value}")


def attribute_object(link_id: str, link_entity: str, code: str, value: str) -> dict[str, object]:
    """An HSDS 3.0 ``attribute`` carrying extension ``code`` with ``value`` for ``link_id``."""
    return {
        "id": attribute_id(link_id, code, value),
        "link_id": link_id,
        "link_type": "kiosk_extension",
        "link_entity": link_entity,
        "taxonomy_term_id": term_id(code),
        "value": value,
        "taxonomy_term": term_object(code),
    }


def is_extension(code: str | None) -> bool:
    """Whether a taxonomy term code is one of the kiosk's extension terms."""
    return code in EXTENSIONS
