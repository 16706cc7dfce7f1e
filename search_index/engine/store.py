"""Opening the live index, and a pool of searchers that are refreshed, never reopened per query.

:func:`open_generation` opens a generation only when it is sound (schema version and fields as
this code's), else raises :class:`IndexUnavailable` and the caller rebuilds. :class:`SearcherPool`
hands a searcher to one thread at a time and keeps it, refreshed after a commit and replaced
after a rebuild. Refreshing goes through :func:`refresh_searcher`: Whoosh 2.7's
``Searcher.refresh()`` shows documents twice after a merge and old versions after an update
(reproduced in ``tests/test_index_store.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from search_index.engine.layout import Generation, IndexLayout
from search_index.engine.schema import SCHEMA_VERSION, build_schema

#: The field holding the service id (unique) in every document.
ID_FIELD = "id"


class IndexUnavailable(Exception):
    """There is no sound live index (missing, corrupt, or built for another schema version)."""


def create_index(path: Path) -> FileIndex:
    """A new, empty index with the current schema in ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(path), build_schema())


def open_index(path: str | Path) -> FileIndex:
    """The Whoosh index in ``path``, unchecked (a build in progress; see :func:`open_generation`)."""
    return whoosh_index.open_dir(str(path))


def build_meta(document_count: int, position: int) -> dict[str, object]:
    """The ``meta.json`` content of a generation built now."""
    return {
        "schema_version": SCHEMA_VERSION,
        "built_at": time.time(),
        "document_count": document_count,
        "journal_position": position,
    }


def open_generation(generation: Generation) -> FileIndex:
    """The Whoosh index of ``generation``, checked for schema version and readability."""
    meta = generation.meta()
    if meta is None:
        raise IndexUnavailable(f"{generation.path}: meta.json is missing or unreadable")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexUnavailable(
            f"{generation.path}: built for schema version {meta.get('schema_version')!r}, "
            f"this code uses {SCHEMA_VERSION!r}"
        )
    try:
        ix = open_index(generation.path)
        names = set(ix.schema.names())
        with ix.reader():
            pass
    except Exception as error:  # Whoosh raises many kinds on a damaged directory
        raise IndexUnavailable(f"{generation.path}: cannot be opened ({error!r})") from error
    if names != set(build_schema().names()):
        raise IndexUnavailable(f"{generation.path}: its fields differ from the current schema")
    return ix


def open_current(layout: IndexLayout) -> tuple[Generation, FileIndex]:
    """The live generation of ``layout`` and its index (:class:`IndexUnavailable` if none is sound)."""
    generation = layout.current()
    if generation is None:
        raise IndexUnavailable(f"{layout.root}: no index has been built")
    return generation, open_generation(generation)


def index_health(layout: IndexLayout) -> str | None:
    """None when the live index is sound, else why it is not."""
    try:
        open_current(layout)
    except IndexUnavailable as error:
        return str(error)
    return None


def refresh_searcher(ix: FileIndex, old: Searcher) -> Searcher:
    """A searcher on the latest commit of ``ix``, reusing the readers of ``old``'s segments still
    listed with the same deleted documents (the others are closed). OSError: a file went away."""
    toc = ix._read_toc()
    leaves: dict[str, IndexReader] = {}
    for leaf, _offset in old.reader().leaf_readers():
        segment = leaf.segment()
        if segment is not None:
            leaves[segment.segment_id()] = leaf
    readers: list[IndexReader] = []
    reused: set[int] = set()
    try:
        for segment in toc.segments:
            leaf = leaves.get(segment.segment_id())
            if leaf is not None and set(leaf.segment().deleted_docs()) == set(segment.deleted_docs()):
                leaf._gen = toc.generation  # type: ignore[attr-defined]
                readers.append(leaf)
                reused.add(id(leaf))
            else:
                readers.append(SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation))
    except BaseException:
        for reader in readers:
            if id(reader) not in reused:
                reader.close()
        raise
    for leaf in leaves.values():
        if id(leaf) not in reused:
            leaf.close()
    reader: IndexReader
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, fromindex=ix, weighting=old.weighting)


@dataclass
class _Pooled:
    generation: str
    index: FileIndex
    searcher: Searcher


class SearcherPool:
    """Searchers of one index directory, each used by one thread at a time; ``max_idle`` kept idle."""

    def __init__(self, layout: IndexLayout, max_idle: int = 4) -> None:
        self.layout = layout
        self.max_idle = max_idle
        self._idle: list[_Pooled] = []
        self._lock = threading.Lock()
        self._opened = 0
        self._refreshed = 0

    @property
    def stats(self) -> dict[str, int]:
        """How many searchers were opened and refreshed so far, and how many are idle."""
        with self._lock:
            return {"opened": self._opened, "refreshed": self._refreshed, "idle": len(self._idle)}

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Check out an up-to-date searcher for the ``with`` block (raises :class:`IndexUnavailable`)."""
        pooled = self._checkout()
        ok = False
        try:
            yield pooled.searcher
            ok = True
        finally:
            self._checkin(pooled, ok)

    def close(self) -> None:
        """Close every idle searcher."""
        with self._lock:
            idle, self._idle = self._idle, []
        for pooled in idle:
            _close_quietly(pooled.searcher)

    # Internals -------------------------------------------------------------------------------

    def _checkout(self) -> _Pooled:
        current = self.layout.current_name()
        with self._lock:
            pooled = self._idle.pop() if self._idle else None
        if pooled is not None and pooled.generation != current:
            _close_quietly(pooled.searcher)
            pooled = None
        if pooled is None:
            return self._open()
        return self._refresh(pooled)

    def _open(self, attempts: int = 5) -> _Pooled:
        last: Exception | None = None
        for attempt in range(attempts):
            generation, ix = open_current(self.layout)
            try:
                searcher = ix.searcher()
            except OSError as error:  # a commit removed files between listing and opening
                last = error
                time.sleep(0.01 * (attempt + 1))
                continue
            with self._lock:
                self._opened += 1
            return _Pooled(generation.name, ix, searcher)
        raise IndexUnavailable(f"{self.layout.root}: cannot open a searcher ({last!r})")

    def _refresh(self, pooled: _Pooled) -> _Pooled:
        try:
            if pooled.searcher.up_to_date():
                return pooled
            searcher = refresh_searcher(pooled.index, pooled.searcher)
        except OSError:
            _close_quietly(pooled.searcher)
            return self._open()
        with self._lock:
            self._refreshed += 1
        return _Pooled(pooled.generation, pooled.index, searcher)

    def _checkin(self, pooled: _Pooled, ok: bool) -> None:
        if ok:
            with self._lock:
                if len(self._idle) < self.max_idle:
                    self._idle.append(pooled)
                    return
        _close_quietly(pooled.searcher)


def _close_quietly(searcher: Searcher) -> None:
    with suppress(Exception):
        searcher.close()
