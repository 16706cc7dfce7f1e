"""Canonical HSDS 3.0 fields -> model column values, validated and cleaned.

One function per kind. Each reads only the fields the source has (``fields`` lacks a field the
source does not carry, and then the column is not touched on update), cleans text (see
:mod:`.cleaning`), validates with :mod:`directory_data.validation` and returns a
:class:`Mapped`: the column values, field problems (kept as warnings: the field is left empty
but the row is used), and a ``skip`` reason when the row cannot be used at all.
Foreign keys are not handled here; the builder resolves them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from functools import lru_cache

from sqlalchemy import String

from directory_data import validation as v
from directory_data.models import AddressType, Base, LocationType, PhoneType, ServiceStatus
from directory_data.validation import FieldError

from .cleaning import clean_line, clean_text

@dataclass(slots=True)
class Mapped:
    """Column values for one row, its field problems, and why it was skipped (if it was)."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldError] = field(default_factory=list)
    skip: str | None = None


#: Validators whose results depend on the value only: cached, since real exports repeat values
#: (``9:00am`` thousands of times, the same main number on every program of an agency); the
#: Miami import takes 10 % less CPU with them (2.75 s against 3.07 s).
_CACHED: dict[Callable[..., Any], Callable[..., Any]] = {
    fn: lru_cache(maxsize=16384)(fn)
    for fn in (v.parse_time, v.parse_date, v.parse_weekdays, v.parse_weekday, v.parse_int,
               v.parse_decimal, v.normalize_url, v.normalize_email, v.parse_language,
               v.parse_phone, v.parse_time_zone)
}
_NO_LIMIT = 1 << 30
#: The longest text each column of each model table holds.
LIMITS: dict[str, dict[str, int]] = {
    table.name: {c.name: c.type.length for c in table.columns
                 if isinstance(c.type, String) and c.type.length}
    for table in Base.metadata.sorted_tables
}


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The cached version of a validator (the validator itself if it is not cached)."""
    return _CACHED.get(fn, fn)


class _Row:
    """Helpers reading one row's fields into a :class:`Mapped` for model table ``kind``."""

    def __init__(self, fields: dict[str, Any], kind: str) -> None:
        self.fields = fields
        self.out = Mapped()
        self.limits = LIMITS[kind]

    def has(self, name: str) -> bool:
        return name in self.fields

    def raw(self, name: str) -> Any:
        return self.fields.get(name)

    def put(self, column: str, value: Any) -> None:
        """Set ``column``, shortening text longer than the column holds (with a problem)."""
        if value.__class__ is str and len(value) > self.limits.get(column, _NO_LIMIT):
            limit = self.limits[column]
            value = value[: limit - 1].rstrip() + "…"
            self.out.problems.append(FieldError(column, f"longer than {limit} characters; "
                                                        f"shortened"))
        self.out.values[column] = value

    def text(self, column: str, name: str | None = None, *, default: str | None = None) -> None:
        name = name or column
        if name in self.fields:
            value = clean_text(self.fields[name])
            self.put(column, default if value is None and default is not None else value)

    def line(self, column: str, name: str | None = None, *, default: str | None = None) -> None:
        name = name or column
        if name in self.fields:
            value = clean_line(self.fields[name])
            self.put(column, default if value is None and default is not None else value)

    def check(self, column: str, name: str, parse: Callable[..., tuple[Any, list[FieldError]]],
              **kwargs: Any) -> None:
        if name in self.fields:
            raw = self.fields[name]
            value, errors = cached(parse)(clean_line(raw) if isinstance(raw, str) else raw, name,
                                          **kwargs)
            self.put(column, value)
            if errors:
                self.out.problems.extend(errors)

    def url(self, column: str, name: str | None = None) -> None:
        self.check(column, name or column, v.normalize_url)

    def email(self, column: str, name: str | None = None) -> None:
        self.check(column, name or column, v.normalize_email)

    def enum(self, column: str, name: str, enum: type[Any], default: Any,
             aliases: dict[str, str] | None = None) -> None:
        if name not in self.fields:
            return
        text = (clean_line(self.fields[name]) or "").lower()
        if not text:
            self.out.values[column] = default
            return
        text = (aliases or {}).get(text, text)
        try:
            self.out.values[column] = enum(text)
        except ValueError:
            self.out.values[column] = default
            choices = ", ".join(m.value for m in enum)
            self.out.problems.append(
                FieldError(name, f"{text!r} is not one of {choices}; {default.value} used"))

    def skip(self, reason: str) -> Mapped:
        self.out.skip = reason
        return self.out


def organization(fields: dict[str, Any]) -> Mapped:
    """An organization; it must have a name."""
    row = _Row(fields, "organization")
    row.line("name")
    if not row.out.values.get("name"):
        return row.skip("the organization has no name")
    row.line("alternate_name")
    row.text("description", default="")
    row.email("email")
    row.url("website")
    row.line("tax_status")
    row.line("tax_id")
    row.check("year_incorporated", "year_incorporated", v.parse_int, minimum=1600, maximum=2100)
    row.line("legal_status")
    row.url("logo")
    row.url("uri")
    return row.out


_STATUS_ALIASES = {"temporarily_closed": "temporarily closed", "closed": "inactive",
                   "temporarily-closed": "temporarily closed"}


def service(fields: dict[str, Any]) -> Mapped:
    """A service; it must have a name."""
    row = _Row(fields, "service")
    row.line("name")
    if not row.out.values.get("name"):
        return row.skip("the service has no name")
    row.line("alternate_name")
    row.text("description")
    row.url("url")
    row.email("email")
    row.enum("status", "status", ServiceStatus, ServiceStatus.active, _STATUS_ALIASES)
    row.text("interpretation_services")
    row.text("application_process")
    row.text("fees_description")
    if not row.out.values.get("fees_description") and clean_text(row.raw("fees")):
        row.text("fees_description", "fees")
    row.line("wait_time")
    row.text("accreditations")
    row.text("licenses")
    row.text("alert")
    row.text("eligibility_description")
    row.check("minimum_age", "minimum_age", v.parse_int, minimum=0, maximum=130)
    row.check("maximum_age", "maximum_age", v.parse_int, minimum=0, maximum=130)
    low, high = row.out.values.get("minimum_age"), row.out.values.get("maximum_age")
    if low is not None and high is not None and low > high:
        row.out.problems.append(FieldError("minimum_age", f"{low} is above maximum_age {high}; "
                                                          "both left empty"))
        row.out.values["minimum_age"] = row.out.values["maximum_age"] = None
    row.check("assured_date", "assured_date", v.parse_date)
    row.email("assurer_email")
    if row.has("last_modified"):
        row.out.values["last_modified"] = _datetime(row.raw("last_modified"), row.out.problems)
    return row.out


def _datetime(value: Any, problems: list[FieldError]) -> dt.datetime | None:
    text = clean_line(value)
    if text is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        day, errors = v.parse_date(text, "last_modified")
        if day is None:
            problems.extend(errors or [FieldError("last_modified", f"{text!r} is not a date")])
            return None
        parsed = dt.datetime(day.year, day.month, day.day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def location(fields: dict[str, Any]) -> Mapped:
    """A location (names, coordinates ...); nothing is required."""
    row = _Row(fields, "location")
    row.enum("location_type", "location_type", LocationType, LocationType.physical)
    row.url("url")
    row.line("name")
    row.line("alternate_name")
    row.text("description")
    row.text("transportation")
    if row.has("latitude") or row.has("longitude"):
        coords, errors = v.parse_coordinates(row.raw("latitude"), row.raw("longitude"))
        row.out.values["latitude"], row.out.values["longitude"] = coords or (None, None)
        row.out.problems.extend(errors)
    row.line("external_identifier")
    row.line("external_identifier_type")
    return row.out


def service_at_location(fields: dict[str, Any]) -> Mapped:
    """The link of a service with a location."""
    row = _Row(fields, "service_at_location")
    row.text("description")
    return row.out


_PHONE_ALIASES = {"sms": "text", "mobile": "cell", "tty": "textphone", "tdd": "textphone",
                  "phone": "voice", "main": "voice", "hotline": "voice", "office": "voice",
                  "facsimile": "fax", "telephone": "voice"}


def phone(fields: dict[str, Any]) -> Mapped:
    """A phone number; a missing or invalid number makes the row unusable."""
    row = _Row(fields, "phone")
    parsed, errors = cached(v.parse_phone)(row.raw("number"), "number",
                                           extension=row.raw("extension"))
    if parsed is None:
        return row.skip(errors[0].message if errors else "no phone number")
    row.out.values["number"] = parsed.number
    row.out.values["extension"] = parsed.extension
    row.enum("type", "type", PhoneType, PhoneType.voice, _PHONE_ALIASES)
    if "type" not in row.out.values:
        row.out.values["type"] = PhoneType.voice
    if parsed.kind == "short-code" and row.out.values["type"] == PhoneType.voice and not (
        clean_line(row.raw("type"))
    ):
        row.out.values["type"] = PhoneType.text
    row.text("description")
    if parsed.extension_text:
        note = f"ext. {parsed.extension_text}"
        row.out.values["description"] = "\n".join(
            p for p in (note, row.out.values.get("description")) if p)
    return row.out


_COUNTRIES = {"usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
              "united states of america": "US", "america": "US"}


def address(fields: dict[str, Any]) -> Mapped:
    """An address; one with no street, city or postal code is not used."""
    row = _Row(fields, "address")
    row.line("attention")
    row.line("address_1", default="")
    row.line("address_2")
    row.line("city", default="")
    row.line("region")
    row.line("state_province", default="")
    state = row.out.values.get("state_province") or ""
    if len(state) == 2:
        row.out.values["state_province"] = state.upper()
    row.line("postal_code", default="")
    if row.has("country"):
        country = clean_line(row.raw("country")) or ""
        code = _COUNTRIES.get(country.lower(), country.upper() if len(country) == 2 else None)
        if not country:
            code = "US"
        elif code is None:
            row.out.problems.append(FieldError("country", f"{country!r} is not a two-letter "
                                                          "country code; US used"))
            code = "US"
        row.out.values["country"] = code or "US"
    row.enum("address_type", "address_type", AddressType, AddressType.physical)
    values = row.out.values
    if not any(values.get(k) for k in ("address_1", "city", "postal_code")):
        return row.skip("the address is empty (no street, city or postal code)")
    return row.out


def accessibility(fields: dict[str, Any]) -> Mapped:
    """Accessibility information; a row saying nothing is not used."""
    row = _Row(fields, "accessibility")
    row.text("description")
    row.text("details")
    row.url("url")
    if not any(row.out.values.get(k) for k in ("description", "details", "url")):
        return row.skip("no accessibility information in this row")
    return row.out


_LEADING_TIME = re.compile(r"\s*(\d{1,2}(?::\d{1,2})?\s*(?:[ap]\.?m\.?|[ap])?)(?![\d:])\s*(.*)",
                           re.IGNORECASE | re.DOTALL)
_WEEKDAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
                  "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}


def _schedule_time(row: _Row, name: str, label: str, notes: list[str]) -> bool:
    """Read ``opens_at``/``closes_at``; ``False`` when the value is there but not a time."""
    if not row.has(name):
        return True
    raw = clean_line(row.raw(name))
    value, errors = cached(v.parse_time)(raw, name)
    if errors and raw:
        match = _LEADING_TIME.match(raw)
        if match and match.group(2):
            value, lead_errors = cached(v.parse_time)(match.group(1), name)
            if not lead_errors:
                notes.append(f"{label} {raw}")
                errors = []
    if errors:
        return False
    row.out.values[name] = value
    return True


def schedule(fields: dict[str, Any], *, timezone: str | None = None) -> Mapped:
    """A weekly span, a closure or special hours (see ``models.schedule``)."""
    row = _Row(fields, "schedule")
    notes: list[str] = []
    for name, label in (("opens_at", "opens"), ("closes_at", "closes")):
        if not _schedule_time(row, name, label, notes):
            which = "opening" if name == "opens_at" else "closing"
            return row.skip(f"the {which} time {clean_line(row.raw(name))!r} is not a time "
                            f"of day")
    if row.has("byday"):
        days, errors = cached(v.parse_weekdays)(clean_line(row.raw("byday")), "byday")
        if errors and not days:
            return row.skip(errors[0].message)
        row.out.problems.extend(errors)
        row.put("byday", ",".join(days) or None)
    if row.has("freq"):
        freq = (clean_line(row.raw("freq")) or "").upper() or None
        if freq not in (None, "WEEKLY", "MONTHLY", "DAILY", "YEARLY"):
            row.out.problems.append(FieldError("freq", f"{freq!r} is not a recurrence; ignored"))
            freq = None
        row.out.values["freq"] = freq
    for name in ("valid_from", "valid_to", "dtstart", "until"):
        row.check(name, name, v.parse_date)
    row.check("count", "count", v.parse_int, minimum=0)
    row.check("interval", "interval", v.parse_int, minimum=1)
    if row.has("wkst"):
        wkst = clean_line(row.raw("wkst"))
        code, errors = cached(v.parse_weekday)(wkst, "wkst") if wkst else (None, [])
        row.out.values["wkst"] = code
        row.out.problems.extend(errors)
    for name in ("byweekno", "bymonthday", "byyearday"):
        row.line(name)
    row.text("description")
    row.text("notes")
    if notes:
        row.out.values["notes"] = "\n".join([*notes, *(
            [row.out.values["notes"]] if row.out.values.get("notes") else [])])
    if row.has("attending_type"):
        attending = clean_line(row.raw("attending_type"))
        if attending and len(attending) > row.limits["attending_type"]:
            # a sentence, not a type of attendance: keep it in the notes
            row.out.values["notes"] = "\n".join(
                p for p in (row.out.values.get("notes"), attending) if p)
            attending = None
        row.out.values["attending_type"] = attending
    row.url("schedule_link")
    if timezone is not None:
        row.out.values["timezone"] = timezone
    elif row.has("timezone"):
        # HSDS 3.0 has a number here (a UTC offset, which is wrong half the year): only an
        # IANA name is kept; kiosk:timezone is what carries the zone
        zone = row.raw("timezone")
        row.out.values["timezone"] = cached(v.parse_time_zone)(zone, "timezone")[0] if \
            isinstance(zone, str) else None
    values = row.out.values
    has_hours = values.get("opens_at") is not None or values.get("closes_at") is not None
    is_closure = values.get("valid_from") is not None and not values.get("byday")
    if not has_hours and not is_closure and not values.get("description") and not (
        values.get("notes")
    ):
        days = [_WEEKDAY_NAMES.get(d, d) for d in (values.get("byday") or "").split(",") if d]
        when = f" on {', '.join(days)}" if days else ""
        return row.skip(f"no opening hours{when} (the service is closed then, or the hours "
                        f"are unknown)")
    return row.out


def language(fields: dict[str, Any]) -> Mapped:
    """A language, by name and/or ISO 639 code."""
    row = _Row(fields, "language")
    name = clean_text(row.raw("name"))
    parsed, errors = cached(v.parse_language)(name, "name", code=clean_line(row.raw("code")))
    if parsed is None:
        return row.skip("no language given")
    row.put("name", parsed.name)
    row.put("code", parsed.code)
    note = clean_text(row.raw("note"))
    row.out.values["note"] = "\n".join(p for p in (parsed.note, note) if p) or None
    row.out.problems.extend(errors)
    return row.out


def taxonomy(fields: dict[str, Any]) -> Mapped:
    """A taxonomy; it must have a name."""
    row = _Row(fields, "taxonomy")
    row.line("name")
    if not row.out.values.get("name"):
        return row.skip("the taxonomy has no name")
    row.text("description", default="")
    row.url("uri")
    row.line("version")
    return row.out


def taxonomy_term(fields: dict[str, Any]) -> Mapped:
    """A taxonomy term; it needs a name (or at least a code, used as the name)."""
    row = _Row(fields, "taxonomy_term")
    row.line("code")
    row.line("name")
    if not row.out.values.get("name"):
        if not row.out.values.get("code"):
            return row.skip("the taxonomy term has no name and no code")
        row.out.values["name"] = row.out.values["code"]
    row.text("description", default="")
    row.line("taxonomy")
    row.line("language")
    row.url("term_uri")
    return row.out


def cost_option(fields: dict[str, Any]) -> Mapped:
    """What a service costs."""
    row = _Row(fields, "cost_option")
    row.check("valid_from", "valid_from", v.parse_date)
    row.check("valid_to", "valid_to", v.parse_date)
    row.text("option")
    if row.has("currency"):
        currency = (clean_line(row.raw("currency")) or "").upper() or None
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            row.out.problems.append(FieldError("currency", f"{currency!r} is not a currency "
                                                           "code"))
            currency = None
        row.out.values["currency"] = currency
    row.check("amount", "amount", v.parse_decimal)
    row.text("amount_description")
    if not any(row.out.values.get(k) is not None for k in ("option", "amount",
                                                            "amount_description")):
        return row.skip("the cost option says nothing (no option, amount or description)")
    return row.out


MAPPERS: dict[str, Callable[[dict[str, Any]], Mapped]] = {
    "organization": organization,
    "service": service,
    "location": location,
    "service_at_location": service_at_location,
    "phone": phone,
    "address": address,
    "accessibility": accessibility,
    "schedule": schedule,
    "language": language,
    "taxonomy": taxonomy,
    "taxonomy_term": taxonomy_term,
    "cost_option": cost_option,
}
