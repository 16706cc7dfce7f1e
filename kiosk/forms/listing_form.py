"""The listing editor's form: a :class:`~directory_data.listing_edit.ListingEdit` as the flat
values the workspace renders (``phones-0-number``, ``hours-1-days`` ..., with blank rows for
adding records), and submitted values read back into one (:func:`parse_form`; the rules are
:func:`directory_data.listing_edit.read_edit`'s, each error named after its input)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Protocol

from directory_data.listing_edit import (
    TEXT_FIELDS,
    ListingEdit,
    Row,
    amount_text,
    read_edit,
    time_text,
)
from directory_data.models import ServiceStatus
from directory_data.organization_pick import OrganizationPick
from directory_data.validation import FieldError

#: Empty rows offered in each repeated section of the form, for adding records.
BLANK_ROWS = 2
#: The inputs of a row of each section (besides ``id``, ``remove`` and the hours' ``days``).
ROW_INPUTS = {"phones": ("number", "extension", "description", "type", "audience"),
              "hours": ("opens", "closes"), "closures": ("start", "end", "note"),
              "languages": ("name",), "costs": ("option", "amount")}
SECTIONS = tuple(ROW_INPUTS)
_ROW_KEY = re.compile(r"^(phones|hours|closures|languages|costs)-(\d{1,3})-")
MAX_ROWS = 60
_PLACE = ("name", "address_1", "city", "state_province", "postal_code", "latitude", "longitude")
_OTHER_FIELDS = ("url", "email", "status", "minimum_age", "maximum_age", "walk_in")



class FormValues(Protocol):
    """What a submitted form looks like (a Werkzeug ``MultiDict`` is one)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def keys(self) -> Iterable[str]: ...


class Values(dict[str, list[str]]):
    """Form values kept as lists, readable like a ``MultiDict``."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        found = super().get(key)
        return found[0] if found else default

    def getlist(self, key: str) -> list[str]:
        """Every value of ``key``."""
        return list(super().get(key) or [])

    @classmethod
    def of(cls, values: FormValues) -> Values:
        """A copy of ``values`` (a submitted form) that can be changed."""
        return cls({key: [str(v) for v in values.getlist(key)] for key in values.keys()})

    def put(self, key: str, value: Any) -> None:
        """Set ``key`` to one value (``None`` is an empty string)."""
        self[key] = ["" if value is None else str(value)]



def form_values(edit: ListingEdit, *, blank_rows: int = BLANK_ROWS) -> Values:
    """The flat form values of ``edit``, with ``blank_rows`` empty rows after each section."""
    values = Values()
    for name, value in edit.fields.items():
        if name == "status":
            values.put(name, value.value if isinstance(value, ServiceStatus) else value)
        elif name == "walk_in":
            values.put(name, {True: "yes", False: "no"}.get(value, ""))
        else:
            values.put(name, value)
    values.put("organization_id", edit.organization_id)
    values["categories"] = list(edit.categories)
    rows: dict[str, list[dict[str, Any]]] = {
        "phones": [{"id": p.id, "number": p.number, "extension": p.extension,
                    "type": p.type.value, "audience": p.audience.value,
                    "description": p.description} for p in edit.phones],
        "hours": [{"id": h.id, "days": h.days, "opens": time_text(h.opens),
                   "closes": time_text(h.closes)} for h in edit.hours],
        "closures": [{"id": c.id, "start": c.start.isoformat(), "end": c.end.isoformat(),
                      "note": c.note} for c in edit.closures],
        "languages": [{"id": lang.id, "name": lang.name} for lang in edit.languages],
        "costs": [{"id": c.id, "option": c.option, "amount": amount_text(c.amount)}
                  for c in edit.costs],
    }
    for section, items in rows.items():
        for index, item in enumerate([*items, *({"id": ""} for _ in range(blank_rows))]):
            for key, value in item.items():
                if isinstance(value, list):
                    values[f"{section}-{index}-{key}"] = list(value)
                else:
                    values.put(f"{section}-{index}-{key}", value)
        values.put(f"{section}-count", len(items) + blank_rows)
    place = edit.place
    for key in ("name", "address_1", "city", "state_province", "postal_code"):
        values.put(f"place-{key}", getattr(place, key))
    values.put("place-latitude", "" if place.latitude is None else f"{place.latitude:g}")
    values.put("place-longitude", "" if place.longitude is None else f"{place.longitude:g}")
    values["place-confidential"] = ["1"] if place.confidential else []
    return values


def row_indexes(values: FormValues, section: str) -> list[int]:
    """The row numbers of ``section`` present in ``values``, in order."""
    found = set()
    for key in values.keys():
        match = _ROW_KEY.match(key)
        if match and match.group(1) == section:
            found.add(int(match.group(2)))
    return sorted(found)[:MAX_ROWS]


def _text(values: FormValues, key: str) -> str:
    return str(values.get(key) or "").replace("\r\n", "\n").strip()


def _is_on(values: FormValues, key: str) -> bool:
    return str(values.get(key) or "").lower() in ("1", "on", "true", "yes")


def _rows(values: FormValues, section: str) -> Iterator[Row]:
    """The rows of ``section`` that are kept: not removed, and not blank (a phone's kind aside)."""
    for index in row_indexes(values, section):
        prefix = f"{section}-{index}-"
        row: dict[str, Any] = {key: _text(values, prefix + key) for key in ROW_INPUTS[section]}
        row["days"] = [str(day).upper() for day in values.getlist(prefix + "days")]
        filled = any(row[key] for key in ROW_INPUTS[section] if key not in ("type", "audience"))
        if (filled or row["days"]) and not _is_on(values, prefix + "remove"):
            yield prefix, {**row, "id": _text(values, prefix + "id") or None}


def parse_form(
    values: FormValues, *, categories: Collection[str], organization: OrganizationPick
) -> tuple[ListingEdit, list[FieldError]]:
    """The edit in submitted ``values`` and every problem with it, by input name.

    ``categories`` are the slugs that exist; ``organization`` is what the form's organization
    field resolved to (:func:`kiosk.forms.organization_field.resolve_organization`). A row whose
    ``remove`` box is ticked, or whose inputs are all empty, is left out.
    """
    text: dict[str, Any] = {name: _text(values, name) for name in (*TEXT_FIELDS, *_OTHER_FIELDS)}
    text.update({f"place-{key}": _text(values, f"place-{key}") for key in _PLACE})
    text["place-confidential"] = _is_on(values, "place-confidential")
    return read_edit(text, {section: list(_rows(values, section)) for section in SECTIONS},
                     chosen=values.getlist("categories"), categories=categories, organization=organization)
