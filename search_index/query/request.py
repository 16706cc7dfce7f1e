"""What a search asks for: :class:`SearchRequest`, its validation and its parsing from a query
string.

:func:`validate_request` and :func:`parse_request` reject bad parameters with a message per
field (so an endpoint can answer 400); :func:`search_index.query.searching.search` never raises and
quietly clamps whatever reaches it anyway.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
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

    ``near`` is ``(latitude, longitude)``; ``zip_code`` uses the centroid of that ZIP code's
    public addresses in the directory. ``radius_km`` limits results to that distance of either.
    ``now`` (aware) decides open-now, ``today`` staleness; None means the current time.
    ``precise`` (only for a signed-in officer; never read from a query string) measures
    distances to the true positions of confidential places instead of their public cell
    centres (:mod:`directory_data.confidential`). ``sort`` is ``"relevance"`` (distance only
    weighs in) or ``"distance"`` (with a location: the best matches nearest first, then the
    other matches nearest first; :func:`search_index.query.ranking.nearest_first`).
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


#: The orders a search can be sorted in.
SORTS = ("relevance", "distance")


class InvalidRequest(ValueError):
    """Parameters that cannot make a search, with one message per field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors: dict[str, str] = dict(errors)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_request(request: SearchRequest) -> dict[str, str]:
    """Field -> message for every parameter of ``request`` that is not acceptable (empty: ok)."""
    errors: dict[str, str] = {}
    if not isinstance(request.q, str):
        errors["q"] = "must be text"
    elif len(request.q) > MAX_QUERY_CHARS * 4:
        errors["q"] = f"is too long (at most {MAX_QUERY_CHARS} characters are searched)"
    if not isinstance(request.categories, (tuple, list)) or not all(
        isinstance(c, str) and _SLUG.match(c) for c in request.categories
    ):
        errors["category"] = "must be category slugs (lower-case letters, digits and hyphens)"
    if not isinstance(request.languages, (tuple, list)) or not all(
        isinstance(c, str) and _LANGUAGE.match(c) for c in request.languages
    ):
        errors["language"] = "must be ISO 639 language codes such as en, es, ht"
    for name in ("open_now", "free", "walk_in", "precise"):
        if not isinstance(getattr(request, name), bool):
            errors[name] = "must be true or false"
    if request.near is not None:
        try:
            lat, lon = request.near
        except (TypeError, ValueError):
            errors["near"] = "must be a latitude and a longitude"
        else:
            if not (_finite(lat) and -90 <= lat <= 90):
                errors["lat"] = "must be a latitude between -90 and 90"
            if not (_finite(lon) and -180 <= lon <= 180):
                errors["lon"] = "must be a longitude between -180 and 180"
    if request.zip_code is not None and not (isinstance(request.zip_code, str) and _ZIP.match(request.zip_code)):
        errors["zip"] = "must be a five-digit ZIP code"
    if request.radius_km is not None:
        if not (_finite(request.radius_km) and 0 < request.radius_km <= MAX_RADIUS_KM):
            errors["radius_km"] = f"must be a distance in km greater than 0 and at most {MAX_RADIUS_KM:g}"
        elif request.near is None and request.zip_code is None:
            errors["radius_km"] = "needs a location (lat and lon, or zip)"
    if request.age is not None and not (
        isinstance(request.age, int) and not isinstance(request.age, bool) and 0 <= request.age <= MAX_AGE
    ):
        errors["age"] = f"must be a whole number of years from 0 to {MAX_AGE}"
    if not (isinstance(request.page, int) and not isinstance(request.page, bool) and 1 <= request.page <= MAX_PAGE):
        errors["page"] = f"must be a whole number from 1 to {MAX_PAGE}"
    if not (
        isinstance(request.per_page, int)
        and not isinstance(request.per_page, bool)
        and 1 <= request.per_page <= MAX_PER_PAGE
    ):
        errors["per_page"] = f"must be a whole number from 1 to {MAX_PER_PAGE}"
    if request.now is not None and (not isinstance(request.now, dt.datetime) or request.now.utcoffset() is None):
        errors["now"] = "must be a timezone-aware date and time"
    if request.today is not None and (not isinstance(request.today, dt.date) or isinstance(request.today, dt.datetime)):
        errors["today"] = "must be a date"
    if not (
        isinstance(request.stale_after_days, int)
        and not isinstance(request.stale_after_days, bool)
        and 1 <= request.stale_after_days <= 3650
    ):
        errors["stale_after_days"] = "must be a whole number of days from 1 to 3650"
    if not isinstance(request.lang, str) or request.lang not in LANGS:
        errors["lang"] = "must be en or es"
    if request.sort not in SORTS:
        errors["sort"] = "must be relevance or distance"
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
    if raw is None:
        return None
    return str(raw).strip()


def _flag(params: Mapping[str, Any], name: str, errors: dict[str, str]) -> bool:
    raw = _one(params, name)
    if raw is None:
        return False
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    errors[name] = "must be true or false"
    return False


def _number(params: Mapping[str, Any], name: str, errors: dict[str, str], *, integer: bool) -> Any:
    raw = _one(params, name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        errors[name] = "must be a whole number" if integer else "must be a number"
        return None
    if not integer and not math.isfinite(value):
        errors[name] = "must be a finite number"
        return None
    return value


def parse_request(
    params: Mapping[str, Any], *, now: dt.datetime | None = None, today: dt.date | None = None
) -> SearchRequest:
    """A request from query-string parameters, or :class:`InvalidRequest` with per-field messages.

    Parameters: ``q``, ``category`` and ``language`` (repeated or comma-separated),
    ``open_now``, ``free``, ``walk_in`` (true/false), ``lat`` + ``lon``, ``zip``, ``radius_km``,
    ``age``, ``page``, ``per_page``, ``lang`` (en/es).
    """
    errors: dict[str, str] = {}
    q = _one(params, "q") or ""
    lat = _number(params, "lat", errors, integer=False)
    lon = _number(params, "lon", errors, integer=False)
    near = None
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        errors["lat" if lat is None else "lon"] = "lat and lon go together"
    elif lat is not None and lon is not None:
        near = (lat, lon)
    page = _number(params, "page", errors, integer=True)
    per_page = _number(params, "per_page", errors, integer=True)
    request = SearchRequest(
        q=q,
        categories=tuple(dict.fromkeys(c.lower() for c in _values(params, "category", "categories"))),
        languages=tuple(dict.fromkeys(c.lower() for c in _values(params, "language", "languages"))),
        open_now=_flag(params, "open_now", errors),
        near=near,
        zip_code=_one(params, "zip") or None,
        radius_km=_number(params, "radius_km", errors, integer=False),
        free=_flag(params, "free", errors),
        age=_number(params, "age", errors, integer=True),
        walk_in=_flag(params, "walk_in", errors),
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


@dataclass(frozen=True)
class Effective:
    """A request clamped to what a search can run (never invalid), with its resolved clock."""

    q: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    open_now: bool
    near: tuple[float, float] | None
    zip_code: str | None
    radius_km: float | None
    free: bool
    age: int | None
    walk_in: bool
    page: int
    per_page: int
    now: dt.datetime
    today: dt.date
    stale_after_days: int
    lang: str
    precise: bool = False
    sort: str = "relevance"


def effective(request: SearchRequest, clock: dt.datetime) -> Effective:
    """``request`` with every parameter made usable: bad values are dropped or clamped."""

    def clamp_int(value: Any, low: int, high: int, default: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            return default
        return max(low, min(high, value))

    q = request.q if isinstance(request.q, str) else ""
    categories = tuple(c for c in _tuple(request.categories) if isinstance(c, str) and _SLUG.match(c))
    languages = tuple(c for c in _tuple(request.languages) if isinstance(c, str) and _LANGUAGE.match(c))
    near = None
    try:
        if request.near is not None:
            lat, lon = request.near
            if _finite(lat) and _finite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
                near = (float(lat), float(lon))
    except (TypeError, ValueError):
        near = None
    zip_code = request.zip_code if isinstance(request.zip_code, str) and _ZIP.match(request.zip_code) else None
    radius = request.radius_km
    radius = float(radius) if _finite(radius) and 0 < radius <= MAX_RADIUS_KM else None  # type: ignore[arg-type]
    age = request.age if isinstance(request.age, int) and not isinstance(request.age, bool) and 0 <= request.age <= MAX_AGE else None
    now = request.now if isinstance(request.now, dt.datetime) and request.now.utcoffset() is not None else clock
    today = request.today if isinstance(request.today, dt.date) else now.date()
    if isinstance(today, dt.datetime):
        today = today.date()
    return Effective(
        q=q,
        categories=tuple(sorted(set(categories))),
        languages=tuple(sorted(set(languages))),
        open_now=request.open_now is True,
        near=near,
        zip_code=zip_code,
        radius_km=radius,
        free=request.free is True,
        age=age,
        walk_in=request.walk_in is True,
        page=clamp_int(request.page, 1, MAX_PAGE, 1),
        per_page=clamp_int(request.per_page, 1, MAX_PER_PAGE, 10),
        now=now,
        today=today,
        stale_after_days=clamp_int(request.stale_after_days, 1, 3650, 180),
        lang=request.lang if request.lang in LANGS else "en",
        precise=request.precise is True,
        sort=request.sort if request.sort in SORTS else "relevance",
    )


def _tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        return ()
