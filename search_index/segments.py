"""Per-segment data read straight from a Whoosh segment and cached across searches.

Whoosh's matcher tree scores one posting at a time through several layers of Python calls;
that is what makes a bare query slow on a large index. Here a term's postings are decoded a
block at a time into arrays, with the BM25 term-frequency part already applied, and kept in a
bounded LRU cache keyed by the segment's id. A segment's files never change once written
(deletions are recorded beside it), so an entry stays valid for as long as the segment exists,
across commits; deleted documents are dropped later, per reader.

Columns (ages, assured date, hours, points, names) are loaded the same way: once per segment.

Reading uses a few private attributes of Whoosh-Reloaded 2.7.5 (pinned exactly in setup.cfg)
for speed, and falls back to the public matcher and column APIs whenever they are absent.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import byte_to_length

#: BM25 parameters (the Okapi defaults).
K1 = 1.2
B = 0.75

#: How many postings the cache keeps in total, over all terms and segments.
MAX_CACHED_POSTINGS = 6_000_000

Postings = tuple[array, array]  # (local doc numbers 'i', BM25 tf parts 'f')
EMPTY: Postings = (array("i"), array("f"))


def segment_key(leaf: IndexReader) -> str:
    """A key naming ``leaf``'s segment for as long as it exists (its files never change)."""
    segment = leaf.segment()
    if segment is None:
        return f"reader-{id(leaf)}"
    storage = leaf.storage()
    folder = getattr(storage, "folder", None) or id(storage)
    return f"{folder}/{segment.segment_id()}"


class _LRU:
    """A thread-safe LRU mapping bounded by the total "size" of its values."""

    def __init__(self, max_size: int) -> None:
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._max = max_size
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._data[key] = (value, size)
            self._size += size
            while self._size > self._max and len(self._data) > 1:
                _, (_, dropped) = self._data.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._size = 0


_postings = _LRU(MAX_CACHED_POSTINGS)
_columns = _LRU(512)
_lengths = _LRU(512)


def clear_caches() -> None:
    """Forget every cached posting list and column (tests, memory pressure)."""
    _postings.clear()
    _columns.clear()
    _lengths.clear()


def _raw_matcher(leaf: IndexReader, field: str, text: str) -> Any:
    """The segment's matcher for a term without the deleted-documents filter, or None."""
    terms = getattr(leaf, "_terms", None)
    try:
        if terms is not None:
            btext = leaf.schema[field].to_bytes(text)
            if (field, btext) not in terms:
                return None
            return terms.matcher(field, btext, leaf.schema[field].format)
        return leaf.postings(field, text)
    except (TermNotFound, KeyError):
        return None


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
    plain_ids = getattr(matcher, "_ids", None)
    if plain_ids is not None and type(matcher).__name__ == "ListMatcher":
        ids.extend(plain_ids)
        raw = matcher._weights
        weights.extend(raw if raw is not None else [1.0] * len(plain_ids))
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _length_bytes(leaf: IndexReader, field: str) -> bytes:
    """The segment's per-document length bytes of ``field`` (Whoosh's encoded lengths)."""
    key = (segment_key(leaf), field)
    cached = _lengths.get(key)
    if cached is not None:
        return cached
    count = leaf.doc_count_all()
    data = b""
    perdoc = getattr(leaf, "_perdoc", None)
    name = f"_{field}_len"
    try:
        if perdoc is not None and perdoc.has_column(name):
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN

            reader = perdoc.column_reader(name, LENGTHS_COLUMN)
            data = bytes(reader._dbfile.get(reader._basepos, reader._count))
    except (AttributeError, ImportError):
        data = b""
    if len(data) < count and not data:
        from whoosh.util.numeric import length_to_byte

        data = bytes(length_to_byte(leaf.doc_field_length(d, field, 0) or 0) for d in range(count))
    if len(data) < count:
        data = data + bytes(count - len(data))
    _lengths.put(key, data, 1)
    return data


def _norm_table(leaf: IndexReader, field: str) -> list[float]:
    """``K1 * (1 - B + B * length / avgdl)`` for each of the 256 encoded lengths."""
    count = max(leaf.doc_count_all(), 1)
    avgdl = (leaf.field_length(field) or 0) / count or 1.0
    return [K1 * (1 - B + B * byte_to_length(lb) / avgdl) for lb in range(256)]


def scored_postings(leaf: IndexReader, field: str, text: str) -> Postings:
    """The segment's postings of ``field:text`` as (local doc numbers, BM25 tf parts).

    The tf part is ``tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl))``; the caller
    multiplies it by the term's idf and the field's weight.
    """
    key = (segment_key(leaf), field, text, True)
    cached = _postings.get(key)
    if cached is not None:
        return cached
    matcher = _raw_matcher(leaf, field, text)
    if matcher is None:
        _postings.put(key, EMPTY, 1)
        return EMPTY
    ids, weights = _read_all(matcher)
    lengths = _length_bytes(leaf, field)
    table = _norm_table(leaf, field)
    k1p = K1 + 1
    parts = array("f", [w * k1p / (w + table[lengths[d]]) for d, w in zip(ids, weights)])
    result = (ids, parts)
    _postings.put(key, result, len(ids) + 1)
    return result


def doc_ids(leaf: IndexReader, field: str, text: str) -> array:
    """The segment's local doc numbers holding ``field:text`` (deleted ones included)."""
    key = (segment_key(leaf), field, text, False)
    cached = _postings.get(key)
    if cached is not None:
        return cached
    matcher = _raw_matcher(leaf, field, text)
    ids = _read_all(matcher)[0] if matcher is not None else array("i")
    _postings.put(key, ids, len(ids) + 1)
    return ids


def _numeric(leaf: IndexReader, field: str, default: int) -> array:
    count = leaf.doc_count_all()
    try:
        reader = leaf.column_reader(field, translate=False)
    except Exception:  # noqa: BLE001 - a segment without the column: every doc has the default
        return array("i", [default]) * count
    values = array("i")
    try:
        size = reader._fixedlen
        raw = reader._dbfile.get(reader._basepos, reader._count * size)
        values = array(reader._typecode)
        values.frombytes(bytes(raw))
        if sys.byteorder == "little":
            values.byteswap()
        if values.typecode != "i":
            values = array("i", values)
    except AttributeError:
        values = array("i", (reader[d] for d in range(count)))
    if len(values) < count:
        values.extend([default] * (count - len(values)))
    return values


def _bytes_values(leaf: IndexReader, field: str) -> list[bytes]:
    count = leaf.doc_count_all()
    try:
        reader = leaf.column_reader(field, translate=False)
    except Exception:  # noqa: BLE001 - a segment without the column
        return [b""] * count
    return [reader[d] for d in range(count)]


def column(leaf: IndexReader, field: str, kind: str) -> Any:
    """The segment's whole column ``field``: ``kind`` ``"int"`` gives an ``array('i')`` (missing
    values -1 for ages, 0 otherwise), ``"bytes"`` a list of bytes, one item per document."""
    key = (segment_key(leaf), field, kind)
    cached = _columns.get(key)
    if cached is not None:
        return cached
    loader: Callable[[], Any]
    if kind == "int":
        default = -1 if field in ("min_age", "max_age") else 0
        loader = lambda: _numeric(leaf, field, default)  # noqa: E731
    else:
        loader = lambda: _bytes_values(leaf, field)  # noqa: E731
    value = loader()
    _columns.put(key, value, 1)
    return value
