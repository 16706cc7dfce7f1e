"""One record's HSDS 3.0 fields: which columns a table has, and their values in JSON or CSV form.

Every model column that HSDS 3.0 also has carries the same name, so a record's fields are the
spec's columns of its table that the model holds (see :mod:`directory_data.hsds.export_spec`,
and :mod:`directory_data.hsds.export_spec31` for the HSDS 3.1 capacity tables), in the spec's order. ``schedule.timezone`` is the exception: HSDS 3.0 wants a UTC offset number
there, the model holds an IANA zone name, so the name travels as the ``kiosk:timezone`` attribute
instead (:mod:`directory_data.hsds.extensions`).

Values are written so the importer reads back exactly what the model holds: dates as
``YYYY-MM-DD``, timestamps as ISO 8601 in UTC with ``Z``, times as ``HH:MM`` in JSON (``HH:MM:SS``
when the seconds are not zero) and ``HH:MM:SS`` in CSV (the Frictionless ``time`` type needs the
seconds), amounts and coordinates as numbers. A web address holding characters a URI cannot
(``{``, a space, ``é`` ...) has them percent-encoded, as RFC 3986 and the spec's ``uri`` format
require; the address it points to is the same.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

from .export_spec31 import ALL_RESOURCES

#: Spec columns whose model column of the same name holds something else (written as attributes).
NOT_FROM_MODEL: frozenset[tuple[str, str]] = frozenset({("schedule", "timezone")})

#: Characters a URI may hold as they are: RFC 3986 reserved and unreserved ones, and ``%``.
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class _Table:
    """What the spec says of one exported table's columns (names in the spec's order)."""

    columns: tuple[str, ...]
    required: frozenset[str]
    deprecated: frozenset[str]
    uri: frozenset[str]


def _table(fields: list[dict[str, Any]]) -> _Table:
    def names(keep: Callable[[dict[str, Any]], object]) -> frozenset[str]:
        return frozenset(field["name"] for field in fields if keep(field))

    return _Table(tuple(field["name"] for field in fields),
                  names(lambda field: field.get("constraints", {}).get("required")),
                  names(lambda field: str(field.get("description", "")).startswith("DEPRECATED")),
                  names(lambda field: field.get("format") == "uri"))


_TABLES = {resource["name"]: _table(resource["schema"]["fields"]) for resource in ALL_RESOURCES}


def _spec(table: str) -> _Table:
    if table not in _TABLES:
        raise KeyError(f"HSDS 3.0/3.1 has no table {table!r} among the exported ones")
    return _TABLES[table]


def table_columns(table: str) -> tuple[str, ...]:
    """The spec's column names of ``table`` (``"service"``, ``"phone"`` ...), in the spec's order."""
    return _spec(table).columns


def required_columns(table: str) -> frozenset[str]:
    """The columns of ``table`` that the spec marks as required."""
    return _spec(table).required


def deprecated_columns(table: str) -> frozenset[str]:
    """The columns of ``table`` the spec marks as deprecated (its description says so): the
    file exports keep them, so nothing the model holds is lost, the API leaves them out."""
    return _spec(table).deprecated


def uri_columns(table: str) -> frozenset[str]:
    """The columns of ``table`` whose values the spec wants as URIs (``format: uri``)."""
    return _spec(table).uri


def uri_text(value: str) -> str:
    """``value`` with every character a URI cannot hold percent-encoded (UTF-8 for non-ASCII).

    Existing ``%XX`` escapes are kept, so encoding twice changes nothing.
    """
    return quote(_STRAY_PERCENT.sub("%25", value), safe=_URI_SAFE)


def record_fields(table: str, record: object) -> dict[str, Any]:
    """The HSDS fields of ``record`` (a row of ``table``) the model holds, in spec order.

    Values are as the model holds them, but for web addresses, made valid URIs (:func:`uri_text`).
    """
    fields = {column: getattr(record, column) for column in model_columns(table, type(record))}
    for column in uri_columns(table):
        if isinstance(fields.get(column), str):
            fields[column] = uri_text(fields[column])
    return fields


@cache
def model_columns(table: str, model: type) -> tuple[str, ...]:
    """The spec's columns of ``table`` that ``model`` holds under the same name, in spec order
    (kept per table and class: an export asks it for every record, 33 µs each)."""
    return tuple(
        column
        for column in table_columns(table)
        if (table, column) not in NOT_FROM_MODEL and hasattr(model, column)
    )


def json_fields(table: str, record: object) -> dict[str, Any]:
    """The HSDS fields of ``record`` as JSON values; null ones, and empty optional ones, left out.

    The spec's JSON schemas disallow null in most places, and a required text field is kept
    even when empty (an organization's ``description``, say).
    """
    required = required_columns(table)
    out: dict[str, Any] = {}
    for column, value in record_fields(table, record).items():
        if value is None or (value == "" and column not in required):
            continue
        out[column] = json_value(value)
    return out


def csv_row(table: str, record: object) -> list[str]:
    """The cells of ``record`` for ``table``'s CSV, one per spec column (blank when not held)."""
    fields = record_fields(table, record)
    return [csv_value(fields.get(column)) for column in table_columns(table)]


def json_value(value: Any) -> Any:
    """``value`` as JSON: enums by value, dates/times as text, decimals as numbers."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def csv_value(value: Any) -> str:
    """``value`` as a CSV cell: blank for none, ``true``/``false``, text for everything else."""
    if type(value) is str:  # most cells: the fast path
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def format_datetime(value: dt.datetime) -> str:
    """An aware timestamp in UTC as ISO 8601 with ``Z`` (microseconds only when there are some)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
