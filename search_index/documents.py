"""Listing -> document: the pure mapping of a listing to an index document.

:func:`service_document` reads only the service and the objects loaded with it
(:func:`directory_data.service_rows.load_listings`; no session, no clock), so the same listing
always gives the same document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from directory_data.availability import minutes_since_epoch, room_since
from directory_data.confidential import public_point
from directory_data.models import (
    Address,
    AddressType,
    MISSION_CATEGORIES,
    Location,
    PhoneAudience,
    Service,
    ServiceStatus,
)
from directory_data.validation import language_code as known_language_code
from search_index.engine.analysis import words
from search_index.hours import DEFAULT_TIMEZONE, encode_schedules

_PHONE_LETTERS = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999"
)
_EXTENSION = re.compile(r"\s*(?:ext\.?|x|extension)\s*\d+\s*$", re.IGNORECASE)


def phone_digits(number: str) -> str:
    """The dialable digits of ``number`` (letters mapped, a leading US ``1`` and an extension dropped)."""
    core = _EXTENSION.sub("", number or "").upper().translate(_PHONE_LETTERS)
    digits = "".join(c for c in core if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def language_code(code: str | None, name: str | None) -> str | None:
    """The ISO code of a language given by code and/or name (``Spanish`` -> ``es``, by
    :func:`directory_data.validation.language_code`; an unknown name stays as it is, folded)."""
    if code and code.strip():
        return code.strip().lower().split("-")[0]
    if name and name.strip():
        folded = " ".join(words(name))
        return known_language_code(folded) or folded or None
    return None


def _join(parts: Iterable[str | None]) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def service_languages(service: Service) -> list[str]:
    """The ISO codes of the languages offered by ``service`` and at its places, each once."""
    offered = [*service.languages, *(lang for loc in service.locations for lang in loc.languages)]
    return _unique(language_code(lang.code, lang.name) for lang in offered)


def _physical_address(location: Location) -> Address | None:
    """The first physical (or untyped) address of ``location``."""
    return next(
        (a for a in location.addresses if a.address_type in (None, AddressType.physical)), None
    )


def _category_names(slug: str) -> tuple[str, str]:
    """A category's English and Spanish names (an unknown slug: its words, and no Spanish)."""
    return MISSION_CATEGORIES.get(slug, (slug.replace("-", " ").replace("_", " "), ""))


def service_document(
    service: Service, *, default_timezone: str = DEFAULT_TIMEZONE
) -> dict[str, object]:
    """The index document of ``service`` (fields as in :mod:`search_index.engine.schema`), from
    ``service`` and its loaded relationships only; schedules without a zone read in
    ``default_timezone``."""
    locations = service.locations
    org = service.organization
    terms = [link.term for link in service.taxonomy_links if link.term is not None]
    slugs = service.category_slugs
    category_en = [_category_names(s)[0] for s in slugs]
    category_es = [_category_names(s)[1] for s in slugs]

    phones = list(service.phones) + [p for loc in locations for p in loc.phones]
    phone_numbers = _unique(
        phone_digits(p.number) for p in phones if p.audience != PhoneAudience.officer
    )
    # A confidential place's free text is searchable by no one: a match would tell what it says.
    accessibility = _join(
        text for loc in locations if not loc.confidential
        for a in loc.accessibility for text in (a.description, a.details)
    )
    cost = _join(
        [service.fees_description]
        + [text for c in service.cost_options for text in (c.option, c.amount_description)]
    )
    points: list[list[object]] = []
    public_geo: list[str] = []
    zips: list[str] = []
    for loc in locations:
        address = _physical_address(loc)
        postal = (address.postal_code or "").strip()[:5] if address is not None else ""
        if postal and not loc.confidential:
            zips.append(postal)
        public = public_point(loc)
        if public is not None:
            lat, lon = round(loc.latitude, 6), round(loc.longitude, 6)
            points.append([lat, lon, postal])
            # A confidential place is its cell's centre, marked ``c``, without its ZIP code.
            plat, plon = round(public[0], 6), round(public[1], 6)
            public_geo.append(f"{plat},{plon},,c" if loc.confidential else f"{plat},{plon},{postal}")

    name = _join([service.name, service.alternate_name])
    description = service.description or ""
    taxonomy_names = _join([*(t.name for t in terms), *category_en, *category_es])
    eligibility = service.eligibility_description or ""
    hours = encode_schedules(service.hours_schedules, default_timezone)
    spell_sources = [
        name,
        service.name_es,
        org.name if org else None,
        description,
        service.description_es,
        taxonomy_names,
        eligibility,
    ]
    return {
        "id": service.id,
        "name": name,
        "name_es": service.name_es or "",
        "organization": (org.name if org else "") or "",
        "description": description,
        "description_es": service.description_es or "",
        "taxonomy_names": taxonomy_names,
        "taxonomy_codes": ",".join(_unique(t.code.strip().lower() for t in terms if t.code)),
        "categories": ",".join(slugs),
        "eligibility": eligibility,
        "cost": cost,
        "accessibility": accessibility,
        "languages": ",".join(service_languages(service)),
        "phones": ",".join(phone_numbers),
        "spell": _join(spell_sources),
        "free": service.is_free,
        "walk_in": bool(service.walk_in),
        "min_age": service.minimum_age if service.minimum_age is not None else -1,
        "max_age": service.maximum_age if service.maximum_age is not None else -1,
        "hours": hours,
        "points": points,
        "zips": ",".join(_unique(zips)),
        "assured": service.assured_date.toordinal() if service.assured_date else 0,
        "status": service.status.value if service.status else ServiceStatus.active.value,
        "hours_key": json.dumps(hours, separators=(",", ":")).encode() if hours else b"",
        "geo": ";".join(public_geo).encode(),
        "geo_exact": ";".join(f"{lat},{lon},{z}" for lat, lon, z in points).encode(),
        "sort_name": " ".join(words(service.name or "")).encode()[:200],
        "room_as_of": minutes_since_epoch(room) if (room := room_since(service.capacities)) else 0,
    }
