"""How numbers, distances and times are shown, in the request's language (phone numbers:
:mod:`directory_data.phone_display`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable

from babel.dates import format_skeleton
from flask_babel import format_date, format_decimal, format_time, gettext

from kiosk.request_language import request_language

KM_PER_MILE = 1.609344


#: Formatted values kept per process, by (kind, language, value): Babel's formatting costs tens of
#: microseconds a call, and a page formats the same few distances, dates and times again and again.
_MEMO: dict[tuple[Hashable, ...], str] = {}
MEMO_SIZE = 20_000


def _memo(key: tuple[Hashable, ...], make: Callable[[], str]) -> str:
    """``make()``, kept under ``key`` (the memo starts over when it holds :data:`MEMO_SIZE`)."""
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        found = _MEMO[key] = make()
    return found


def distance_text(km: float | None) -> str | None:
    """A distance for a US lobby: ``"2.4 mi"`` (``"0.1 mi"`` at least), or None when unknown."""
    if km is None:
        return None
    miles = max(km / KM_PER_MILE, 0.1)
    shown = round(miles, 1) if miles < 10 else round(miles)
    return _memo(("distance", request_language().code, type(shown), shown), lambda: gettext(
        "%(miles)s mi", miles=format_decimal(shown, format="#,##0.#")))


def time_text(value: dt.datetime) -> str:
    """A local time of day: ``5:00 PM`` in English, ``17:00`` in Spanish.

    Kept by the wall-clock time of day: the short time format shows nothing else (no date, no
    zone), and ``value`` is not moved to another zone (``rebase=False``).
    """
    return _memo(("time", request_language().code, value.time()),
                 lambda: format_time(value, "short", rebase=False))


def weekday_text(value: dt.datetime | dt.date) -> str:
    """The weekday of ``value`` (a date-time or a date): ``Tuesday`` / ``martes``."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return _memo(("weekday", request_language().code, day), lambda: format_date(day, "EEEE"))


def day_text(value: dt.date) -> str:
    """A day of the coming weeks, with its weekday and without the year, in the order of the
    request's language: ``Thu, Nov 26`` / ``jue, 26 nov``."""
    code = request_language().code
    return _memo(("day", code, value), lambda: format_skeleton("MMMEd", value, locale=code))


def date_text(value: dt.date | None) -> str | None:
    """A date in the request's language: ``Nov 3, 2026`` / ``3 nov 2026``."""
    if value is None:
        return None
    if type(value) is not dt.date:  # a datetime is moved to the user's zone first: not kept
        return format_date(value, "medium")
    return _memo(("date", request_language().code, value), lambda: format_date(value, "medium"))
