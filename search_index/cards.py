"""What a result card and a detail page show of a service, in a given language.

Two steps. :func:`listing_facts` copies what any card or detail page may show of a loaded
:class:`~directory_data.models.Service` into a plain, immutable :class:`ListingFacts` (no
session, no clock, no language), so it can be kept per process (the kiosk's listing cache).
:func:`make_card` turns facts into a :class:`ServiceCard` for one request: the language, the
clock (open now / closes at / opens at), the distance from a point, and the audience. Officer-only
phones and officer notes are only filled in for officers; a confidential location's address
never is. For anyone else a confidential location shows its public name only (not its town, not
the descriptions of its phones), and its distance is measured to its public position, the centre
of its grid cell, rounded to whole km (:mod:`directory_data.confidential`); officers get the
true distance and the town.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from babel import Locale

from directory_data.availability import Reading, readings
from directory_data.confidential import public_distance_km, public_point
from directory_data.distance import haversine_km
from directory_data.phone_display import phone_display
from directory_data.models import (
    AddressType,
    DEFAULT_STALE_AFTER_DAYS,
    Location,
    PhoneAudience,
    PhoneType,
    Service,
    ServiceStatus,
)
from directory_data.text_lines import text_keyword
from search_index.documents import language_code, service_languages
from search_index.hours import DEFAULT_TIMEZONE, encode_schedules
from search_index.opening import OpeningStatus, hours_key, opening_status


SUMMARY_LENGTH = 110
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


#: Phone types a person can call (a "scan to call" code and tap-to-call make sense for them).
CALLABLE_TYPES = frozenset({None, PhoneType.voice, PhoneType.cell})


@dataclass(frozen=True)
class PhoneLine:
    """A phone number as shown and as dialled, with what it is for (``private_description``:
    the phone of a confidential location, whose description only officers see). A text-only
    line (``is_text``) has the ``keyword`` to send, when its description names one; ``callable``
    says whether a person can call it (not a text line, a fax or a pager)."""

    shown: str
    dialled: str
    description: str | None
    officer_only: bool
    is_text: bool
    private_description: bool = False
    keyword: str | None = None
    callable: bool = True


@dataclass(frozen=True)
class PlaceLine:
    """Where a service is: a name and street address, or for a confidential place its public
    name only (``town`` is for officers). ``point`` is the true position, ``public_point`` the
    one anyone may be told (a confidential place's cell centre)."""

    name: str | None
    address: str | None
    confidential: bool
    point: tuple[float, float] | None = None
    public_point: tuple[float, float] | None = None
    town: str | None = None


@dataclass(frozen=True)
class ListingFacts:
    """Everything a card or a detail page may show of one service, independent of the request."""

    id: str
    #: One of the fictional sample directory's listings (every surface marks it).
    sample: bool
    status: ServiceStatus
    name: str
    name_es: str | None
    description: str | None
    description_es: str | None
    organization: str | None
    hours: dict[str, Any] | None
    languages: tuple[tuple[str, str | None], ...]
    free: bool
    phones: tuple[PhoneLine, ...]
    places: tuple[PlaceLine, ...]
    assured_date: dt.date | None
    eligibility: str | None
    fees: str | None
    application: str | None
    url: str | None
    officer_notes: str | None
    categories: tuple[str, ...]
    #: ``hours`` in a hashable form (:func:`search_index.opening.hours_key`), for the week's table.
    hours_key: str | None = None
    #: The service's capacities (:mod:`directory_data.availability`), by unit name.
    capacities: tuple[Reading, ...] = ()

    def is_stale(self, today: dt.date, after_days: int = DEFAULT_STALE_AFTER_DAYS) -> bool:
        """Whether the listing has not been verified within ``after_days`` of ``today``."""
        return self.assured_date is None or (today - self.assured_date).days > after_days


@dataclass(frozen=True)
class ServiceCard:
    """Everything a card or a detail page shows of one service for one request."""

    id: str
    #: One of the fictional sample directory's listings (every surface marks it).
    sample: bool
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
    #: Sorted by distance: among the best matches (False: among the other matches after them).
    best_match: bool = True
    #: The listing's hours (:func:`search_index.opening.hours_key`), for the week's table.
    hours_key: str | None = None
    eligibility: str | None = None
    fees: str | None = None
    application: str | None = None
    url: str | None = None
    officer_notes: str | None = None
    categories: list[str] = field(default_factory=list)
    #: The service's capacities; the interface words them at render time.
    capacities: tuple[Reading, ...] = ()


def _phone_lines(service: Service, locations: list[Location]) -> tuple[PhoneLine, ...]:
    lines = []
    seen: set[str] = set()
    hidden = {loc.id for loc in locations if loc.confidential}
    every = [(p, p.location_id in hidden) for p in service.phones]
    every += [(p, loc.id in hidden) for loc in locations for p in loc.phones]
    for phone, private in every:
        if phone.number in seen:
            continue
        seen.add(phone.number)
        shown, dialled = phone_display(phone.number)
        if phone.extension:
            shown = f"{shown} ext {phone.extension}"
        is_text = phone.type == PhoneType.text
        lines.append(PhoneLine(shown, dialled, phone.description,
                               phone.audience == PhoneAudience.officer, is_text,
                               private and bool(phone.description),
                               text_keyword(phone.description) if is_text else None,
                               phone.type in CALLABLE_TYPES))
    lines.sort(key=lambda line: line.officer_only)  # public numbers first, largest
    return tuple(lines)


def _place_lines(locations: list[Location]) -> tuple[PlaceLine, ...]:
    places = []
    for loc in locations:
        address = loc.physical_address
        point = (loc.latitude, loc.longitude) if loc.latitude is not None and loc.longitude is not None else None
        if loc.confidential:
            places.append(PlaceLine(loc.name, None, True, point, public_point(loc),
                                    (address.city or None) if address is not None else None))
        else:
            places.append(PlaceLine(loc.name, address.one_line() if address else None, False, point, point))
    return tuple(places)


def listing_facts(service: Service, *, default_timezone: str = DEFAULT_TIMEZONE) -> ListingFacts:
    """The facts of ``service`` (pure: reads only the service and what was loaded with it)."""
    locations = service.locations
    hours = encode_schedules(service.hours_schedules, default_timezone)
    return ListingFacts(
        id=service.id,
        sample=service.is_sample,
        status=service.status,
        name=service.name,
        name_es=service.name_es,
        description=service.description,
        description_es=service.description_es,
        organization=service.organization.name if service.organization else None,
        hours=hours,
        languages=tuple((lang.code or "", lang.name) for lang in service.languages),
        free=service.is_free,
        phones=_phone_lines(service, locations),
        places=_place_lines(locations),
        assured_date=service.assured_date,
        eligibility=service.eligibility_description,
        fees=service.fees_description,
        application=service.application_process,
        url=service.url,
        officer_notes=service.officer_notes,
        categories=tuple(service.category_slugs),
        hours_key=hours_key(hours),
        capacities=readings(service.capacities),
    )


def summary_line(text: str | None) -> str | None:
    """The first sentence of ``text``, cut at a word to at most :data:`SUMMARY_LENGTH` characters."""
    if not text:
        return None
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if len(first) <= SUMMARY_LENGTH:
        return first
    cut = first[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


#: Language names in each interface language (Babel's tables), filled in as languages are asked for.
_NAMES_IN: dict[str, Any] = {}


def listing_text(facts: ListingFacts, field: str, language: str) -> str | None:
    """``facts.<field>`` in ``language``: ``<field>_es`` in Spanish where it is set."""
    translated = getattr(facts, f"{field}_es", None) if language == "es" else None
    return translated or getattr(facts, field, None)


def language_names(facts: ListingFacts, language: str) -> list[str]:
    """The names of the languages the service is offered in, in ``language``."""
    names = _NAMES_IN.get(language)
    if names is None:
        names = _NAMES_IN[language] = Locale.parse(language).languages
    found: dict[str, str] = {}
    for code, name in facts.languages:
        iso = language_code(code, name)
        if iso and iso not in found:
            found[iso] = (names.get(iso) or name or iso).capitalize()
    return list(found.values())


def distance_km(facts: ListingFacts, point: tuple[float, float] | None, *, exact: bool = False) -> float | None:
    """The great-circle distance from ``point`` to the service's nearest located place: to its
    public position (a confidential place's cell centre, rounded to whole km), or with ``exact``
    (officers) to its true one."""
    if point is None:
        return None
    distances = []
    for place in facts.places:
        if exact or not place.confidential:
            if place.point:
                distances.append(haversine_km(point, place.point))
        elif place.public_point:
            distances.append(public_distance_km(haversine_km(point, place.public_point)))
    return min(distances) if distances else None


def _shown_phone(phone: PhoneLine, officer: bool) -> PhoneLine:
    """``phone`` as this audience sees it (a confidential place's phone loses its description)."""
    return dataclasses.replace(phone, description=None) if phone.private_description and not officer else phone


def make_card(
    facts: ListingFacts,
    *,
    now: dt.datetime,
    today: dt.date,
    stale_after_days: int,
    point: tuple[float, float] | None = None,
    hit_distance_km: float | None = None,
    crisis: bool = False,
    officer: bool = False,
    language: str,
    best_match: bool = True,
) -> ServiceCard:
    """The card of a service at ``now`` in ``language``, distances from ``point``."""
    description = listing_text(facts, "description", language)
    return ServiceCard(
        id=facts.id,
        sample=facts.sample,
        name=listing_text(facts, "name", language) or facts.name,
        organization=facts.organization,
        summary=summary_line(description),
        description=description,
        status=opening_status(facts.hours, now),
        temporarily_closed=facts.status == ServiceStatus.temporarily_closed,
        distance_km=hit_distance_km if hit_distance_km is not None else distance_km(facts, point, exact=officer),
        languages=language_names(facts, language),
        free=facts.free,
        phones=[_shown_phone(p, officer) for p in facts.phones if officer or not p.officer_only],
        places=list(facts.places),
        last_checked=facts.assured_date,
        stale=facts.is_stale(today, stale_after_days),
        crisis=crisis,
        best_match=best_match,
        hours_key=facts.hours_key,
        eligibility=facts.eligibility,
        fees=facts.fees,
        application=facts.application,
        url=facts.url,
        officer_notes=facts.officer_notes if officer else None,
        categories=list(facts.categories),
        capacities=facts.capacities,
    )


def _public_phones(service: Service) -> list[dict[str, str]]:
    """The public numbers of the service and its places, each once (the first one's type)."""
    out: dict[str, dict[str, str]] = {}
    for phone in [*service.phones, *(p for loc in service.locations for p in loc.phones)]:
        if phone.audience != PhoneAudience.officer and phone.number:
            out.setdefault(phone.number, {"number": phone.number, "type": phone.type.value if phone.type else "voice"})
    return list(out.values())


_ADDRESS_FIELDS = ("address_1", "address_2", "city", "state_province", "postal_code", "country")


def _address(service: Service) -> dict[str, Any] | None:
    """The first public street address; None when the service's places are all confidential."""
    address = next((a for loc in service.locations if not loc.confidential for a in loc.addresses
                    if a.address_type in (None, AddressType.physical)), None)
    if address is None:
        return None
    return {**{name: getattr(address, name) for name in _ADDRESS_FIELDS}, "text": address.one_line()}


def result_fields(service: Service) -> dict[str, Any]:
    """What a search result of the API shows of ``service`` as loaded, whatever the search (kept
    per process with its card facts)."""
    terms = [link.term for link in service.taxonomy_links if link.term is not None]
    return {
        "id": service.id, "sample": service.is_sample, "name": service.name,
        "organization": service.organization.name if service.organization else None,
        "categories": service.category_slugs, "taxonomy": [{"code": t.code, "name": t.name} for t in terms],
        "phones": _public_phones(service), "address": _address(service), "languages": service_languages(service),
    }
