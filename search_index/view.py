"""What one state of the index looks like to a search: documents, deletions and derived sets.

An :class:`IndexView` belongs to one *state* of an index (its folder, generation, segments and
their deletion counts). It maps segment-local doc numbers to the reader's global ones and keeps
the sets and tables that filters need (category and language sets, open-now sets per minute,
the geo grid, age exclusions, assured dates), built on first use. A commit gives a new state
and so a new view; views hold no reader, so they stay valid after a searcher is refreshed.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search_index import segments
from search_index.geo import GeoIndex, parse_geo
from search_index.hours import is_open

Leaves = list[tuple[IndexReader, int]]

#: How many index states keep a view (old generations are dropped first).
MAX_VIEWS = 4


def leaves_of(searcher: Searcher) -> Leaves:
    """The searcher's segment readers with their doc-number offsets."""
    reader = searcher.reader()
    return list(reader.leaf_readers())


def state_key(searcher: Searcher) -> tuple[Any, ...]:
    """A key that changes whenever what ``searcher`` can find changes (any commit)."""
    reader = searcher.reader()
    parts = []
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment()
        deleted = segment.deleted_count() if segment is not None else 0
        parts.append((segments.segment_key(leaf), offset, deleted))
    return (reader.generation(), tuple(parts))


class IndexView:
    """Global doc numbers, deletions and lazily built filter data of one index state."""

    def __init__(self, key: tuple[Any, ...], leaves: Leaves) -> None:
        self.key = key
        self.doc_count = sum(leaf.doc_count_all() for leaf, _ in leaves)
        deleted: set[int] = set()
        for leaf, offset in leaves:
            if leaf.has_deletions():
                deleted.update(offset + d for d in leaf.segment().deleted_docs())
        self.deleted = frozenset(deleted)
        self.live_count = self.doc_count - len(self.deleted)
        self._lock = threading.RLock()
        self._memo: dict[Any, Any] = {}
        self._sets: OrderedDict[Any, frozenset[int]] = OrderedDict()

    # -- memoisation -----------------------------------------------------------------------

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per view for ``key`` (thread-safe)."""
        value = self._memo.get(key)
        if value is None:
            with self._lock:
                value = self._memo.get(key)
                if value is None:
                    value = build()
                    self._memo[key] = value
        return value

    def _bounded_set(self, key: Any, build: Callable[[], frozenset[int]], limit: int = 256) -> frozenset[int]:
        with self._lock:
            found = self._sets.get(key)
            if found is not None:
                self._sets.move_to_end(key)
                return found
        value = build()
        with self._lock:
            self._sets[key] = value
            while len(self._sets) > limit:
                self._sets.popitem(last=False)
        return value

    # -- sets --------------------------------------------------------------------------------

    def all_docs(self) -> frozenset[int]:
        """Every live document."""
        return self.memo("all", lambda: frozenset(range(self.doc_count)) - self.deleted)

    def term_docs(self, leaves: Leaves, field: str, text: str) -> frozenset[int]:
        """The live documents holding ``field:text``."""

        def build() -> frozenset[int]:
            found: set[int] = set()
            for leaf, offset in leaves:
                ids = segments.doc_ids(leaf, field, text)
                found.update(ids if not offset else (offset + d for d in ids))
            return frozenset(found - self.deleted) if self.deleted else frozenset(found)

        return self._bounded_set(("term", field, text), build)

    # -- columns ---------------------------------------------------------------------------

    def ints(self, leaves: Leaves, field: str) -> array:
        """The integer column ``field`` over all documents, in global doc-number order."""

        def build() -> array:
            values = array("i")
            for leaf, _ in leaves:
                values.extend(segments.column(leaf, field, "int"))
            return values

        return self.memo(("ints", field), build)

    def names(self, leaves: Leaves) -> list[str]:
        """The folded names of all documents (for ordering a browse)."""

        def build() -> list[str]:
            names: list[str] = []
            for leaf, _ in leaves:
                names.extend(v.decode("utf-8", "ignore") for v in segments.column(leaf, "sort_name", "bytes"))
            return names

        return self.memo("names", build)

    def geo(self, leaves: Leaves) -> GeoIndex:
        """The points of every document, their grid and the ZIP centroids."""

        def build() -> GeoIndex:
            pairs = []
            for leaf, offset in leaves:
                for local, value in enumerate(segments.column(leaf, "geo", "bytes")):
                    docnum = offset + local
                    if value and docnum not in self.deleted:
                        pairs.append((docnum, parse_geo(value)))
            return GeoIndex.build(pairs)

        return self.memo("geo", build)

    def hours(self, leaves: Leaves) -> tuple[list[dict[str, Any]], dict[int, int]]:
        """The distinct opening-hours encodings and, per document that has one, its index."""

        def build() -> tuple[list[dict[str, Any]], dict[int, int]]:
            distinct: dict[bytes, int] = {}
            decoded: list[dict[str, Any]] = []
            groups: dict[int, int] = {}
            for leaf, offset in leaves:
                for local, value in enumerate(segments.column(leaf, "hours_key", "bytes")):
                    if not value:
                        continue
                    index = distinct.get(value)
                    if index is None:
                        try:
                            hours = json.loads(value)
                        except ValueError:
                            continue
                        index = distinct[value] = len(decoded)
                        decoded.append(hours)
                    groups[offset + local] = index
            return decoded, groups

        return self.memo("hours", build)

    def open_docs(self, leaves: Leaves, now: dt.datetime) -> frozenset[int]:
        """The live documents open at ``now`` (to the minute)."""
        minute = now.astimezone(dt.timezone.utc).replace(second=0, microsecond=0)

        def build() -> frozenset[int]:
            decoded, groups = self.hours(leaves)
            open_groups = {i for i, hours in enumerate(decoded) if is_open(hours, minute)}
            return frozenset(d for d, g in groups.items() if g in open_groups and d not in self.deleted)

        return self._bounded_set(("open", minute), build, limit=8)

    def open_flag(self, leaves: Leaves, docnum: int, now: dt.datetime) -> bool | None:
        """Whether one document is open at ``now``; None when it has no hours."""
        decoded, groups = self.hours(leaves)
        group = groups.get(docnum)
        if group is None:
            return None
        return bool(is_open(decoded[group], now))

    def age_excluded(self, leaves: Leaves, age: int) -> frozenset[int]:
        """The documents whose age limits exclude a person of ``age``."""

        def build() -> frozenset[int]:
            low = self.ints(leaves, "min_age")
            high = self.ints(leaves, "max_age")
            return frozenset(
                d
                for d in range(self.doc_count)
                if (low[d] >= 0 and age < low[d]) or (high[d] >= 0 and age > high[d])
            )

        return self._bounded_set(("age", age), build, limit=32)


_views: OrderedDict[tuple[Any, ...], IndexView] = OrderedDict()
_views_lock = threading.Lock()


def view_for(searcher: Searcher) -> tuple[IndexView, Leaves]:
    """The view of the index state ``searcher`` reads, and the searcher's leaves."""
    key = state_key(searcher)
    leaves = leaves_of(searcher)
    with _views_lock:
        view = _views.get(key)
        if view is not None:
            _views.move_to_end(key)
            return view, leaves
    view = IndexView(key, leaves)
    with _views_lock:
        view = _views.setdefault(key, view)
        while len(_views) > MAX_VIEWS:
            _views.popitem(last=False)
    return view, leaves
