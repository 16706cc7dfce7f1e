"""How numbers, distances, phone numbers and times are shown, in the request's language."""

from __future__ import annotations

import datetime as dt

import phonenumbers
from flask_babel import format_date, format_decimal, format_time, gettext

KM_PER_MILE = 1.609344


def phone_display(number: str) -> tuple[str, str]:
    """``(shown, dialled)`` for ``number``: ``("(407) 555-0134", "+14075550134")``.

    Short codes (911, 988, 211) and numbers phonenumbers cannot read are kept as written, with
    only their digits dialled.
    """
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) <= 6:
        return number.strip(), digits
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number.strip(), digits
    if not phonenumbers.is_possible_number(parsed):
        return number.strip(), digits
    shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    if parsed.extension:
        shown = shown.replace(" ext. ", " ext ")
    dialled = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return shown, dialled


def distance_text(km: float | None) -> str | None:
    """A distance for a US lobby: ``"2.4 mi"`` (``"0.1 mi"`` at least), or None when unknown."""
    if km is None:
        return None
    miles = max(km / KM_PER_MILE, 0.1)
    shown = format_decimal(round(miles, 1) if miles < 10 else round(miles), format="#,##0.#")
    return gettext("%(miles)s mi", miles=shown)


def time_text(value: dt.datetime) -> str:
    """A local time of day: ``5:00 PM`` in English, ``17:00`` in Spanish."""
    return format_time(value, "short", rebase=False)


def weekday_text(value: dt.datetime) -> str:
    """The weekday of ``value``: ``Tuesday`` / ``martes``."""
    return format_date(value.date(), "EEEE")


def date_text(value: dt.date | None) -> str | None:
    """A date in the request's language: ``Nov 3, 2026`` / ``3 nov 2026``."""
    return None if value is None else format_date(value, "medium")
