"""A listing as a caseworker edits it: the service's fields, its phones, weekly hours, holiday
closures, languages, costs, categories and its place, as one value.

* :func:`edit_of` reads a :class:`ListingEdit` from a service;
* :func:`form_values` turns an edit into the flat form values the workspace renders
  (``phones-0-number``, ``hours-1-days`` ...), and :func:`parse_form` reads them back, checking
  every field with :mod:`directory_data.validation` and naming the input each error belongs to;
* :func:`summary` and :func:`differences` put two versions side by side (the conflict view).

Nothing here touches the database; :mod:`directory_data.listings` applies an edit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from directory_data.models import (
    WEEKDAYS,
    PhoneAudience,
    PhoneType,
    Schedule,
    Service,
    ServiceStatus,
)
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

if TYPE_CHECKING:  # organization_field reads FormValues from here
    from directory_data.organization_field import OrganizationPick

#: The service's own text fields a caseworker edits, with their longest length (None: no limit).
TEXT_FIELDS: dict[str, int | None] = {
    "name": 300, "alternate_name": 300, "name_es": 300, "description": None,
    "description_es": None, "eligibility_description": None, "application_process": None,
    "fees_description": None, "wait_time": 300, "alert": None, "officer_notes": None,
}
#: Empty rows offered in each repeated section of the form, for adding records.
BLANK_ROWS = 2
SECTIONS = ("phones", "hours", "closures", "languages", "costs")
_ROW_KEY = re.compile(r"^(phones|hours|closures|languages|costs)-(\d{1,3})-")
MAX_ROWS = 60


class FormValues(Protocol):
    """What a submitted form looks like (a Werkzeug ``MultiDict`` is one)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def keys(self) -> Iterable[str]: ...


class Values(dict[str, list[str]]):
    """Form values kept as lists, readable like a ``MultiDict``."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        found = super().get(key)
        return found[0] if found else default

    def getlist(self, key: str) -> list[str]:
        """Every value of ``key``."""
        return list(super().get(key) or [])

    @classmethod
    def of(cls, values: FormValues) -> Values:
        """A copy of ``values`` (a submitted form) that can be changed."""
        return cls({key: [str(v) for v in values.getlist(key)] for key in values.keys()})

    def put(self, key: str, value: Any) -> None:
        """Set ``key`` to one value (``None`` is an empty string)."""
        self[key] = ["" if value is None else str(value)]


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


def is_editable_closure(schedule: Schedule) -> bool:
    """Whether ``schedule`` is a closure the hours editor shows."""
    return schedule.is_closure


def edit_of(service: Service) -> ListingEdit:
    """The listing ``service`` as an edit (its current state)."""
    fields: dict[str, Any] = {name: getattr(service, name) or "" for name in TEXT_FIELDS}
    fields.update(url=service.url or "", email=service.email or "", status=service.status,
                  minimum_age=service.minimum_age, maximum_age=service.maximum_age,
                  walk_in=service.walk_in)
    own = [s for s in service.schedules]
    place = Place()
    locations = [link.location for link in service.location_links if link.location is not None]
    if locations:
        loc = sorted(locations, key=lambda l: l.id)[0]
        address = loc.physical_address or (loc.addresses[0] if loc.addresses else None)
        place = Place(name=loc.name or "", address_1=address.address_1 if address else "",
                      city=address.city if address else "",
                      state_province=address.state_province if address else "",
                      postal_code=address.postal_code if address else "",
                      latitude=loc.latitude, longitude=loc.longitude,
                      confidential=bool(loc.confidential))
    return ListingEdit(
        fields=fields,
        organization_id=service.organization_id,
        categories=service.category_slugs,
        phones=[PhoneRow(p.id, p.number, p.extension, p.type, p.audience, p.description or "")
                for p in sorted(service.phones, key=lambda p: (p.audience.value != "public", p.id))],
        hours=[HoursRow(s.id, s.weekdays, s.opens_at, s.closes_at)  # type: ignore[arg-type]
               for s in sorted(own, key=_schedule_order) if is_weekly(s)],
        closures=[ClosureRow(s.id, s.valid_from, s.valid_to or s.valid_from,  # type: ignore[arg-type]
                             s.description or "")
                  for s in sorted(own, key=_schedule_order) if is_editable_closure(s)],
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


# --------------------------------------------------------------------------------------------
# To and from form values
# --------------------------------------------------------------------------------------------


def _time_text(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _amount_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def form_values(edit: ListingEdit, *, blank_rows: int = BLANK_ROWS) -> Values:
    """The flat form values of ``edit``, with ``blank_rows`` empty rows after each section."""
    values = Values()
    for name, value in edit.fields.items():
        if name == "status":
            values.put(name, value.value if isinstance(value, ServiceStatus) else value)
        elif name == "walk_in":
            values.put(name, {True: "yes", False: "no"}.get(value, ""))
        else:
            values.put(name, value)
    values.put("organization_id", edit.organization_id)
    values["categories"] = list(edit.categories)
    rows: dict[str, list[dict[str, Any]]] = {
        "phones": [{"id": p.id, "number": p.number, "extension": p.extension,
                    "type": p.type.value, "audience": p.audience.value,
                    "description": p.description} for p in edit.phones],
        "hours": [{"id": h.id, "days": h.days, "opens": _time_text(h.opens),
                   "closes": _time_text(h.closes)} for h in edit.hours],
        "closures": [{"id": c.id, "start": c.start.isoformat(), "end": c.end.isoformat(),
                      "note": c.note} for c in edit.closures],
        "languages": [{"id": lang.id, "name": lang.name} for lang in edit.languages],
        "costs": [{"id": c.id, "option": c.option, "amount": _amount_text(c.amount)}
                  for c in edit.costs],
    }
    for section, items in rows.items():
        for index, item in enumerate([*items, *({"id": ""} for _ in range(blank_rows))]):
            for key, value in item.items():
                if isinstance(value, list):
                    values[f"{section}-{index}-{key}"] = list(value)
                else:
                    values.put(f"{section}-{index}-{key}", value)
        values.put(f"{section}-count", len(items) + blank_rows)
    place = edit.place
    for key in ("name", "address_1", "city", "state_province", "postal_code"):
        values.put(f"place-{key}", getattr(place, key))
    values.put("place-latitude", "" if place.latitude is None else f"{place.latitude:g}")
    values.put("place-longitude", "" if place.longitude is None else f"{place.longitude:g}")
    values["place-confidential"] = ["1"] if place.confidential else []
    return values


def row_indexes(values: FormValues, section: str) -> list[int]:
    """The row numbers of ``section`` present in ``values``, in order."""
    found = set()
    for key in values.keys():
        match = _ROW_KEY.match(key)
        if match and match.group(1) == section:
            found.add(int(match.group(2)))
    return sorted(found)[:MAX_ROWS]


def _text(values: FormValues, key: str) -> str:
    return str(values.get(key) or "").replace("\r\n", "\n").strip()


def _is_on(values: FormValues, key: str) -> bool:
    return str(values.get(key) or "").lower() in ("1", "on", "true", "yes")


def parse_form(
    values: FormValues, *, categories: Collection[str], organization: OrganizationPick
) -> tuple[ListingEdit, list[FieldError]]:
    """The edit in submitted ``values`` and every problem with it, by input name.

    ``categories`` are the slugs that exist; ``organization`` is what the form's organization
    field resolved to (:func:`directory_data.organization_field.resolve_organization` reads it
    from the database). A row whose ``remove`` box is ticked, or whose inputs are all empty, is
    left out.
    """
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        text = _text(values, name)
        if limit is not None and len(text) > limit:
            errors.append(FieldError(name, f"at most {limit} characters"))
        fields[name] = text
    if not fields["name"]:
        errors.append(FieldError("name", "a listing needs a name"))
    url, errs = normalize_url(_text(values, "url"), "url")
    errors += errs
    email, errs = normalize_email(_text(values, "email"), "email")
    errors += errs
    fields.update(url=url or "", email=email or "")
    try:
        fields["status"] = ServiceStatus(_text(values, "status") or ServiceStatus.active.value)
    except ValueError:
        errors.append(FieldError("status", "not a listing status"))
        fields["status"] = ServiceStatus.active
    for key in ("minimum_age", "maximum_age"):
        fields[key], errs = parse_int(_text(values, key), key, minimum=0, maximum=120)
        errors += errs
    if fields["minimum_age"] is not None and fields["maximum_age"] is not None \
            and fields["minimum_age"] > fields["maximum_age"]:
        errors.append(FieldError("maximum_age", "the maximum age is below the minimum age"))
    walk_in = _text(values, "walk_in")
    fields["walk_in"] = {"yes": True, "no": False}.get(walk_in)
    if walk_in not in ("", "yes", "no"):
        errors.append(FieldError("walk_in", "answer yes, no, or leave it unknown"))

    organization_id = organization.organization_id
    if organization.error is not None:
        errors.append(organization.error)
    chosen = [str(c) for c in values.getlist("categories")]
    unknown = [c for c in chosen if c not in categories]
    if unknown:
        errors.append(FieldError("categories", "not a category of the directory"))
    edit = ListingEdit(fields=fields, organization_id=organization_id,
                       categories=sorted({c for c in chosen if c in categories}))
    _parse_phones(values, edit, errors)
    _parse_hours(values, edit, errors)
    _parse_closures(values, edit, errors)
    _parse_languages(values, edit, errors)
    _parse_costs(values, edit, errors)
    _parse_place(values, edit, errors)
    return edit, errors


def _rows(values: FormValues, section: str, keys: tuple[str, ...]) -> Iterable[tuple[str, str | None]]:
    """``(prefix, id)`` of the rows of ``section`` that are kept (not removed, not empty)."""
    for index in row_indexes(values, section):
        prefix = f"{section}-{index}-"
        if _is_on(values, prefix + "remove"):
            continue
        if not any(_text(values, prefix + k) for k in keys) and not values.getlist(prefix + "days"):
            continue
        yield prefix, (_text(values, prefix + "id") or None)


def _parse_phones(values: FormValues, edit: ListingEdit, errors: list[FieldError]) -> None:
    for prefix, row_id in _rows(values, "phones", ("number", "extension", "description")):
        parsed, errs = parse_phone(_text(values, prefix + "number"), prefix + "number",
                                   extension=_text(values, prefix + "extension") or None)
        errors += errs
        try:
            kind = PhoneType(_text(values, prefix + "type") or "voice")
            audience = PhoneAudience(_text(values, prefix + "audience") or "public")
        except ValueError:
            errors.append(FieldError(prefix + "type", "not a kind of phone line"))
            continue
        description = _text(values, prefix + "description")
        if parsed is not None and parsed.extension_text:
            description = (description + " " if description else "") + f"ext. {parsed.extension_text}"
        if parsed is not None:
            edit.phones.append(PhoneRow(row_id, parsed.number, parsed.extension, kind, audience,
                                        description[:500]))


def _parse_hours(values: FormValues, edit: ListingEdit, errors: list[FieldError]) -> None:
    for prefix, row_id in _rows(values, "hours", ("opens", "closes")):
        days = [d for d in (str(v).upper() for v in values.getlist(prefix + "days")) if d in WEEKDAYS]
        if not days:
            errors.append(FieldError(prefix + "days", "choose at least one day"))
        opens, errs = parse_time(_text(values, prefix + "opens"), prefix + "opens")
        errors += errs
        closes, errs2 = parse_time(_text(values, prefix + "closes"), prefix + "closes")
        errors += errs2
        if opens is None and not errs:
            errors.append(FieldError(prefix + "opens", "give the opening time"))
        if closes is None and not errs2:
            errors.append(FieldError(prefix + "closes", "give the closing time"))
        if opens is not None and closes is not None and opens == closes:
            errors.append(FieldError(prefix + "closes", "closes at the time it opens"))
        if days and opens is not None and closes is not None:
            edit.hours.append(HoursRow(row_id, sorted(days, key=WEEKDAYS.index), opens, closes))


def _parse_closures(values: FormValues, edit: ListingEdit, errors: list[FieldError]) -> None:
    for prefix, row_id in _rows(values, "closures", ("start", "end", "note")):
        start, errs = parse_date(_text(values, prefix + "start"), prefix + "start")
        errors += errs
        end, errs2 = parse_date(_text(values, prefix + "end") or _text(values, prefix + "start"),
                                prefix + "end")
        errors += errs2
        if start is None and not errs:
            errors.append(FieldError(prefix + "start", "give the first day of the closure"))
            continue
        if start is not None and end is not None:
            if end < start:
                errors.append(FieldError(prefix + "end", "the closure ends before it starts"))
                continue
            edit.closures.append(ClosureRow(row_id, start, end, _text(values, prefix + "note")[:300]))


def _parse_languages(values: FormValues, edit: ListingEdit, errors: list[FieldError]) -> None:
    for prefix, row_id in _rows(values, "languages", ("name",)):
        parsed, errs = parse_language(_text(values, prefix + "name"), prefix + "name")
        errors += errs
        if parsed is not None:
            edit.languages.append(LanguageRow(row_id, (parsed.name or parsed.note or "")[:100],
                                              parsed.code))


def _parse_costs(values: FormValues, edit: ListingEdit, errors: list[FieldError]) -> None:
    for prefix, row_id in _rows(values, "costs", ("option", "amount")):
        amount, errs = parse_decimal(_text(values, prefix + "amount"), prefix + "amount")
        errors += errs
        if amount is not None and (amount < 0 or amount >= Decimal("1e10")):
            errors.append(FieldError(prefix + "amount", "an amount is 0 or more"))
            continue
        if not errs:
            edit.costs.append(CostRow(row_id, _text(values, prefix + "option")[:500], amount))


def _parse_place(values: FormValues, edit: ListingEdit, errors: list[FieldError]) -> None:
    place = Place(
        name=_text(values, "place-name")[:300], address_1=_text(values, "place-address_1")[:300],
        city=_text(values, "place-city")[:120],
        state_province=_text(values, "place-state_province")[:60],
        postal_code=_text(values, "place-postal_code")[:20],
        confidential=_is_on(values, "place-confidential"),
    )
    point, errs = parse_coordinates(_text(values, "place-latitude"), _text(values, "place-longitude"),
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
    lines: dict[str, tuple[str, str]] = {}
    for name, value in edit.fields.items():
        if isinstance(value, ServiceStatus):
            text = value.value
        elif isinstance(value, bool) or name == "walk_in":
            text = {True: "yes", False: "no"}.get(value, "")
        else:
            text = "" if value is None else str(value)
        lines[name] = (name, text)
    lines["organization_id"] = ("organization_id", edit.organization_id or "")
    lines["categories"] = ("categories", ", ".join(edit.categories))
    for i, p in enumerate(edit.phones):
        ext = f" x{p.extension}" if p.extension else ""
        lines[f"phone:{p.id or i}"] = ("phones", f"{p.number}{ext} · {p.type.value} · "
                                                 f"{p.audience.value} {p.description}".strip())
    for i, h in enumerate(edit.hours):
        lines[f"hours:{h.id or i}"] = ("hours", f"{','.join(h.days)} {_time_text(h.opens)}-"
                                                f"{_time_text(h.closes)}")
    for i, c in enumerate(edit.closures):
        lines[f"closure:{c.id or i}"] = ("closures", f"{c.start.isoformat()}..{c.end.isoformat()} "
                                                     f"{c.note}".strip())
    for i, lang in enumerate(edit.languages):
        lines[f"language:{lang.id or i}"] = ("languages", lang.name)
    for i, c in enumerate(edit.costs):
        lines[f"cost:{c.id or i}"] = ("costs", f"{c.option} {_amount_text(c.amount)}".strip())
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
