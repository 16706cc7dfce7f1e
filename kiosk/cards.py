"""What a result card and a detail page show of a service, in the request's language.

:func:`make_card` turns a loaded :class:`~directory_data.models.Service` (and, when it came from
a search, the hit's distance and flags) into a :class:`ServiceCard`. Officer-only phones and
officer notes are only filled in for officers; a confidential location's address never is.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from babel import Locale

from directory_data.models import Location, PhoneAudience, Service, ServiceStatus
from search_index.documents import language_code, service_document
from search_index.opening import OpeningStatus, opening_status

from .i18n import current_language, listing_text

SUMMARY_LENGTH = 110
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class PhoneLine:
    """A phone number as shown and as dialled, with what it is for."""

    shown: str
    dialled: str
    description: str | None
    officer_only: bool
    is_text: bool


@dataclass(frozen=True)
class PlaceLine:
    """Where a service is: a street address, or only the town when it is confidential."""

    name: str | None
    address: str | None
    confidential: bool


@dataclass(frozen=True)
class ServiceCard:
    """Everything a card or a detail page shows of one service."""

    id: str
    name: str
    organization: str | None
    summary: str | None
    description: str | None
    status: OpeningStatus
    temporarily_closed: bool
    distance_km: float | None
    languages: list[str]
    free: bool
    phones: list[PhoneLine]
    places: list[PlaceLine]
    last_checked: dt.date | None
    stale: bool
    crisis: bool = False
    eligibility: str | None = None
    fees: str | None = None
    application: str | None = None
    url: str | None = None
    officer_notes: str | None = None
    categories: list[str] = field(default_factory=list)


def summary_line(text: str | None) -> str | None:
    """The first sentence of ``text``, cut at a word to at most :data:`SUMMARY_LENGTH` characters."""
    if not text:
        return None
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if len(first) <= SUMMARY_LENGTH:
        return first
    cut = first[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def language_names(service: Service) -> list[str]:
    """The names of the languages the service is offered in, in the request's language."""
    names = Locale.parse(current_language()).languages
    found: dict[str, str] = {}
    for lang in service.languages:
        code = language_code(lang.code, lang.name)
        if code and code not in found:
            found[code] = (names.get(code) or lang.name or code).capitalize()
    return list(found.values())


def distance_km(service: Service, point: tuple[float, float] | None) -> float | None:
    """The great-circle distance from ``point`` to the service's nearest located place."""
    if point is None:
        return None
    distances = [
        haversine_km(point, (loc.latitude, loc.longitude))
        for loc in _locations(service)
        if loc.latitude is not None and loc.longitude is not None
    ]
    return min(distances) if distances else None


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two ``(latitude, longitude)`` points in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2
    ) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _locations(service: Service) -> list[Location]:
    return [link.location for link in service.location_links if link.location is not None]


def _phones(service: Service, officer: bool) -> list[PhoneLine]:
    from .formatting import phone_display

    lines = []
    seen: set[str] = set()
    every = list(service.phones) + [p for loc in _locations(service) for p in loc.phones]
    for phone in every:
        officer_only = phone.audience == PhoneAudience.officer
        if (officer_only and not officer) or phone.number in seen:
            continue
        seen.add(phone.number)
        shown, dialled = phone_display(phone.number)
        if phone.extension:
            shown = f"{shown} ext {phone.extension}"
        lines.append(PhoneLine(shown, dialled, phone.description, officer_only,
                               phone.type is not None and phone.type.value == "text"))
    lines.sort(key=lambda line: line.officer_only)  # public numbers first, largest
    return lines


def _places(service: Service) -> list[PlaceLine]:
    places = []
    for loc in _locations(service):
        address = loc.physical_address
        if loc.confidential:
            town = address.city if address is not None else None
            places.append(PlaceLine(town, None, True))
        else:
            places.append(PlaceLine(loc.name, address.one_line() if address else None, False))
    return places


def make_card(
    service: Service,
    *,
    now: dt.datetime,
    today: dt.date,
    stale_after_days: int,
    point: tuple[float, float] | None = None,
    hit_distance_km: float | None = None,
    crisis: bool = False,
    officer: bool = False,
) -> ServiceCard:
    """The card of ``service`` at ``now``, with distances measured from ``point``."""
    description = listing_text(service, "description")
    hours = service_document(service)["hours"]
    return ServiceCard(
        id=service.id,
        name=listing_text(service, "name") or service.name,
        organization=service.organization.name if service.organization else None,
        summary=summary_line(description),
        description=description,
        status=opening_status(hours, now),  # type: ignore[arg-type]
        temporarily_closed=service.status == ServiceStatus.temporarily_closed,
        distance_km=hit_distance_km if hit_distance_km is not None else distance_km(service, point),
        languages=language_names(service),
        free=service.is_free,
        phones=_phones(service, officer),
        places=_places(service),
        last_checked=service.assured_date,
        stale=service.is_stale(today, stale_after_days),
        crisis=crisis,
        eligibility=service.eligibility_description,
        fees=service.fees_description,
        application=service.application_process,
        url=service.url,
        officer_notes=service.officer_notes if officer else None,
        categories=service.category_slugs,
    )
