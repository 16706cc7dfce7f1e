"""The taxonomy crosswalk: from AIRS/211 and Open Eligibility terms to the mission categories.

The crosswalk is a CSV file caseworkers can edit (``taxonomy_crosswalk.csv`` beside this module
is the default). Lines starting with ``#`` are comments. Columns:

``code``
    A taxonomy code or code prefix, AIRS/211 (``BH-1800.1500``, ``R``) or Open Eligibility
    (``101-06``). A term gets the categories of the row with the **longest** code that is the
    term's code or one of its parent levels. Levels end at the code's structure: ``R`` covers
    ``RP-1400``; ``BH-1800`` covers ``BH-1800.1500-100``; ``BH-18`` covers nothing.
``vocabulary``
    ``airs`` or ``open-eligibility``. Open Eligibility rows are also matched by ``name`` for
    terms that have no code.
``name``
    The term's name in its taxonomy, for the people reading the file.
``categories``
    Category slugs separated by ``;`` (``mental-health;abuse``). Empty means "no category",
    which lets a narrower code opt out of a broader row.
``note``
    Free text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from directory_data.models.category import MISSION_CATEGORIES

DEFAULT_CROSSWALK_PATH = Path(__file__).with_name("taxonomy_crosswalk.csv")
COLUMNS = ("code", "vocabulary", "name", "categories", "note")
VOCABULARIES = ("airs", "open-eligibility")


class CrosswalkError(ValueError):
    """The crosswalk file has a mistake; the message names the line."""


@dataclass(frozen=True)
class CrosswalkRow:
    """One row of the crosswalk."""

    code: str
    vocabulary: str
    name: str
    categories: tuple[str, ...]
    note: str
    line: int


def _is_level_prefix(prefix: str, code: str) -> bool:
    """Whether ``prefix`` is ``code`` or one of its parent levels (see the module docstring)."""
    if not code.startswith(prefix):
        return False
    if len(code) == len(prefix):
        return True
    if len(prefix) == 1 and prefix.isalpha():
        return True  # AIRS level 1 "R" -> level 2 "RP"
    return code[len(prefix)] in ".-"


class Crosswalk:
    """Looks up the mission categories for taxonomy terms."""

    def __init__(self, rows: Iterable[CrosswalkRow]) -> None:
        self.rows: tuple[CrosswalkRow, ...] = tuple(rows)
        self._by_code = {row.code.upper(): row for row in self.rows}
        self._by_name: dict[str, CrosswalkRow] = {}
        for row in self.rows:
            if row.vocabulary == "open-eligibility" and row.name:
                self._by_name.setdefault(row.name.casefold(), row)
        self._longest = max((len(code) for code in self._by_code), default=0)
        self._matched: dict[tuple[str | None, str | None], CrosswalkRow | None] = {}

    def match(self, code: str | None, name: str | None = None) -> CrosswalkRow | None:
        """The row deciding the categories of a term with ``code`` (and ``name``), if any
        (remembered: an import asks about the same few thousand terms for every service)."""
        key = (code, name)
        try:
            return self._matched[key]
        except KeyError:
            found = self._matched[key] = self._match(code, name)
            return found

    def _match(self, code: str | None, name: str | None) -> CrosswalkRow | None:
        if code:
            key = code.strip().upper()
            for length in range(min(len(key), self._longest), 0, -1):
                row = self._by_code.get(key[:length])
                if row is not None and _is_level_prefix(row.code.upper(), key):
                    return row
        if name:
            return self._by_name.get(" ".join(name.split()).casefold())
        return None

    def categories_for(self, code: str | None, name: str | None = None) -> tuple[str, ...]:
        """The category slugs for one term (empty when no row matches or the row says none)."""
        row = self.match(code, name)
        return row.categories if row is not None else ()

    def categories_for_terms(self, terms: Iterable[tuple[str | None, str | None]]) -> set[str]:
        """The union of the categories of several ``(code, name)`` terms."""
        found: set[str] = set()
        for code, name in terms:
            found.update(self.categories_for(code, name))
        return found


def parse_crosswalk(text: str, *, source: str = "crosswalk", allowed: Iterable[str] | None = None
                    ) -> Crosswalk:
    """Parse crosswalk CSV ``text``; mistakes raise :class:`CrosswalkError` naming the line."""
    slugs = set(MISSION_CATEGORIES if allowed is None else allowed)
    lines = text.splitlines(keepends=True)
    header_seen = False
    rows: list[CrosswalkRow] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO("".join(
        "\n" if line.lstrip().startswith("#") else line for line in lines
    ), newline=""))
    for record in reader:
        line = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        cells = [cell.strip() for cell in record]
        if not header_seen:
            if tuple(c.lower() for c in cells[: len(COLUMNS)]) != COLUMNS:
                raise CrosswalkError(
                    f"{source} line {line}: the header must be {','.join(COLUMNS)}"
                )
            header_seen = True
            continue
        cells += [""] * (len(COLUMNS) - len(cells))
        code, vocabulary, name, categories, note = cells[: len(COLUMNS)]
        if not code:
            raise CrosswalkError(f"{source} line {line}: the code is empty")
        if vocabulary not in VOCABULARIES:
            raise CrosswalkError(
                f"{source} line {line}: vocabulary {vocabulary!r} is not one of "
                f"{', '.join(VOCABULARIES)}"
            )
        cats = tuple(dict.fromkeys(c.strip() for c in categories.split(";") if c.strip()))
        unknown = [c for c in cats if c not in slugs]
        if unknown:
            raise CrosswalkError(
                f"{source} line {line}: unknown category {unknown[0]!r} "
                f"(use {', '.join(sorted(slugs))})"
            )
        key = code.upper()
        if key in seen:
            raise CrosswalkError(
                f"{source} line {line}: code {code} is already on line {seen[key]}"
            )
        seen[key] = line
        rows.append(CrosswalkRow(code, vocabulary, name, cats, note, line))
    if not header_seen:
        raise CrosswalkError(f"{source}: no header line ({','.join(COLUMNS)})")
    return Crosswalk(rows)


def load_crosswalk(path: Path | str | None = None) -> Crosswalk:
    """Read the crosswalk at ``path`` (default: the one shipped with the package)."""
    target = Path(path) if path is not None else DEFAULT_CROSSWALK_PATH
    return parse_crosswalk(target.read_text(encoding="utf-8-sig"), source=target.name)

