"""Reading the caseworker-edited CSV files of ``directory_data/``: ``#`` lines are comments, each
row keeps its line number (so a message can name it), cells are stripped, lists are ``|``-separated.
"""

from __future__ import annotations

import csv
import io


def data_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a data file's ``text`` as ``(line number, {column: stripped cell})``."""
    kept: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            kept.append(line)
            numbers.append(number)
    if not kept:
        return []
    reader = csv.DictReader(io.StringIO("\n".join(kept)))
    rows = []
    for index, row in enumerate(reader):
        number = numbers[index + 1] if index + 1 < len(numbers) else 0
        rows.append((number, {k.strip(): (v or "").strip() for k, v in row.items() if k}))
    return rows


def cell_list(cell: str) -> tuple[str, ...]:
    """The non-empty ``|``-separated parts of ``cell``, stripped."""
    return tuple(p.strip() for p in cell.split("|") if p.strip())
