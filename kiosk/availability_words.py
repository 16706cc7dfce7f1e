"""Availability in words on cards and detail pages ("3 family beds free, updated 40 minutes
ago"; "Family beds: call to check" once a count is older than ``AVAILABILITY_MAX_AGE_HOURS``),
and the "has room now" cut-off the patrol filter searches with. The rules are
:mod:`directory_data.availability`'s; this module only reads the setting, the clock and the
request's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from directory_data.availability import Reading, age_words, max_age
from directory_data.models import utcnow

from kiosk.i18n import current_language
from kiosk.request_language import gettext


@dataclass(frozen=True)
class AvailabilityLine:
    """One capacity in words for a card; ``fresh`` False: the count is too old to show."""

    text: str
    fresh: bool


def configured_max_age() -> dt.timedelta:
    """How long a count is shown as a number (``AVAILABILITY_MAX_AGE_HOURS``)."""
    return max_age(current_app.config.get("AVAILABILITY_MAX_AGE_HOURS"))


def room_since(now: dt.datetime | None = None) -> dt.datetime:
    """The oldest "as of" time a count with room may have to count as "has room now"."""
    return (now or utcnow()) - configured_max_age()


def line_for(reading: Reading, now: dt.datetime, age: dt.timedelta, language: str) -> AvailabilityLine:
    """``reading`` in words of ``language`` at ``now``."""
    unit = reading.unit_name(language)
    when = age_words(reading.updated, now, language)
    if not reading.fresh(now, age):
        text = gettext("%(unit)s: call to check (last updated %(age)s)",
                       unit=unit[:1].upper() + unit[1:], age=when)
        return AvailabilityLine(text, False)
    if reading.maximum is not None:
        text = gettext("%(count)s of %(maximum)s %(unit)s free, updated %(age)s",
                       count=reading.available, maximum=reading.maximum, unit=unit, age=when)
    else:
        text = gettext("%(count)s %(unit)s free, updated %(age)s",
                       count=reading.available, unit=unit, age=when)
    return AvailabilityLine(text, True)


def availability_lines(capacities: tuple[Reading, ...]) -> list[AvailabilityLine]:
    """A card's capacities in words, now, in the request's language (a template global)."""
    if not capacities:
        return []
    now, age, language = utcnow(), configured_max_age(), current_language()
    return [line_for(r, now, age, language) for r in capacities]
