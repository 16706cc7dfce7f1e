"""What a referral shows and what its QR code carries, built from the services' rows.

:func:`entries_for` turns loaded services into :class:`Entry` records (name in the referral's
language, public phones, public addresses, weekly hours); the pages, the printed slip and the QR
payloads all read these, so a confidential address or an officer-only phone can never reach any
of them. The payload builders are pure functions of entries and :class:`Labels` (the interface's
words in the referral's language, supplied by the caller, since this package knows no gettext):

* :func:`link_payload` -- the referral page's URL;
* :func:`text_payload` -- the referral itself as compact plain text (works offline);
* :func:`contact_payload` -- one service as a MECARD contact;
* :func:`hotline_payload` -- a ``tel:`` code for the crisis line that fits the referral.

Discreet mode keeps abuse words out of every title and payload: a sensitive service is named
with :attr:`Labels.neutral_service`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers

from directory_data.models import AddressType, Location, PhoneAudience, Schedule, Service

#: The category whose services make a referral sensitive (discreet mode is offered).
SENSITIVE_CATEGORY = "abuse"
#: Words a discreet slip or code must not show (English and Spanish, lower case stems).
SENSITIVE_WORDS = re.compile(
    r"abus|violen|domestic|dom[eé]stic|assault|agresi[oó]n|rape|violaci|victim|v[ií]ctima|"
    r"batter|maltrat|trafic|traffick|stalk|acoso|sexual|\bdv\b|safe ?house|refugio|shelter",
    re.IGNORECASE,
)
_DAY_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Hotline:
    """A crisis line a hotline code dials."""

    key: str
    number: str  # as dialled, E.164 or a short code

    @property
    def tel(self) -> str:
        """The ``tel:`` URI."""
        return f"tel:{self.number}"


#: The crisis lines a hotline code may dial: domestic violence, 988, and 211 (everything else).
HOTLINES = {
    "dv": Hotline("dv", "+18007997233"),
    "988": Hotline("988", "988"),
    "211": Hotline("211", "211"),
}


@dataclass(frozen=True)
class Labels:
    """The interface's words, in the referral's language."""

    title: str  # "Your referral"
    discreet_title: str  # "Community resources"
    neutral_service: str  # "Support service"
    danger: str  # "If you are in danger, call 911"
    confidential: str  # "Address given by phone"
    days: Sequence[str]  # Monday .. Sunday, short
    clock12: bool = True  # 9am-5pm (English) or 9:00-17:00


@dataclass(frozen=True)
class Entry:
    """One service of a referral, as every public surface may show it."""

    id: str
    sample: bool  # one of the fictional sample directory's listings (every surface marks it)
    name: str
    phones: tuple[tuple[str, str], ...]  # (shown, dialled)
    addresses: tuple[str, ...]
    confidential: bool  # a place whose address is withheld
    hours: tuple[str, ...]
    categories: tuple[str, ...]

    @property
    def sensitive(self) -> bool:
        """Whether the service is about abuse (by category or by its name)."""
        return SENSITIVE_CATEGORY in self.categories or bool(SENSITIVE_WORDS.search(self.name))

    def shown_name(self, labels: Labels, *, discreet: bool) -> str:
        """The name to show: the neutral label for a sensitive service in discreet mode."""
        return labels.neutral_service if discreet and self.sensitive else self.name


def phone_text(number: str) -> tuple[str, str]:
    """``(shown, dialled)`` of a US-style ``number``; short codes and odd numbers kept as written."""
    digits = "".join(c for c in number if c.isdigit())
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number.strip(), digits
    if len(digits) <= 6 or not phonenumbers.is_possible_number(parsed):
        return number.strip(), digits
    return (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _clock(value: dt.time, clock12: bool) -> str:
    if not clock12:
        return f"{value.hour}:{value.minute:02d}"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _day_ranges(days: list[int], names: Sequence[str]) -> str:
    """``"Mon-Fri, Sun"`` for day numbers 0..6."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(names[r[0]] if len(r) == 1 else f"{names[r[0]]}-{names[r[-1]]}" for r in runs)


def hours_lines(schedules: Iterable[Schedule], labels: Labels) -> tuple[str, ...]:
    """Weekly hours as short lines, ``"Mon-Fri 9am-5pm"``; spans with the same hours share a line."""
    spans: dict[tuple[dt.time, dt.time], list[int]] = {}
    for row in schedules:
        if row.freq != "WEEKLY" or not row.byday or row.opens_at is None or row.closes_at is None:
            continue
        days = [_DAY_ORDER.index(d) for d in row.byday.upper().split(",") if d in _DAY_ORDER]
        spans.setdefault((row.opens_at, row.closes_at), []).extend(days)
    ordered = sorted(spans.items(), key=lambda item: (min(item[1]), item[0][0]))
    return tuple(
        f"{_day_ranges(days, labels.days)} {_clock(opens, labels.clock12)}-{_clock(closes, labels.clock12)}"
        for (opens, closes), days in ordered
    )


def _locations(service: Service) -> list[Location]:
    return [link.location for link in service.location_links if link.location is not None]


def _phones(service: Service, locations: list[Location]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, tuple[str, str]] = {}
    for phone in list(service.phones) + [p for loc in locations for p in loc.phones]:
        if phone.audience == PhoneAudience.officer or not phone.number:
            continue
        shown, dialled = phone_text(phone.number)
        seen.setdefault(dialled, (shown, dialled))
    return tuple(seen.values())


def _entry(service: Service, lang: str, labels: Labels) -> Entry:
    locations = _locations(service)
    addresses = []
    for location in locations:
        address = next((a for a in location.addresses
                        if a.address_type in (None, AddressType.physical)), None)
        if address is not None and not location.confidential:
            addresses.append(address.one_line())
    schedules = service.schedules or [s for loc in locations for s in loc.schedules
                                      if s.service_id is None]
    return Entry(
        id=service.id,
        sample=service.is_sample,
        name=(service.name_es if lang == "es" and service.name_es else service.name),
        phones=_phones(service, locations),
        addresses=tuple(dict.fromkeys(addresses)),
        confidential=any(loc.confidential for loc in locations),
        hours=hours_lines(schedules, labels),
        categories=tuple(service.category_slugs),
    )


def entries_for(services: Iterable[Service], lang: str, labels: Labels) -> list[Entry]:
    """The entries of ``services`` (loaded with their phones, places and hours), in order."""
    return [_entry(service, lang, labels) for service in services]


def is_sensitive(entries: Iterable[Entry]) -> bool:
    """Whether any entry is about abuse (discreet mode is then offered, preselected)."""
    return any(entry.sensitive for entry in entries)


def title(labels: Labels, *, discreet: bool) -> str:
    """The referral's title: neutral in discreet mode."""
    return labels.discreet_title if discreet else labels.title


def link_payload(base_url: str, token: str) -> str:
    """The referral page's absolute URL on ``base_url``."""
    return f"{base_url.rstrip('/')}/r/{token}"


def text_payload(
    entries: Sequence[Entry], labels: Labels, *, discreet: bool, station: str, day: dt.date,
    note: str = "",
) -> str:
    """The referral as compact plain text: title, station and date, each service's name, phones,
    addresses (confidential ones said so) and hours, the note (not in discreet mode), and the
    911 line."""
    lines = [title(labels, discreet=discreet), f"{station} {day.isoformat()}"]
    for n, entry in enumerate(entries, 1):
        lines.append("")
        lines.append(f"{n}. {entry.shown_name(labels, discreet=discreet)}")
        lines.extend(shown for shown, _ in entry.phones)
        lines.extend(entry.addresses)
        if entry.confidential and not entry.addresses:
            lines.append(labels.confidential)
        lines.extend(entry.hours)
    if note and not discreet:
        lines.extend(["", note])
    lines.extend(["", labels.danger])
    return "\n".join(lines)


def _mecard_escape(value: str) -> str:
    return re.sub(r'([\\;,:"])', r"\\\1", " ".join(value.split()))


def contact_payload(entry: Entry, labels: Labels, *, discreet: bool) -> str:
    """``entry`` as a MECARD (name, phones, first public address, hours as a note)."""
    fields = [f"N:{_mecard_escape(entry.shown_name(labels, discreet=discreet))}"]
    fields.extend(f"TEL:{_mecard_escape(dialled)}" for _, dialled in entry.phones)
    if entry.addresses:
        fields.append(f"ADR:{_mecard_escape(entry.addresses[0])}")
    if entry.hours:
        fields.append(f"NOTE:{_mecard_escape('; '.join(entry.hours))}")
    return "MECARD:" + ";".join(fields) + ";;"


def hotline_for(entries: Iterable[Entry]) -> Hotline:
    """The crisis line for a referral: domestic violence for abuse services, 988 for mental
    health, else 211."""
    categories = {c for entry in entries for c in entry.categories}
    if any(entry.sensitive for entry in entries) or SENSITIVE_CATEGORY in categories:
        return HOTLINES["dv"]
    if "mental-health" in categories:
        return HOTLINES["988"]
    return HOTLINES["211"]


def hotline_payload(entries: Sequence[Entry]) -> str:
    """The ``tel:`` code of :func:`hotline_for` ``entries``."""
    return hotline_for(entries).tel
