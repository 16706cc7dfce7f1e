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

Discreet mode keeps abuse words out of every title and payload: a sensitive service -- one in
the abuse category, or whose name says so (:data:`SENSITIVE_WORDS`; a housing shelter is not
one) -- is named with :attr:`Labels.neutral_service` and its kind of help in neutral words
("Support service — housing", :mod:`directory_data.help_kinds`), so entries stay apart.
A text-only line is worded as what to send where ("Text START to 88788"), never as a number to
call, and a service open around the clock says "Open 24 hours".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from directory_data.help_kinds import help_kind
from directory_data.models import AddressType, Location, PhoneAudience, PhoneType, QRMode, Referral, Schedule, Service
from directory_data.phone_display import phone_display
from directory_data.text_lines import text_keyword

#: The category whose services make a referral sensitive (discreet mode is offered).
SENSITIVE_CATEGORY = "abuse"
#: Words of a name that reveal abuse (English and Spanish, lower case stems): a discreet slip or
#: code never shows such a name. "Shelter" and "refugio" alone do not: a homeless shelter keeps
#: its name ("Domestic violence shelter" is caught by its other words).
SENSITIVE_WORDS = re.compile(
    r"abus|violen|domestic|dom[eé]stic|assault|agresi[oó]n|rape|violaci|victim|v[ií]ctima|"
    r"batter|maltrat|trafic|traffick|stalk|acoso|sexual|\bdv\b|safe ?house",
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
    open_24_hours: str = "Open 24 hours"  # every day, around the clock
    all_day: str = "24 hours"  # "Sat-Sun 24 hours"
    text_to: str = "Text %(keyword)s to %(number)s"
    text_number: str = "Text %(number)s"
    #: The line under a listing of the fictional sample directory (every surface marks it).
    sample: str = "Sample listing, not a real service"
    #: The neutral words of each kind of help (:data:`directory_data.help_kinds.KINDS`).
    kinds: tuple[tuple[str, str], ...] = ()

    def kind_words(self, kind: str) -> str | None:
        """The words of ``kind``, if given."""
        return dict(self.kinds).get(kind)


@dataclass(frozen=True)
class Entry:
    """One service of a referral, as every public surface may show it."""

    id: str
    sample: bool  # one of the fictional sample directory's listings (every surface marks it)
    name: str
    phones: tuple[tuple[str, str], ...]  # (shown, dialled): numbers to call
    addresses: tuple[str, ...]
    confidential: bool  # a place whose address is withheld
    hours: tuple[str, ...]
    categories: tuple[str, ...]
    texts: tuple[tuple[str, str], ...] = ()  # ("Text START to 88788", dialled): text-only lines
    kind: str = "support"  # the kind of help, directory_data.help_kinds

    @property
    def sensitive(self) -> bool:
        """Whether the service is about abuse (by category or by its name)."""
        return SENSITIVE_CATEGORY in self.categories or bool(SENSITIVE_WORDS.search(self.name))

    def shown_name(self, labels: Labels, *, discreet: bool) -> str:
        """The name to show: for a sensitive service in discreet mode the neutral label and its
        kind of help ("Support service — housing")."""
        if not (discreet and self.sensitive):
            return self.name
        words = labels.kind_words(self.kind)
        return f"{labels.neutral_service} — {words}" if words else labels.neutral_service


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


def _around_the_clock(opens: dt.time, closes: dt.time) -> bool:
    """Whether a span from ``opens`` to ``closes`` is a whole day (00:00 to 00:00 or 23:59)."""
    return opens == dt.time(0, 0) and closes in (dt.time(0, 0), dt.time(23, 59))


def hours_lines(schedules: Iterable[Schedule], labels: Labels) -> tuple[str, ...]:
    """Weekly hours as short lines, ``"Mon-Fri 9am-5pm"``; spans with the same hours share a line.
    Around the clock: ``"Open 24 hours"`` every day, else ``"Sat-Sun 24 hours"``."""
    spans: dict[tuple[dt.time, dt.time], list[int]] = {}
    for row in schedules:
        if row.freq != "WEEKLY" or not row.byday or row.opens_at is None or row.closes_at is None:
            continue
        days = [_DAY_ORDER.index(d) for d in row.byday.upper().split(",") if d in _DAY_ORDER]
        spans.setdefault((row.opens_at, row.closes_at), []).extend(days)
    ordered = sorted(spans.items(), key=lambda item: (min(item[1]), item[0][0]))
    lines = []
    for (opens, closes), days in ordered:
        if _around_the_clock(opens, closes):
            lines.append(labels.open_24_hours if len(set(days)) == 7
                         else f"{_day_ranges(days, labels.days)} {labels.all_day}")
        else:
            lines.append(f"{_day_ranges(days, labels.days)} "
                         f"{_clock(opens, labels.clock12)}-{_clock(closes, labels.clock12)}")
    return tuple(lines)


#: Phone types that are neither called nor texted by a resident (left off a referral).
_NOT_FOR_RESIDENTS = frozenset({PhoneType.fax, PhoneType.pager})


def _phones(service: Service, locations: list[Location],
            labels: Labels) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The public numbers to call, ``(shown, dialled)``, and the text-only lines, ``("Text
    START to 88788", dialled)``."""
    calls: dict[str, tuple[str, str]] = {}
    texts: dict[str, tuple[str, str]] = {}
    for phone in list(service.phones) + [p for loc in locations for p in loc.phones]:
        if phone.audience == PhoneAudience.officer or not phone.number or phone.type in _NOT_FOR_RESIDENTS:
            continue
        shown, dialled = phone_display(phone.number)
        if phone.type == PhoneType.text:
            keyword = text_keyword(phone.description)
            words = (labels.text_to % {"keyword": keyword, "number": shown} if keyword
                     else labels.text_number % {"number": shown})
            texts.setdefault(dialled, (words, dialled))
        else:
            calls.setdefault(dialled, (shown, dialled))
    return tuple(calls.values()), tuple(t for d, t in texts.items() if d not in calls)


def _entry(service: Service, lang: str, labels: Labels) -> Entry:
    locations = service.locations
    addresses = []
    for location in locations:
        address = next((a for a in location.addresses
                        if a.address_type in (None, AddressType.physical)), None)
        if address is not None and not location.confidential:
            addresses.append(address.one_line())
    calls, texts = _phones(service, locations, labels)
    codes = [link.term.code for link in service.taxonomy_links if link.term is not None and link.term.code]
    return Entry(
        id=service.id,
        sample=service.is_sample,
        name=(service.name_es if lang == "es" and service.name_es else service.name),
        phones=calls,
        addresses=tuple(dict.fromkeys(addresses)),
        confidential=any(loc.confidential for loc in locations),
        hours=hours_lines(service.hours_schedules, labels),
        categories=tuple(service.category_slugs),
        texts=texts,
        kind=help_kind(service.category_slugs, codes),
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
    """The referral as compact plain text: title, station and date, each service's name (a sample
    listing's marked on the next line), phones, addresses (confidential ones said so) and hours,
    the note (not in discreet mode), and the 911 line."""
    lines = [title(labels, discreet=discreet), f"{station} {day.isoformat()}"]
    for n, entry in enumerate(entries, 1):
        lines.append("")
        lines.append(f"{n}. {entry.shown_name(labels, discreet=discreet)}")
        if entry.sample:
            lines.append(labels.sample)
        lines.extend(shown for shown, _ in entry.phones)
        lines.extend(words for words, _ in entry.texts)
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
    """``entry`` as a MECARD (name, phones, first public address, hours as a note; a sample
    listing's note starts with its mark)."""
    fields = [f"N:{_mecard_escape(entry.shown_name(labels, discreet=discreet))}"]
    fields.extend(f"TEL:{_mecard_escape(dialled)}" for _, dialled in entry.phones)
    if entry.addresses:
        fields.append(f"ADR:{_mecard_escape(entry.addresses[0])}")
    note = ([labels.sample] if entry.sample else []) + list(entry.hours)
    if note:
        fields.append(f"NOTE:{_mecard_escape('; '.join(note))}")
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


@dataclass
class ReferralView:
    """What a referral page or slip shows."""

    referral: Referral
    entries: list[Entry]
    hotline: Hotline
    labels: Labels

    @property
    def discreet(self) -> bool:
        """Whether titles and names stay neutral."""
        return bool(self.referral.discreet)

    @property
    def hotline_only(self) -> bool:
        """A discreet hotline referral shows only the crisis line."""
        return self.discreet and self.referral.qr_mode == QRMode.hotline.value

    @property
    def title(self) -> str:
        """The page's and the slip's title."""
        return self.labels.discreet_title if self.discreet else self.labels.title

    @property
    def fell_back(self) -> bool:
        """Whether a text referral was too long and its code holds the link instead."""
        return self.referral.mode != self.referral.qr_mode

    def name(self, entry: Entry) -> str:
        """``entry``'s name as shown (neutral for abuse services in discreet mode)."""
        return entry.shown_name(self.labels, discreet=self.discreet)


def referral_view(referral: Referral, services: Iterable[Service], labels: Labels) -> ReferralView:
    """The :class:`ReferralView` of ``referral`` with its still listed ``services``, in ``labels``."""
    entries = entries_for(services, referral.lang, labels)
    return ReferralView(referral, entries, hotline_for(entries), labels)
