"""What one state of the index looks like to a search: documents, deletions and derived arrays.

An :class:`IndexView` belongs to one *state* of an index (generation, segments and their
deletion counts) and keeps what filters and ranking need as numpy arrays over its global doc
numbers, each built on first use from per-segment data (:mod:`search_index.engine.segments`).
Views hold no reader: they stay valid after a refresh.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search_index.engine import segments
from directory_data.distance import Point
from search_index.geo import GeoIndex
from search_index.hours import DEFAULT_TIMEZONE, MINUTES_PER_DAY, MINUTES_PER_WEEK, is_open, zone

Leaves = list[tuple[IndexReader, int]]
#: Weekly spans (start, end, group), time zones, each group's zone, groups needing the full rules.
Spans = tuple[np.ndarray, np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]

#: How many index states keep a view (old generations are dropped first).
MAX_VIEWS = 6


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, made read-only (kept arrays are shared between searches)."""
    array.setflags(write=False)
    return array


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
    """Global doc numbers, deletions and lazily built arrays of one index state."""

    def __init__(self, key: tuple[Any, ...], leaves: Leaves) -> None:
        self.key = key
        #: ``(segment key, offset, documents)`` of each segment, in order.
        self.segments = tuple((segments.segment_key(leaf), offset, leaf.doc_count_all()) for leaf, offset in leaves)
        self.doc_count = sum(count for _key, _offset, count in self.segments)
        live = np.ones(self.doc_count, dtype=bool)
        for leaf, offset in leaves:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
                live[deleted + offset] = False
        self.live = read_only(live)
        self.live_count = int(live.sum())
        self._lock = threading.RLock()
        self._memo: dict[Any, Any] = {}
        self._bounded = segments.LRU(192)
        self._vectors = segments.LRU(64)
        self._stats = segments.LRU(50_000)

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

    def bounded(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` kept in a bounded LRU of this view (for values keyed by user input)."""
        return self._bounded.get_or_build(key, build)

    def stat(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` kept in this view's large LRU of small values (document frequencies)."""
        return self._stats.get_or_build(key, build)

    def vector(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` kept in this view's small LRU of score vectors (word scores)."""
        return self._vectors.get_or_build(key, build)

    # -- stored fields ---------------------------------------------------------------------

    def stored_fields(self, leaves: Leaves, docnum: int) -> dict[str, Any]:
        """The stored fields of the document ``docnum`` (global), from the per-segment cache."""
        for leaf, offset in reversed(leaves):
            if docnum >= offset:
                return segments.stored_fields(leaf, docnum - offset)
        raise IndexError(docnum)

    # -- masks -----------------------------------------------------------------------------

    def holding(self, leaves: Leaves, terms: list[tuple[str, str]]) -> np.ndarray:
        """A boolean array: the live documents holding any of ``terms`` (``(field, text)``s)."""
        mask = np.zeros(self.doc_count, dtype=bool)
        for leaf, offset in leaves:
            for field, text in terms:
                ids = segments.doc_ids(leaf, field, text)
                if ids.size:
                    mask[ids + offset] = True
        mask &= self.live
        return read_only(mask)

    def term_mask(self, leaves: Leaves, field: str, text: str) -> np.ndarray:
        """A boolean array: the live documents holding ``field:text`` (kept)."""
        return self.bounded(("term", field, text), lambda: self.holding(leaves, [(field, text)]))

    def lexicon(self, leaves: Leaves, field: str) -> tuple[str, ...]:
        """Every term of ``field`` in the index, sorted."""

        def build() -> tuple[str, ...]:
            found: set[str] = set()
            for leaf, _ in leaves:
                try:
                    found.update(t.decode("utf-8") if isinstance(t, bytes) else t for t in leaf.lexicon(field))
                except Exception:  # noqa: BLE001 - the field has no terms in this segment
                    continue
            return tuple(sorted(found))

        return self.memo(("lexicon", field), build)

    # -- columns ---------------------------------------------------------------------------

    def ints(self, leaves: Leaves, field: str, default: int = 0) -> np.ndarray:
        """The integer column ``field`` over all documents, in global doc-number order."""

        def build() -> np.ndarray:
            parts = [segments.int_column(leaf, field, default) for leaf, _ in leaves]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

        return self.memo(("ints", field), build)

    def name_rank(self, leaves: Leaves) -> np.ndarray:
        """Each document's position in alphabetical order of the service names."""

        def build() -> np.ndarray:
            names: list[str] = []
            for leaf, _ in leaves:
                names.extend(segments.names(leaf))
            order = sorted(range(len(names)), key=names.__getitem__)
            rank = np.empty(len(names), dtype=np.int64)
            rank[np.array(order, dtype=np.int64)] = np.arange(len(names))
            return rank

        return self.memo("name-rank", build)

    def geo(self, leaves: Leaves, *, exact: bool = False) -> GeoIndex:
        """Every live point with its global doc number (``exact``: true positions, for officers)."""
        field = "geo_exact" if exact else "geo"

        def build() -> GeoIndex:
            lats, lons, docs, coarse, kept = [], [], [], [], []
            for leaf, offset in leaves:
                pts = segments.points(leaf, field)
                keep = self.live[pts.doc + offset] if pts.doc.size else np.zeros(0, dtype=bool)
                lats.append(pts.lat[keep])
                lons.append(pts.lon[keep])
                docs.append(pts.doc[keep] + offset)
                coarse.append(pts.coarse[keep])
                kept.append((pts.zips, keep))

            def zips() -> list[str]:
                return [z for names, keep in kept for z, k in zip(names, keep.tolist()) if k]

            cat = (lambda xs, t: np.concatenate(xs) if xs else np.zeros(0, dtype=t))  # noqa: E731
            return GeoIndex(cat(lats, np.float64), cat(lons, np.float64), cat(docs, np.int32),
                            cat(coarse, bool), self.doc_count, zips)

        return self.memo(("geo", field), build)

    def distances(self, leaves: Leaves, origin: Point, *, exact: bool = False) -> np.ndarray:
        """Each document's distance in km from ``origin`` (inf without a point), see :meth:`geo`."""
        key = ("distances", exact, round(origin[0], 5), round(origin[1], 5))
        return self.bounded(key, lambda: self.geo(leaves, exact=exact).distances(origin))

    def hours(self, leaves: Leaves) -> tuple[tuple[dict[str, Any], ...], np.ndarray]:
        """The distinct opening-hours encodings and each document's index into them (-1: none)."""

        def build() -> tuple[tuple[dict[str, Any], ...], np.ndarray]:
            decoded: list[dict[str, Any]] = []
            groups = []
            for leaf, _ in leaves:
                seg = segments.hours(leaf)
                shifted = np.where(seg.groups >= 0, seg.groups + len(decoded), -1).astype(np.int32)
                groups.append(shifted)
                decoded.extend(seg.decoded)
            all_groups = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int32)
            return tuple(decoded), all_groups

        return self.memo("hours", build)

    def _weekly_spans(self, leaves: Leaves) -> Spans:
        """The :data:`Spans` of every hours encoding."""

        def build() -> Spans:
            decoded, _ = self.hours(leaves)
            starts, ends, owners = [], [], []
            zones: dict[str, int] = {}
            group_zone = np.zeros(len(decoded), dtype=np.int32)
            complex_groups = np.zeros(len(decoded), dtype=bool)
            for g, hours in enumerate(decoded):
                group_zone[g] = zones.setdefault(str(hours.get("tz") or ""), len(zones))
                if hours.get("c") or hours.get("s") or any(len(span) > 2 for span in hours.get("w", ())):
                    complex_groups[g] = True
                    continue
                for span in hours.get("w", ()):
                    starts.append(span[0])
                    ends.append(span[1])
                    owners.append(g)
            return (
                np.array(starts, dtype=np.int32),
                np.array(ends, dtype=np.int32),
                np.array(owners, dtype=np.int32),
                list(zones),
                group_zone,
                complex_groups,
            )

        return self.memo("weekly-spans", build)

    def open_mask(self, leaves: Leaves, now: dt.datetime) -> np.ndarray:
        """A boolean array: the live documents open at ``now`` (to the minute)."""
        minute = now.astimezone(dt.timezone.utc).replace(second=0, microsecond=0)

        def build() -> np.ndarray:
            decoded, groups = self.hours(leaves)
            starts, ends, owners, zones, group_zone, complex_groups = self._weekly_spans(leaves)
            minute_of_week = np.zeros(len(zones), dtype=np.int32)
            for i, name in enumerate(zones):
                local = minute.astimezone(zone(name or DEFAULT_TIMEZONE))
                minute_of_week[i] = local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute
            group_open = np.zeros(len(decoded) + 1, dtype=bool)  # the extra last one: no hours
            if owners.size:
                m = minute_of_week[group_zone[owners]]
                inside = ((starts <= m) & (m < ends)) | ((starts <= m + MINUTES_PER_WEEK) & (m + MINUTES_PER_WEEK < ends))
                group_open[owners[inside]] = True
            for g in np.flatnonzero(complex_groups):
                group_open[g] = bool(is_open(decoded[g], minute))
            return read_only(group_open[groups] & self.live)  # index -1 is the trailing False

        return self.bounded(("open", minute), build)

    def open_flag(self, leaves: Leaves, docnum: int, now: dt.datetime) -> bool | None:
        """Whether one document is open at ``now``; None when it has no hours."""
        decoded, groups = self.hours(leaves)
        if docnum >= groups.size or groups[docnum] < 0:
            return None
        return bool(is_open(decoded[int(groups[docnum])], now))

    def age_mask(self, leaves: Leaves, age: int) -> np.ndarray:
        """A boolean array: the documents whose age limits admit a person of ``age``."""

        def build() -> np.ndarray:
            low = self.ints(leaves, "min_age", -1)
            high = self.ints(leaves, "max_age", -1)
            return read_only(((low < 0) | (low <= age)) & ((high < 0) | (high >= age)))

        return self.bounded(("age", age), build)


_views: OrderedDict[tuple[Any, ...], IndexView] = OrderedDict()
_views_lock = threading.Lock()


def view_for(searcher: Searcher) -> tuple[IndexView, Leaves]:
    """The view of the index state ``searcher`` reads, and the searcher's leaves."""
    key = state_key(searcher)
    leaves: Leaves = list(searcher.reader().leaf_readers())
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
