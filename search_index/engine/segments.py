"""Per-segment data read straight from a Whoosh segment, as numpy arrays, cached across searches.

Whoosh scores one posting at a time through layers of Python calls. Here a term's postings are
decoded a block at a time into arrays (BM25 tf part applied) and columns are parsed once, all
kept in bounded LRU caches keyed by the segment's id: a segment's files never change once
written, so an entry stays valid across commits (deletions are masked later, per reader).
Reading uses private attributes of Whoosh-Reloaded 2.7.5 (pinned in setup.cfg) and falls back
to the public APIs when they are absent; ``tests/test_engine_equivalence.py`` checks both.
"""

from __future__ import annotations

import json
import threading
from array import array
from contextlib import suppress
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_index.geo import parse_geo
from search_index.query.text_forms import two_deletions, with_deletions

#: BM25 parameters (the Okapi defaults).
K1 = 1.2
B = 0.75

#: Segments of at most this many documents keep their vocabulary in memory (``small_vocabulary``).
SMALL_SEGMENT = 2000

#: How many documents' stored fields are kept (those shown in results: a few KB each).
MAX_CACHED_DOCUMENTS = 20_000

#: How many postings the cache keeps in total, over all terms and segments (8 bytes each).
MAX_CACHED_POSTINGS = 8_000_000

Postings = tuple[np.ndarray, np.ndarray]  # (local doc numbers int32, BM25 tf parts float32)
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY: Postings = (EMPTY_IDS, np.zeros(0, dtype=np.float32))
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def segment_key(leaf: IndexReader) -> str:
    """A key naming ``leaf``'s segment for as long as it exists (its random Whoosh segment id),
    kept on the reader (a search asks for it about once per word and segment)."""
    key = getattr(leaf, "_kiosk_segment_key", None)
    if key is None:
        segment = leaf.segment()
        key = f"reader-{id(leaf)}" if segment is None else str(segment.segment_id())
        with suppress(AttributeError):
            leaf._kiosk_segment_key = key  # type: ignore[attr-defined]
    return key


class LRU:
    """A thread-safe LRU mapping bounded by the total "size" of its values."""

    def __init__(self, max_size: int) -> None:
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._max = max_size
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The value for ``key`` (now most recently used), or None."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def put(self, key: Any, value: Any, size: int = 1) -> None:
        """Keep ``value``, dropping the least recently used entries beyond the bound."""
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._data[key] = (value, size)
            self._size += size
            while self._size > self._max and len(self._data) > 1:
                _, (_, dropped) = self._data.popitem(last=False)
                self._size -= dropped

    def get_or_build(self, key: Any, build: Callable[[], Any], size: Callable[[Any], int] = lambda v: 1) -> Any:
        """The value for ``key``, built (outside the lock) and kept when absent."""
        value = self.get(key)
        if value is None:
            value = build()
            self.put(key, value, size(value))
        return value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()
            self._size = 0


_postings = LRU(MAX_CACHED_POSTINGS)
_columns = LRU(1024)
_stored = LRU(MAX_CACHED_DOCUMENTS)


def clear_caches(*, columns: bool = True) -> None:
    """Forget every cached posting list, stored document and (``columns``) column."""
    _postings.clear()
    _stored.clear()
    if columns:
        _columns.clear()


# -- postings ----------------------------------------------------------------------------------


def _raw_matcher(leaf: IndexReader, field: str, text: str) -> Any:
    """The segment's matcher for a term without the deleted-documents filter, or None (a term
    the segment lacks is found missing without the exception ``postings()`` raises: 2-3 times
    faster, and most of a word's fields lack it)."""
    terms = getattr(leaf, "_terms", None)
    try:
        if terms is not None:
            btext = leaf.schema[field].to_bytes(text)
            if (field, btext) not in terms:
                return None
            return terms.matcher(field, btext, leaf.schema[field].format)
        matcher = leaf.postings(field, text)
    except (TermNotFound, KeyError):
        return None
    if isinstance(matcher, FilterMatcher):  # the public reader's filter of deleted documents
        matcher = matcher.child
        matcher.reset()  # the filter moved it past the leading deleted ones
    return matcher


def _read_all(matcher: Any) -> tuple[array, array]:
    """All (doc number, weight) pairs of a matcher, a block at a time when possible."""
    ids = array("i")
    weights = array("f")
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_nextoffset"):
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _length_bytes(leaf: IndexReader, field: str) -> np.ndarray:
    """The segment's per-document encoded lengths of ``field`` (uint8, one per document)."""

    def build() -> np.ndarray:
        count = leaf.doc_count_all()
        data = b""
        perdoc = getattr(leaf, "_perdoc", None)
        name = f"_{field}_len"
        try:
            if perdoc is not None and perdoc.has_column(name):
                reader = perdoc.column_reader(name, LENGTHS_COLUMN)
                data = bytes(reader._dbfile.get(reader._basepos, reader._count))
        except AttributeError:
            perdoc = None
        if perdoc is None:
            data = bytes(length_to_byte(leaf.doc_field_length(d, field, 0) or 0) for d in range(count))
        values = np.zeros(count, dtype=np.uint8)
        raw = np.frombuffer(data, dtype=np.uint8)[:count]
        values[: raw.size] = raw
        return values

    return _columns.get_or_build((segment_key(leaf), field, "lengths"), build)


def _read_scored(leaf: IndexReader, field: str, text: str) -> Postings:
    """The segment's postings of ``field:text`` as (local doc numbers, BM25 tf parts
    ``tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl))``, the segment's own avgdl)."""
    matcher = _raw_matcher(leaf, field, text)
    if matcher is None:
        return EMPTY
    raw_ids, raw_weights = _read_all(matcher)
    ids = np.frombuffer(raw_ids, dtype=np.int32).copy() if raw_ids.itemsize == 4 else np.array(raw_ids, dtype=np.int32)
    tf = np.frombuffer(raw_weights, dtype=np.float32).astype(np.float64)
    count = max(leaf.doc_count_all(), 1)
    avgdl = (leaf.field_length(field) or 0) / count or 1.0
    lengths = _BYTE_LENGTHS[_length_bytes(leaf, field)[ids]]
    parts = (tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths / avgdl))).astype(np.float32)
    return ids, parts


@dataclass(frozen=True)
class WordPostings:
    """A word's postings in one segment over every ``(field, term)`` pair it is searched as,
    one pair after the other: ``pair`` says whose each posting is, ``counts`` each pair's
    document frequency (deleted documents included, as Whoosh's). Scoring a word is then one
    weighted ``bincount`` per segment."""

    ids: np.ndarray
    parts: np.ndarray
    pair: np.ndarray
    counts: np.ndarray


def word_postings(leaf: IndexReader, word: str, pairs: tuple[tuple[str, str], ...]) -> WordPostings:
    """The segment's :class:`WordPostings` of ``word`` searched as ``pairs`` (cached per segment)."""

    def build() -> WordPostings:
        vocabulary = small_vocabulary(leaf)
        read = [
            _read_scored(leaf, field, term) if vocabulary is None or (field, term) in vocabulary else EMPTY
            for field, term in pairs
        ]
        counts = np.array([ids.size for ids, _parts in read], dtype=np.int64)
        if not counts.any():
            return WordPostings(EMPTY_IDS, EMPTY[1], EMPTY_IDS, counts)
        return WordPostings(
            np.concatenate([ids for ids, _parts in read]),
            np.concatenate([parts for _ids, parts in read]),
            np.repeat(np.arange(len(pairs), dtype=np.int32), counts),
            counts,
        )

    return _postings.get_or_build((segment_key(leaf), "word", word, pairs), build, lambda r: int(r.counts.sum()) + 1)


def cached_word_postings(key: str, word: str, pairs: tuple[tuple[str, str], ...]) -> WordPostings | None:
    """:func:`word_postings` of the segment ``key`` if it is still cached, else None."""
    return _postings.get((key, "word", word, pairs))


def word_scores(leaf: IndexReader, word: str, pairs: tuple[tuple[str, str], ...],
                weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The segment's ``(local doc numbers, scores)`` of ``word`` with the pairs' ``weights``
    (field weight times rounded idf), cached per segment: after an edit only the new small
    segment's scores are computed."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        postings = word_postings(leaf, word, pairs)
        if not postings.ids.size:
            return EMPTY_IDS, EMPTY[1]
        dense = np.bincount(postings.ids, weights=postings.parts * weights[postings.pair],
                            minlength=leaf.doc_count_all())
        ids = np.flatnonzero(dense).astype(np.int32)
        return ids, dense[ids].astype(np.float32)

    key = (segment_key(leaf), "scores", word, pairs, weights.tobytes())
    return _postings.get_or_build(key, build, lambda r: r[0].size + 1)


def stored_fields(leaf: IndexReader, local: int) -> dict[str, Any]:
    """The stored fields of the segment's document ``local`` (cached; read-only by convention)."""
    return _stored.get_or_build((segment_key(leaf), local), lambda: _read_stored(leaf, local))


def _read_stored(leaf: IndexReader, local: int) -> dict[str, Any]:
    """``leaf.stored_fields(local)`` without its schema lookup per field (a fifth of a read)."""
    perdoc, fields = getattr(leaf, "_perdoc", None), getattr(leaf.schema, "_fields", None)
    if perdoc is None or fields is None or getattr(leaf.schema, "_dyn_fields", True) or leaf.is_closed:
        return leaf.stored_fields(local)
    return {name: value for name, value in (perdoc.stored_fields(local) or {}).items() if name in fields}


def small_vocabulary(leaf: IndexReader) -> frozenset[tuple[str, str]] | None:
    """Every ``(field, term)`` of a segment of at most :data:`SMALL_SEGMENT` documents, else None."""
    if leaf.doc_count_all() > SMALL_SEGMENT:
        return None

    def build() -> frozenset[tuple[str, str]]:
        return frozenset(
            (field, term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term))
            for field, term in leaf.all_terms()
        )

    return _columns.get_or_build((segment_key(leaf), "vocabulary"), build)


def doc_ids(leaf: IndexReader, field: str, text: str) -> np.ndarray:
    """The segment's local doc numbers holding ``field:text`` (deleted ones included)."""

    def build() -> np.ndarray:
        matcher = _raw_matcher(leaf, field, text)
        return np.array(_read_all(matcher)[0], dtype=np.int32) if matcher is not None else EMPTY_IDS

    return _postings.get_or_build((segment_key(leaf), field, text, False), build, lambda ids: ids.size + 1)


# -- columns -----------------------------------------------------------------------------------


def _numeric(leaf: IndexReader, field: str, default: int) -> np.ndarray:
    count = leaf.doc_count_all()
    values = np.full(count, default, dtype=np.int32)
    try:
        reader = leaf.column_reader(field, translate=False)
    except Exception:  # noqa: BLE001 - a segment without the column: every doc has the default
        return values
    try:
        size = reader._fixedlen
        raw = bytes(reader._dbfile.get(reader._basepos, reader._count * size))
        read = np.frombuffer(raw, dtype=np.dtype(reader._typecode).newbyteorder(">"))
    except AttributeError:
        read = np.array([reader[d] for d in range(count)])
    n = min(read.size, count)
    values[:n] = read[:n]
    return values


def _bytes_values(leaf: IndexReader, field: str) -> list[bytes]:
    count = leaf.doc_count_all()
    try:
        reader = leaf.column_reader(field, translate=False)
    except Exception:  # noqa: BLE001 - a segment without the column
        return [b""] * count
    return [reader[d] for d in range(count)]


def int_column(leaf: IndexReader, field: str, default: int) -> np.ndarray:
    """The segment's integer column ``field`` (int32, ``default`` where a document has none)."""
    return _columns.get_or_build((segment_key(leaf), field, "int"), lambda: _numeric(leaf, field, default))


def names(leaf: IndexReader) -> list[str]:
    """The segment's folded service names (``sort_name`` column)."""
    return _columns.get_or_build(
        (segment_key(leaf), "sort_name", "names"),
        lambda: [v.decode("utf-8", "ignore") for v in _bytes_values(leaf, "sort_name")],
    )


@dataclass(frozen=True)
class SegmentHours:
    """The segment's distinct opening-hours encodings and each document's index (-1: none)."""

    decoded: tuple[dict[str, Any], ...]
    groups: np.ndarray


def hours(leaf: IndexReader) -> SegmentHours:
    """The segment's opening hours, grouped by distinct encoding."""

    def build() -> SegmentHours:
        distinct: dict[bytes, int] = {}
        decoded: list[dict[str, Any]] = []
        values = _bytes_values(leaf, "hours_key")
        groups = np.full(len(values), -1, dtype=np.int32)
        for local, value in enumerate(values):
            if not value:
                continue
            index = distinct.get(value)
            if index is None:
                try:
                    parsed = json.loads(value)
                except ValueError:
                    continue
                index = distinct[value] = len(decoded)
                decoded.append(parsed)
            groups[local] = index
        return SegmentHours(tuple(decoded), groups)

    return _columns.get_or_build((segment_key(leaf), "hours_key", "hours"), build)


@dataclass(frozen=True)
class SegmentPoints:
    """The segment's points: latitude, longitude, local doc number, ZIP code and ``coarse`` of each."""

    lat: np.ndarray
    lon: np.ndarray
    doc: np.ndarray
    zips: tuple[str, ...]
    coarse: np.ndarray


def points(leaf: IndexReader, field: str = "geo") -> SegmentPoints:
    """The segment's points, from the ``geo`` column (public positions) or ``geo_exact``."""

    def build() -> SegmentPoints:
        found = [(lat, lon, local, zip_code, is_coarse)
                 for local, value in enumerate(_bytes_values(leaf, field)) if value
                 for lat, lon, zip_code, is_coarse in parse_geo(value)]
        lats, lons, docs, zips, coarse = zip(*found) if found else ((),) * 5
        return SegmentPoints(
            np.array(lats, dtype=np.float64),
            np.array(lons, dtype=np.float64),
            np.array(docs, dtype=np.int32),
            tuple(zips),
            np.array(coarse, dtype=bool),
        )

    return _columns.get_or_build((segment_key(leaf), field, "points"), build)


# -- vocabulary --------------------------------------------------------------------------------


def spelling_index(leaf: IndexReader) -> dict[str, tuple[str, ...]]:
    """The segment's ``spell`` words under themselves and each of their one-letter deletions."""

    def build() -> dict[str, tuple[str, ...]]:
        table: dict[str, list[str]] = {}
        try:
            terms = leaf.lexicon("spell")
        except Exception:  # noqa: BLE001 - no spell field in this segment
            return {}
        for raw in terms:
            word = raw.decode("utf-8", "ignore") if isinstance(raw, bytes) else str(raw)
            if len(word) < 3 or not word.isalpha():
                continue
            for key in with_deletions(word):
                table.setdefault(key, []).append(word)
        return {k: tuple(v) for k, v in table.items()}

    return _columns.get_or_build((segment_key(leaf), "spell", "deletes"), build)


def spelling_candidates(leaf: IndexReader, word: str, two_edits: bool) -> set[str]:
    """Words of the segment's vocabulary that may be within one edit (or two) of ``word``."""
    table = spelling_index(leaf)
    keys = two_deletions(word) if two_edits else with_deletions(word)
    found: set[str] = set()
    for key in keys:
        found.update(table.get(key, ()))
    return found
