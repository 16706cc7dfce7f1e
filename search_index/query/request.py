"""What a search asks for: :class:`SearchRequest`, its validation and its parsing from a query
string (bad parameters rejected with a message per field; :func:`effective` clamps instead).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from search_index.query.normalize import MAX_QUERY_CHARS

MAX_PER_PAGE = 50
MAX_PAGE = 1000
MAX_RADIUS_KM = 500.0
MAX_AGE = 130
LANGS = ("en", "es")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_ZIP = re.compile(r"^\d{5}$")
_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


@dataclass(frozen=True)
class SearchRequest:
    """One search: free text plus filters, page, clock and interface language.

    ``near`` is ``(latitude, longitude)``, ``zip_code`` its ZIP centroid; ``now`` (aware) and
    ``today`` default to the current time. ``precise`` (a signed-in officer's, never from a query
    string) measures to confidential places' true positions. ``sort``: ``"relevance"`` or
    ``"distance"`` (:func:`search_index.query.ranking.nearest_first`).
    ``room_since`` (aware) keeps the services with a count with room (``available > 0``) as of
    then or later: "has room now" is ``now`` minus the configured age (:mod:`directory_data.availability`).
    """

    q: str = ""
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    open_now: bool = False
    near: tuple[float, float] | None = None
    zip_code: str | None = None
    radius_km: float | None = None
    free: bool = False
    age: int | None = None
    walk_in: bool = False
    page: int = 1
    per_page: int = 10
    now: dt.datetime | None = None
    today: dt.date | None = None
    stale_after_days: int = 180
    lang: str = "en"
    precise: bool = False
    sort: str = "relevance"
    room_since: dt.datetime | None = None


#: The orders a search can be sorted in.
SORTS = ("relevance", "distance")


class InvalidRequest(ValueError):
    """Parameters that cannot make a search, with one message per field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors: dict[str, str] = dict(errors)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _within(value: Any, bound: float) -> bool:
    return _finite(value) and -bound <= value <= bound


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _codes(value: Any, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The items of ``value`` (a string counts as one) that ``pattern`` accepts."""
    try:
        items = (value,) if isinstance(value, str) else tuple(value)
    except TypeError:
        return ()
    return tuple(c for c in items if isinstance(c, str) and pattern.match(c))


#: Field -> whether a value is acceptable and what to say when it is not, in the order they are
#: checked (``near``, ``zip`` and ``radius_km`` are checked together, after ``precise``).
_CHECKS: dict[str, tuple[str, Callable[[Any], bool], str]] = {
    "q": ("q", lambda v: isinstance(v, str), "must be text"),
    "categories": ("category", lambda v: isinstance(v, (tuple, list)) and len(_codes(v, _SLUG)) == len(v),
                   "must be category slugs (lower-case letters, digits and hyphens)"),
    "languages": ("language", lambda v: isinstance(v, (tuple, list)) and len(_codes(v, _LANGUAGE)) == len(v),
                  "must be ISO 639 language codes such as en, es, ht"),
    **{name: (name, lambda v: isinstance(v, bool), "must be true or false")
       for name in ("open_now", "free", "walk_in", "precise")},
    "age": ("age", lambda v: v is None or _whole(v, 0, MAX_AGE), f"must be a whole number of years from 0 to {MAX_AGE}"),
    "page": ("page", lambda v: _whole(v, 1, MAX_PAGE), f"must be a whole number from 1 to {MAX_PAGE}"),
    "per_page": ("per_page", lambda v: _whole(v, 1, MAX_PER_PAGE), f"must be a whole number from 1 to {MAX_PER_PAGE}"),
    "now": ("now", lambda v: v is None or (isinstance(v, dt.datetime) and v.utcoffset() is not None),
            "must be a timezone-aware date and time"),
    "room_since": ("room_since", lambda v: v is None or (isinstance(v, dt.datetime) and v.utcoffset() is not None),
                   "must be a timezone-aware date and time"),
    "today": ("today", lambda v: v is None or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)),
              "must be a date"),
    "stale_after_days": ("stale_after_days", lambda v: _whole(v, 1, 3650), "must be a whole number of days from 1 to 3650"),
    "lang": ("lang", lambda v: isinstance(v, str) and v in LANGS, "must be en or es"),
    "sort": ("sort", lambda v: v in SORTS, "must be relevance or distance"),
}


def validate_request(request: SearchRequest) -> dict[str, str]:
    """Field -> message for every parameter of ``request`` that is not acceptable (empty: ok)."""
    errors: dict[str, str] = {}
    for field_name, (name, ok, message) in _CHECKS.items():
        value = getattr(request, field_name)
        if not ok(value):
            errors[name] = message
        elif field_name == "q" and len(value) > MAX_QUERY_CHARS * 4:
            errors[name] = f"is too long (at most {MAX_QUERY_CHARS} characters are searched)"
        if field_name == "precise":
            errors.update(_place_errors(request))
    return errors


def _place_errors(request: SearchRequest) -> dict[str, str]:
    errors: dict[str, str] = {}
    if request.near is not None:
        try:
            lat, lon = request.near
        except (TypeError, ValueError):
            errors["near"] = "must be a latitude and a longitude"
        else:
            if not _within(lat, 90):
                errors["lat"] = "must be a latitude between -90 and 90"
            if not _within(lon, 180):
                errors["lon"] = "must be a longitude between -180 and 180"
    if request.zip_code is not None and not (isinstance(request.zip_code, str) and _ZIP.match(request.zip_code)):
        errors["zip"] = "must be a five-digit ZIP code"
    if request.radius_km is not None:
        if not (_finite(request.radius_km) and 0 < request.radius_km <= MAX_RADIUS_KM):
            errors["radius_km"] = f"must be a distance in km greater than 0 and at most {MAX_RADIUS_KM:g}"
        elif request.near is None and request.zip_code is None:
            errors["radius_km"] = "needs a location (lat and lon, or zip)"
    return errors


def _values(params: Mapping[str, Any], *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        raw = params.get(name)
        if raw is None:
            continue
        items: Iterable[Any] = raw if isinstance(raw, (list, tuple)) else [raw]
        for item in items:
            out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out


def _one(params: Mapping[str, Any], name: str) -> str | None:
    raw = params.get(name)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    return None if raw is None else str(raw).strip()


def read_flag(raw: str | None) -> bool:
    """A true/false parameter (``1``, ``true``, ``yes``, ``on``... absent: false); else ValueError."""
    value = (raw or "").strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ValueError("must be true or false")


def read_number(raw: str | None, *, integer: bool = False) -> Any:
    """A whole or a finite number parameter (None when absent or empty); else ValueError."""
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ValueError("must be a whole number" if integer else "must be a number") from None
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def parse_request(
    params: Mapping[str, Any], *, now: dt.datetime | None = None, today: dt.date | None = None
) -> SearchRequest:
    """A request from query-string parameters (``category`` and ``language`` repeated or
    comma-separated; ``lat`` + ``lon`` or ``near=LAT,LON``, or ``zip``), or :class:`InvalidRequest`."""
    errors: dict[str, str] = {}

    def read(name: str, reader: Callable[..., Any], raw: str | None = None, **options: bool) -> Any:
        try:
            return reader(_one(params, name) if raw is None else raw, **options)
        except ValueError as error:
            errors[name] = str(error)
            return None

    near = _one(params, "near")
    coords: list[str | None] = near.split(",") if near else [None, None]  # type: ignore[assignment]
    if len(coords) != 2:
        errors["near"], coords = "must be LAT,LON (two numbers separated by a comma)", [None, None]
    if near and _one(params, "zip"):
        errors["zip"] = "give near or zip, not both"
    lat, lon = read("lat", read_number, coords[0]), read("lon", read_number, coords[1])
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        errors["lat" if lat is None else "lon"] = "lat and lon go together"
    page, per_page = read("page", read_number, integer=True), read("per_page", read_number, integer=True)
    request = SearchRequest(
        q=_one(params, "q") or "",
        categories=tuple(dict.fromkeys(c.lower() for c in _values(params, "category", "categories"))),
        languages=tuple(dict.fromkeys(c.lower() for c in _values(params, "language", "languages"))),
        open_now=read("open_now", read_flag),
        near=(lat, lon) if lat is not None and lon is not None else None,
        zip_code=_one(params, "zip") or None,
        radius_km=read("radius_km", read_number),
        free=read("free", read_flag),
        age=read("age", read_number, integer=True),
        walk_in=read("walk_in", read_flag),
        page=1 if page is None else page,
        per_page=10 if per_page is None else per_page,
        now=now,
        today=today,
        lang=(_one(params, "lang") or "en").lower(),
    )
    for name, message in validate_request(request).items():
        errors.setdefault(name, message)
    if errors:
        raise InvalidRequest(errors)
    return request


class Effective(SearchRequest):
    """A request clamped to what a search can run (never invalid), with its resolved clock."""

    now: dt.datetime
    today: dt.date


def effective(request: SearchRequest, clock: dt.datetime) -> Effective:
    """``request`` with every parameter made usable: bad values are dropped or clamped."""

    def kept(field_name: str, default: Any) -> Any:
        value = getattr(request, field_name)
        return value if _CHECKS[field_name][1](value) and value is not None else default

    def clamped(value: Any, low: int, high: int, default: int) -> int:
        return max(low, min(high, value)) if isinstance(value, int) and not isinstance(value, bool) else default

    try:
        lat, lon = request.near if request.near is not None else (None, None)
    except (TypeError, ValueError):
        lat = lon = None
    zip_code = request.zip_code if isinstance(request.zip_code, str) and _ZIP.match(request.zip_code) else None
    radius = request.radius_km
    now = kept("now", clock)
    today = request.today if isinstance(request.today, dt.date) else now.date()
    return Effective(
        q=kept("q", ""),
        categories=tuple(sorted(set(_codes(request.categories, _SLUG)))),
        languages=tuple(sorted(set(_codes(request.languages, _LANGUAGE)))),
        open_now=request.open_now is True,
        near=(float(lat), float(lon)) if _within(lat, 90) and _within(lon, 180) else None,
        zip_code=zip_code,
        radius_km=float(radius) if _finite(radius) and 0 < radius <= MAX_RADIUS_KM else None,  # type: ignore[operator]
        free=request.free is True,
        age=kept("age", None),
        walk_in=request.walk_in is True,
        page=clamped(request.page, 1, MAX_PAGE, 1),
        per_page=clamped(request.per_page, 1, MAX_PER_PAGE, 10),
        now=now,
        today=today.date() if isinstance(today, dt.datetime) else today,
        stale_after_days=clamped(request.stale_after_days, 1, 3650, 180),
        lang=kept("lang", "en"),
        precise=request.precise is True,
        sort=kept("sort", "relevance"),
        room_since=kept("room_since", None),
    )
