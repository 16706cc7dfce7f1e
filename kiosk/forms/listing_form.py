"""The listing editor's form: a :class:`~directory_data.listing_edit.ListingEdit` as the flat
values the workspace renders (``phones-0-number``, ``hours-1-days`` ..., with blank rows for
adding records), and submitted values read back into one (:func:`parse_form`; the rules are
:func:`directory_data.listing_edit.read_edit`'s, each error named after its input)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from werkzeug.datastructures import MultiDict

from directory_data.listing_edit import (
    TEXT_FIELDS,
    ListingEdit,
    Row,
    amount_text,
    field_text,
    read_edit,
    time_text,
)
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


class Values(MultiDict[str, str]):
    """Form values (a submitted form's, or an edit's to render), changeable: setting a key to a
    list gives it those values, to anything else one value (``None`` is an empty string)."""

    def __setitem__(self, key: str, value: Any) -> None:
        self.setlist(key, [str(v) for v in value] if isinstance(value, list)
                     else ["" if value is None else str(value)])

    def put(self, key: str, value: Any) -> None:
        """Set ``key`` to one value."""
        self[key] = value


def _row_values(edit: ListingEdit) -> dict[str, list[dict[str, Any]]]:
    return {
        "phones": [{"id": p.id, "number": p.number, "extension": p.extension, "type": p.type.value,
                    "audience": p.audience.value, "description": p.description} for p in edit.phones],
        "hours": [{"id": h.id, "days": h.days, "opens": time_text(h.opens), "closes": time_text(h.closes)}
                  for h in edit.hours],
        "closures": [{"id": c.id, "start": c.start.isoformat(), "end": c.end.isoformat(), "note": c.note}
                     for c in edit.closures],
        "languages": [{"id": lang.id, "name": lang.name} for lang in edit.languages],
        "costs": [{"id": c.id, "option": c.option, "amount": amount_text(c.amount)} for c in edit.costs],
    }


def form_values(edit: ListingEdit, *, blank_rows: int = BLANK_ROWS) -> Values:
    """The flat form values of ``edit``, with ``blank_rows`` empty rows after each section."""
    values = Values()
    for name, value in edit.fields.items():
        values[name] = field_text(name, value)
    values["organization_id"] = edit.organization_id
    values["categories"] = list(edit.categories)
    for section, items in _row_values(edit).items():
        for index, item in enumerate([*items, *({"id": ""} for _ in range(blank_rows))]):
            for key, value in item.items():
                values[f"{section}-{index}-{key}"] = value
        values[f"{section}-count"] = len(items) + blank_rows
    for key in _PLACE:
        value = getattr(edit.place, key)
        coordinate = key in ("latitude", "longitude") and value is not None
        values[f"place-{key}"] = f"{value:g}" if coordinate else value
    values["place-confidential"] = ["1"] if edit.place.confidential else []
    return values


def row_indexes(values: MultiDict[str, str], section: str) -> list[int]:
    """The row numbers of ``section`` present in ``values``, in order."""
    found = {int(match.group(2)) for match in map(_ROW_KEY.match, values.keys())
             if match and match.group(1) == section}
    return sorted(found)[:MAX_ROWS]


def _text(values: MultiDict[str, str], key: str) -> str:
    return str(values.get(key) or "").replace("\r\n", "\n").strip()


def _is_on(values: MultiDict[str, str], key: str) -> bool:
    return str(values.get(key) or "").lower() in ("1", "on", "true", "yes")


def _rows(values: MultiDict[str, str], section: str) -> Iterator[Row]:
    """The rows of ``section`` that are kept: not removed, and not blank (a phone's kind aside)."""
    for index in row_indexes(values, section):
        prefix = f"{section}-{index}-"
        row: dict[str, Any] = {key: _text(values, prefix + key) for key in ROW_INPUTS[section]}
        row["days"] = [str(day).upper() for day in values.getlist(prefix + "days")]
        filled = any(row[key] for key in ROW_INPUTS[section] if key not in ("type", "audience"))
        if (filled or row["days"]) and not _is_on(values, prefix + "remove"):
            yield prefix, {**row, "id": _text(values, prefix + "id") or None}


def parse_form(
    values: MultiDict[str, str], *, categories: Collection[str], organization: OrganizationPick
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
