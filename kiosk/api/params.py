"""Query parameters of the HSDS 3.0 API, read strictly.

Every endpoint names the parameters it takes; any other parameter, a parameter given twice, or a
value that cannot be read is answered with a JSON 400 naming it (:class:`BadParameter`), never
ignored: a client that asks for something the API does not do learns so.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import request
from werkzeug.exceptions import BadRequest

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
T = TypeVar("T")

#: Formats of the lists: a page of JSON, or every result as newline-delimited JSON.
FORMATS = ("json", "ndjson")


class BadParameter(BadRequest):
    """A query parameter that cannot be used (answered as a JSON 400 naming it)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.parameter = name


def check_names(allowed: Iterable[str]) -> None:
    """Refuse parameters outside ``allowed``, and any parameter given more than once."""
    allowed = set(allowed)
    for name in request.args:
        if name not in allowed:
            taken = ", ".join(sorted(allowed)) or "none"
            raise BadParameter(name, f"is not a parameter of this endpoint (it takes: {taken})")
        if len(request.args.getlist(name)) > 1:
            raise BadParameter(name, "is given more than once")


def _raw(name: str) -> str | None:
    """The parameter's value without surrounding spaces; None when absent or blank."""
    raw = request.args.get(name)
    return raw.strip() if raw is not None and raw.strip() else None


def _read(name: str, convert: Callable[[str], T], message: str) -> T | None:
    """The parameter read by ``convert`` (a 400 saying ``message`` when it cannot); None when absent."""
    raw = _raw(name)
    try:
        return None if raw is None else convert(raw)
    except (ValueError, OverflowError, KeyError):
        raise BadParameter(name, message) from None


def _longest(name: str, value: str, max_length: int) -> None:
    if len(value) > max_length:
        raise BadParameter(name, f"is longer than {max_length} characters")


def text(name: str, max_length: int = 200) -> str | None:
    """Free text (``search``) with its spaces tidied and control characters read as spaces;
    None when absent or blank."""
    value = " ".join(_CONTROL.sub(" ", request.args.get(name) or "").split())
    _longest(name, value, max_length)
    return value or None


def identifier(name: str, max_length: int = 200) -> str | None:
    """An id (or a postcode): printable text; None when absent or blank."""
    value = _raw(name)
    if value is not None:
        _longest(name, value, max_length)
        if not printable(value):
            raise BadParameter(name, "holds a control character, which no id or postcode has")
    return value


def printable(value: str) -> bool:
    """Whether ``value`` (a path's id) holds no control character (no record's id does)."""
    return not _CONTROL.search(value)


def integer(name: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; ``default`` when absent."""
    value = _read(name, int, "must be a whole number")
    if value is not None and not low <= value <= high:
        raise BadParameter(name, f"must be between {low} and {high}")
    return default if value is None else value


def number(name: str, low: float, high: float) -> float | None:
    """A number greater than ``low`` and at most ``high``; None when absent."""
    value = _read(name, float, "must be a number")
    if value is not None and not (math.isfinite(value) and low < value <= high):
        raise BadParameter(name, f"must be a number greater than {low:g} and at most {high:g}")
    return value


def flag(name: str) -> bool:
    """A boolean parameter (``true``/``false``, ``1``/``0``, ``yes``/``no``); false when absent."""
    return bool(_read(name, lambda value: _BOOLEANS[value.lower()], "must be true or false"))


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 / RFC 3339 date-time (``2026-12-01T10:30:00Z``, with an offset, or without
    one meaning UTC; fractions past microseconds dropped) or date (its midnight UTC), as an aware
    UTC datetime. Raises ``ValueError`` for anything else."""
    parsed = dt.datetime.fromisoformat(text.strip().upper())
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


def instant(name: str) -> dt.datetime | None:
    """The date-time parameter ``name`` (:func:`parse_instant`); None when absent."""
    return _read(name, parse_instant, "must be an ISO 8601 date-time such as 2026-12-01T10:30:00Z")


@dataclass(frozen=True)
class Paging:
    """``page``, ``per_page`` and ``format`` of a list."""

    page: int
    per_page: int
    format: str

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


#: Highest ``page`` accepted (with the largest ``per_page``, a list of 10 million).
MAX_PAGE = 10_000
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000


def paging(default_per_page: int = DEFAULT_PER_PAGE, max_per_page: int = MAX_PER_PAGE) -> Paging:
    """The list's paging; ``format=ndjson`` streams every result, so it takes no page."""
    form = (request.args.get("format") or "json").strip().lower()
    if form not in FORMATS:
        raise BadParameter("format", "must be json or ndjson")
    if form == "ndjson":
        for name in ("page", "per_page"):
            if name in request.args:
                raise BadParameter(name, "does not go with format=ndjson, which streams every result")
    return Paging(integer("page", 1, 1, MAX_PAGE), integer("per_page", default_per_page, 1, max_per_page), form)
