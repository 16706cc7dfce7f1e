"""The builder's state and vocabulary: the plan it fills, how it skips rows and notes problems.

:class:`BuildState` holds what every build step shares (rows by kind, ids, values, what was
skipped); the steps are mixed into :class:`~.build.Builder` from :mod:`.attributes`,
:mod:`.links` and :mod:`.derived`.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from directory_data.taxonomy_crosswalk import Crosswalk

from . import extensions as ext
from .existing import Existing
from .report import FieldProblem, ImportReport
from .rows import SourceRow

#: Kinds stored as records of the model table of the same name.
RECORD_KINDS = ("taxonomy", "taxonomy_term", "organization", "service", "location",
                "service_at_location", "phone", "address", "accessibility", "schedule",
                "language", "cost_option")
#: Kinds whose repeated ids mean a repeated record (the later rows are skipped).
TOP_LEVEL = ("taxonomy", "taxonomy_term", "organization", "service", "location")
#: The longest source id a record keeps (``source_id`` column).
SOURCE_ID_MAX = 200
ORGANIZATION_ADDRESS = ("the address belongs to an organization, not a location; the directory "
                        "keeps addresses of locations only")
_KIND_NAMES = {"service_at_location": "service-at-location link", "taxonomy_term": "taxonomy term",
               "cost_option": "cost option"}
_PLURAL = {"accessibility": "accessibility rows", "taxonomy": "taxonomies"}


@dataclass(eq=False, slots=True)
class Planned:
    """A record to write: its table, id, upsert key, managed column values and source row."""

    table: str
    id: str
    source: str
    source_id: str
    values: dict[str, Any]
    row: SourceRow


@dataclass
class Plan:
    """Everything the loader writes.

    ``coverage`` says which existing children the import replaces: for a child table, the
    ``(link column, parent id)`` pairs whose children all are in the import, so the other ones
    are removed. ``taxonomy_links`` / ``crosswalk_categories`` / ``listing_categories`` hold the
    full wanted sets for the services they name.
    """

    records: dict[str, dict[str, Planned]] = field(default_factory=dict)
    coverage: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    taxonomy_links: dict[str, set[str]] = field(default_factory=dict)
    crosswalk_categories: dict[str, set[str]] = field(default_factory=dict)
    listing_categories: dict[str, set[str]] = field(default_factory=dict)
    new_categories: dict[str, tuple[str, str]] = field(default_factory=dict)
    skipped: set[SourceRow] = field(default_factory=set)
    uncounted: set[SourceRow] = field(default_factory=set)
    targets: dict[SourceRow, list[tuple[str, Any]]] = field(
        default_factory=lambda: defaultdict(list))
    sources: set[str] = field(default_factory=set)


class BuildState:
    """What the build steps share; see :mod:`.build` for the steps."""

    def __init__(self, rows: list[SourceRow], source: str, existing: Existing,
                 crosswalk: Crosswalk, report: ImportReport, covered: set[str]) -> None:
        self.rows = rows
        self.source = source
        self.existing = existing
        self.crosswalk = crosswalk
        self.report = report
        self.covered = covered
        self.plan = Plan()
        self.by_kind: dict[str, list[SourceRow]] = defaultdict(list)
        self.by_raw: dict[tuple[str, str], SourceRow] = {}
        self.ids: dict[SourceRow, str] = {}
        self.values: dict[SourceRow, dict[str, Any]] = {}
        self.identity: dict[SourceRow, tuple[str, str]] = {}
        self.skipped: set[SourceRow] = set()
        self.ext_targets: list[tuple[SourceRow, SourceRow, str]] = []
        self.key_owner: dict[SourceRow, SourceRow] = {}
        self._sal_links: dict[str, dict[str, Any]] | None = None
        self.dangling: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.extension_kinds: set[str] = set()
        self.ext_terms = {ext.term_id(code): code for code in ext.EXTENSIONS}

    # -- bookkeeping --------------------------------------------------------------------------

    def skip(self, row: SourceRow, reason: str) -> None:
        """Skip ``row``; a row counted in the report is listed with the reason."""
        if row in self.skipped:
            return
        self.skipped.add(row)
        if row.derived_from is not None and row.counted in self.skipped:
            return  # its source row is skipped (and reported) already
        if row.derived_from is None:
            self.report.skip(row.table, row.kind, row.origin.file, row.origin.where,
                             row.raw_id, reason)
        else:
            parent = row.counted
            what = kind_name(row.kind)
            self.report.field_problems.append(FieldProblem(
                parent.origin.file, parent.origin.where, parent.raw_id, row.kind,
                f"{article(what)} {what} made from this row was not used: {reason}"))

    def problem(self, row: SourceRow, name: str, message: str) -> None:
        """Note a field problem of ``row`` (reported with the row it was read from)."""
        counted = row.counted
        self.report.field_problems.append(FieldProblem(
            counted.origin.file, counted.origin.where, counted.raw_id, name, message))

    def target(self, row: SourceRow, table: str, key: Any) -> None:
        """Note that ``row`` (or the row it was made from) wrote ``key`` of ``table``."""
        targets = self.plan.targets[row.counted]
        if row.derived_from is None:
            targets.insert(0, (table, key))
        else:
            targets.append((table, key))


def kind_name(kind: str) -> str:
    """How the report names a kind of record ("taxonomy term")."""
    return _KIND_NAMES.get(kind, kind.replace("_", " "))


def plural(kind: str, count: int) -> str:
    """The kind's name for ``count`` records."""
    if count == 1:
        return kind_name(kind)
    return _PLURAL.get(kind, kind_name(kind) + "s")


def article(word: str) -> str:
    """"a" or "an" before ``word``."""
    return "an" if word[:1] in "aeiou" else "a"


def first_value(values: list[str] | None) -> str | None:
    """The first non-blank value of an extension attribute, stripped."""
    if not values:
        return None
    for value in values:
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def position_of(row: SourceRow) -> str:
    """Where ``row`` is, in words ("line 12" or a JSON pointer)."""
    where = row.origin.where
    return f"line {where}" if isinstance(where, int) else f"{where}"


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def short_key(key: str) -> str:
    """``key`` if it fits a source id, else its start and a hash of the whole."""
    if len(key) <= SOURCE_ID_MAX:
        return key
    return key[:160] + "~" + str(uuid.uuid5(uuid.NAMESPACE_URL, key))
