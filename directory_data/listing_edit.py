"""A listing as a caseworker edits it: the service's fields, its phones, weekly hours, holiday
closures, languages, costs, categories and its place, as one value.

* :func:`edit_of` reads a :class:`ListingEdit` from a service;
* :func:`read_edit` makes one from the text of each field and row (the workspace's form codec,
  :mod:`kiosk.forms.listing_form`, gathers it), checking every value with
  :mod:`directory_data.validation` and the listing's rules, each error named as the caller names
  the input;
* :func:`summary` and :func:`differences` put two versions side by side (the conflict view).

Nothing here touches the database; :mod:`directory_data.listings` applies an edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from directory_data.models import (
    WEEKDAYS,
    PhoneAudience,
    PhoneType,
    Schedule,
    Service,
    ServiceStatus,
)
from directory_data.organization_pick import OrganizationPick
from directory_data.validation import (
    FieldError,
    normalize_email,
    normalize_url,
    parse_coordinates,
    parse_date,
    parse_decimal,
    parse_int,
    parse_language,
    parse_phone,
    parse_time,
)

#: The service's own text fields a caseworker edits, with their longest length (None: no limit).
TEXT_FIELDS: dict[str, int | None] = {
    "name": 300, "alternate_name": 300, "name_es": 300, "description": None,
    "description_es": None, "eligibility_description": None, "application_process": None,
    "fees_description": None, "wait_time": 300, "alert": None, "officer_notes": None,
}
#: ``(prefix, values)`` of one row of a section: ``prefix`` names its inputs in errors (``phones-0-``),
#: ``values`` holds its id and the stripped text of each input (a list of day codes for ``days``).
Row = tuple[str, Mapping[str, Any]]


@dataclass
class PhoneRow:
    """A phone line of the service."""

    id: str | None
    number: str
    extension: int | None = None
    type: PhoneType = PhoneType.voice
    audience: PhoneAudience = PhoneAudience.public
    description: str = ""


@dataclass
class HoursRow:
    """One weekly span: the days it repeats on, when it opens and closes."""

    id: str | None
    days: list[str]
    opens: dt.time
    closes: dt.time


@dataclass
class ClosureRow:
    """A holiday closure from ``start`` to ``end`` (inclusive)."""

    id: str | None
    start: dt.date
    end: dt.date
    note: str = ""


@dataclass
class LanguageRow:
    """A language spoken at the service."""

    id: str | None
    name: str
    code: str | None


@dataclass
class CostRow:
    """A cost option: what it is for and the amount (0 is free)."""

    id: str | None
    option: str
    amount: Decimal | None


@dataclass
class Place:
    """Where the service is delivered (its first location)."""

    name: str = ""
    address_1: str = ""
    city: str = ""
    state_province: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    confidential: bool = False

    @property
    def is_empty(self) -> bool:
        """Whether nothing is known of the place."""
        return not (self.name or self.address_1 or self.city or self.latitude is not None)


@dataclass
class ListingEdit:
    """Everything the workspace edits of a listing, in one value."""

    fields: dict[str, Any]
    organization_id: str | None = None
    categories: list[str] = field(default_factory=list)
    phones: list[PhoneRow] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)
    closures: list[ClosureRow] = field(default_factory=list)
    languages: list[LanguageRow] = field(default_factory=list)
    costs: list[CostRow] = field(default_factory=list)
    place: Place = field(default_factory=Place)


# --------------------------------------------------------------------------------------------
# From a service
# --------------------------------------------------------------------------------------------


def is_weekly(schedule: Schedule) -> bool:
    """Whether ``schedule`` is a plain weekly span the hours editor shows."""
    return (schedule.freq or "").upper() == "WEEKLY" and bool(schedule.byday) and \
        schedule.opens_at is not None and schedule.closes_at is not None and \
        schedule.valid_from is None and schedule.valid_to is None


def edit_of(service: Service) -> ListingEdit:
    """The listing ``service`` as an edit (its current state)."""
    fields: dict[str, Any] = {name: getattr(service, name) or "" for name in TEXT_FIELDS}
    fields.update(url=service.url or "", email=service.email or "", status=service.status,
                  minimum_age=service.minimum_age, maximum_age=service.maximum_age,
                  walk_in=service.walk_in)
    schedules = sorted(service.schedules, key=_schedule_order)
    place = Place()
    locations = [link.location for link in service.location_links if link.location is not None]
    if locations:
        loc = sorted(locations, key=lambda l: l.id)[0]
        address = loc.physical_address or (loc.addresses[0] if loc.addresses else None)
        street = {key: getattr(address, key) if address else ""
                  for key in ("address_1", "city", "state_province", "postal_code")}
        place = Place(name=loc.name or "", **street, latitude=loc.latitude, longitude=loc.longitude,
                      confidential=bool(loc.confidential))
    return ListingEdit(
        fields=fields,
        organization_id=service.organization_id,
        categories=service.category_slugs,
        phones=[PhoneRow(p.id, p.number, p.extension, p.type, p.audience, p.description or "")
                for p in sorted(service.phones, key=lambda p: (p.audience.value != "public", p.id))],
        hours=[HoursRow(s.id, s.weekdays, s.opens_at, s.closes_at)  # type: ignore[arg-type]
               for s in schedules if is_weekly(s)],
        closures=[ClosureRow(s.id, s.valid_from, s.valid_to or s.valid_from,  # type: ignore[arg-type]
                             s.description or "")
                  for s in schedules if s.is_closure],
        languages=[LanguageRow(lang.id, lang.name or lang.code or "", lang.code)
                   for lang in sorted(service.languages, key=lambda lang: lang.id)],
        costs=[CostRow(c.id, c.option or "", c.amount)
               for c in sorted(service.cost_options, key=lambda c: c.id)],
        place=place,
    )


def _schedule_order(schedule: Schedule) -> tuple[int, str, str, str]:
    first = schedule.weekdays[0] if schedule.weekdays else "ZZ"
    day = WEEKDAYS.index(first) if first in WEEKDAYS else 9
    return (day, str(schedule.opens_at or ""), str(schedule.valid_from or ""), schedule.id or "")




def field_text(name: str, value: Any) -> str:
    """The value of the field ``name`` as text: a status by its HSDS value, walk-ins as ``yes``,
    ``no`` or ``""`` (unknown), nothing as ``""``."""
    if name == "walk_in":
        return {True: "yes", False: "no"}.get(value, "")
    return value.value if isinstance(value, ServiceStatus) else "" if value is None else str(value)


def time_text(value: dt.time | None) -> str:
    """``value`` as ``HH:MM`` (``""`` for none)."""
    return value.strftime("%H:%M") if value else ""


def amount_text(value: Decimal | None) -> str:
    """``value`` without trailing zeros (``""`` for none)."""
    return "" if value is None else format(value.normalize(), "f")


# --------------------------------------------------------------------------------------------
# From the text of each input
# --------------------------------------------------------------------------------------------


def read_edit(
    text: Mapping[str, Any], rows: Mapping[str, Iterable[Row]], *, chosen: Iterable[str],
    categories: Collection[str], organization: OrganizationPick,
) -> tuple[ListingEdit, list[FieldError]]:
    """The edit and every problem with it: ``text`` holds the stripped text of each field (and
    of the place's, ``place-name`` ..., with ``place-confidential`` a bool), ``rows`` the rows
    of each section that are kept, ``chosen`` the category slugs asked for (``categories``
    exist), ``organization`` what the organization field resolved to."""
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        fields[name] = text.get(name, "")
        if limit is not None and len(fields[name]) > limit:
            errors.append(FieldError(name, f"at most {limit} characters"))
    if not fields["name"]:
        errors.append(FieldError("name", "a listing needs a name"))
    url, errs = normalize_url(text.get("url", ""), "url")
    errors += errs
    email, errs = normalize_email(text.get("email", ""), "email")
    errors += errs
    fields.update(url=url or "", email=email or "")
    try:
        fields["status"] = ServiceStatus(text.get("status") or ServiceStatus.active.value)
    except ValueError:
        errors.append(FieldError("status", "not a listing status"))
        fields["status"] = ServiceStatus.active
    for key in ("minimum_age", "maximum_age"):
        fields[key], errs = parse_int(text.get(key, ""), key, minimum=0, maximum=120)
        errors += errs
    if fields["minimum_age"] is not None and fields["maximum_age"] is not None \
            and fields["minimum_age"] > fields["maximum_age"]:
        errors.append(FieldError("maximum_age", "the maximum age is below the minimum age"))
    walk_in = text.get("walk_in", "")
    fields["walk_in"] = {"yes": True, "no": False}.get(walk_in)
    if walk_in not in ("", "yes", "no"):
        errors.append(FieldError("walk_in", "answer yes, no, or leave it unknown"))
    if organization.error is not None:
        errors.append(organization.error)
    chosen = [str(c) for c in chosen]
    if any(c not in categories for c in chosen):
        errors.append(FieldError("categories", "not a category of the directory"))
    edit = ListingEdit(fields=fields, organization_id=organization.organization_id,
                       categories=sorted({c for c in chosen if c in categories}))
    for section, read in (("phones", _read_phone), ("hours", _read_hours), ("closures", _read_closure),
                          ("languages", _read_language), ("costs", _read_cost)):
        for prefix, row in rows.get(section, ()):
            read(prefix, row, edit, errors)
    _read_place(text, edit, errors)
    return edit, errors


def _read_phone(prefix: str, row: Mapping[str, Any], edit: ListingEdit, errors: list[FieldError]) -> None:
    parsed, errs = parse_phone(row["number"], prefix + "number", extension=row["extension"] or None)
    errors += errs
    try:
        kind = PhoneType(row["type"] or "voice")
        audience = PhoneAudience(row["audience"] or "public")
    except ValueError:
        errors.append(FieldError(prefix + "type", "not a kind of phone line"))
        return
    description = row["description"]
    if parsed is not None and parsed.extension_text:
        description = (description + " " if description else "") + f"ext. {parsed.extension_text}"
    if parsed is not None:
        edit.phones.append(PhoneRow(row["id"], parsed.number, parsed.extension, kind, audience,
                                    description[:500]))


def _read_hours(prefix: str, row: Mapping[str, Any], edit: ListingEdit, errors: list[FieldError]) -> None:
    days = [d for d in row["days"] if d in WEEKDAYS]
    if not days:
        errors.append(FieldError(prefix + "days", "choose at least one day"))
    opens, errs = parse_time(row["opens"], prefix + "opens")
    errors += errs
    closes, errs2 = parse_time(row["closes"], prefix + "closes")
    errors += errs2
    if opens is None and not errs:
        errors.append(FieldError(prefix + "opens", "give the opening time"))
    if closes is None and not errs2:
        errors.append(FieldError(prefix + "closes", "give the closing time"))
    if opens is not None and closes is not None and opens == closes:
        errors.append(FieldError(prefix + "closes", "closes at the time it opens"))
    if days and opens is not None and closes is not None:
        edit.hours.append(HoursRow(row["id"], sorted(days, key=WEEKDAYS.index), opens, closes))


def _read_closure(prefix: str, row: Mapping[str, Any], edit: ListingEdit, errors: list[FieldError]) -> None:
    start, errs = parse_date(row["start"], prefix + "start")
    errors += errs
    end, errs2 = parse_date(row["end"] or row["start"], prefix + "end")
    errors += errs2
    if start is None and not errs:
        errors.append(FieldError(prefix + "start", "give the first day of the closure"))
    elif start is not None and end is not None:
        if end < start:
            errors.append(FieldError(prefix + "end", "the closure ends before it starts"))
        else:
            edit.closures.append(ClosureRow(row["id"], start, end, row["note"][:300]))


def _read_language(prefix: str, row: Mapping[str, Any], edit: ListingEdit, errors: list[FieldError]) -> None:
    parsed, errs = parse_language(row["name"], prefix + "name")
    errors += errs
    if parsed is not None:
        edit.languages.append(LanguageRow(row["id"], (parsed.name or parsed.note or "")[:100], parsed.code))


def _read_cost(prefix: str, row: Mapping[str, Any], edit: ListingEdit, errors: list[FieldError]) -> None:
    amount, errs = parse_decimal(row["amount"], prefix + "amount")
    errors += errs
    if amount is not None and (amount < 0 or amount >= Decimal("1e10")):
        errors.append(FieldError(prefix + "amount", "an amount is 0 or more"))
    elif not errs:
        edit.costs.append(CostRow(row["id"], row["option"][:500], amount))


def _read_place(text: Mapping[str, Any], edit: ListingEdit, errors: list[FieldError]) -> None:
    limits = {"name": 300, "address_1": 300, "city": 120, "state_province": 60, "postal_code": 20}
    place = Place(**{key: text.get(f"place-{key}", "")[:limit] for key, limit in limits.items()},
                  confidential=bool(text.get("place-confidential")))
    point, errs = parse_coordinates(text.get("place-latitude", ""), text.get("place-longitude", ""),
                                    "place-latitude")
    errors += errs
    if point is not None:
        place.latitude, place.longitude = point
    edit.place = place


# --------------------------------------------------------------------------------------------
# Side by side
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One line that differs between two versions: what it is, theirs and mine (``""``: none)."""

    kind: str
    theirs: str
    mine: str


def summary(edit: ListingEdit) -> dict[str, tuple[str, str]]:
    """Each line of ``edit`` as ``{key: (kind, text)}``: a field, or one row of a section."""
    lines = {name: (name, field_text(name, value)) for name, value in edit.fields.items()}
    lines["organization_id"] = ("organization_id", edit.organization_id or "")
    lines["categories"] = ("categories", ", ".join(edit.categories))
    for i, p in enumerate(edit.phones):
        ext = f" x{p.extension}" if p.extension else ""
        lines[f"phone:{p.id or i}"] = ("phones", f"{p.number}{ext} · {p.type.value} · "
                                                 f"{p.audience.value} {p.description}".strip())
    for i, h in enumerate(edit.hours):
        lines[f"hours:{h.id or i}"] = ("hours", f"{','.join(h.days)} {time_text(h.opens)}-"
                                                f"{time_text(h.closes)}")
    for i, c in enumerate(edit.closures):
        lines[f"closure:{c.id or i}"] = ("closures", f"{c.start.isoformat()}..{c.end.isoformat()} "
                                                     f"{c.note}".strip())
    for i, lang in enumerate(edit.languages):
        lines[f"language:{lang.id or i}"] = ("languages", lang.name)
    for i, c in enumerate(edit.costs):
        lines[f"cost:{c.id or i}"] = ("costs", f"{c.option} {amount_text(c.amount)}".strip())
    place = edit.place
    coordinates = "" if place.latitude is None else f"{place.latitude:g}, {place.longitude:g}"
    lines["place"] = ("place", " · ".join(p for p in (
        place.name, place.address_1, place.city, place.state_province, place.postal_code,
        coordinates, "confidential" if place.confidential else "") if p))
    return lines


def differences(theirs: ListingEdit, mine: ListingEdit) -> list[Difference]:
    """The lines where ``mine`` (submitted) and ``theirs`` (saved meanwhile) differ."""
    a, b = summary(theirs), summary(mine)
    found = []
    for key in dict.fromkeys([*a, *b]):
        kind = (a.get(key) or b.get(key))[0]  # type: ignore[index]
        left, right = a.get(key, (kind, ""))[1], b.get(key, (kind, ""))[1]
        if left != right:
            found.append(Difference(kind, left, right))
    return found
