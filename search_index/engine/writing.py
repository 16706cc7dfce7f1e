"""Writing with Whoosh's ``SegmentWriter``: taken and given up safely, and segments written apart.

:func:`open_writer` and :func:`abandon_writer` wrap the writer of a journal catch-up.
:class:`NewSegment` writes one segment of a build directory without listing it, and
:func:`list_segments` joins segments written by several processes in one table of contents, as
Whoosh's ``MpWriter(multisegment=True)`` does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import FileIndex, LockError
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from search_index.engine.store import open_index

log = logging.getLogger(__name__)

__all__ = ["NewSegment", "Segment", "abandon_writer", "list_segments", "open_writer"]


def open_writer(ix: FileIndex, timeout: float) -> SegmentWriter:
    """``ix.writer(timeout=...)`` that never leaves Whoosh's write lock held when creating the
    segment's files fails (a full disk): Whoosh releases it only when the half-made writer is
    garbage collected, which a kept traceback postpones for ever."""
    lock = ix.lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=timeout, delay=0.1):
        raise LockError(f"{ix.storage}: the Whoosh write lock is held")
    try:
        writer = SegmentWriter(ix, _lk=False)
    except BaseException:
        lock.release()
        raise
    writer.writelock = lock  # commit() and cancel() release it
    return writer


def abandon_writer(writer: SegmentWriter) -> None:
    """Give up ``writer`` after a failure: close it, release its lock."""
    lock = writer.writelock
    try:
        if not writer.is_closed:
            writer.cancel()
    except Exception:  # noqa: BLE001 - the original error is what matters
        log.debug("cancelling a failed index writer failed", exc_info=True)
    finally:
        if lock is not None and getattr(lock, "fd", None) is not None:
            lock.release()


def rebuild_codec() -> W3Codec:
    """Whoosh's W3 codec for a rebuild's segments: uncompressed postings blocks (zlib took a
    fifth of a worker's CPU with the grouped writer this module's writers replaced, for postings
    a third smaller) and no per-block length statistics (``SegmentWriter`` reads
    ``codec.length_stats``; only Whoosh's own block pruning uses them)."""
    codec = W3Codec(compression=0)
    codec.length_stats = False
    return codec


class NewSegment:
    """One new segment of the index in ``folder``, written without the index's lock and not
    listed (another process may list it)."""

    def __init__(self, folder: str | Path) -> None:
        self._writer = SegmentWriter(open_index(folder), _lk=False, codec=rebuild_codec())
        self.documents = 0

    def add(self, doc: Mapping[str, Any]) -> None:
        """Add one document (field name -> value)."""
        self._writer.add_document(**doc)
        self.documents += 1

    def finish(self) -> Segment | None:
        """Write the segment's files; return the segment (None, and nothing written, when empty)."""
        if not self.documents:
            self.abandon()
            return None
        return self._writer._finalize_segment()

    def abandon(self) -> None:
        """Close the segment's files without finishing it."""
        self._writer._close_segment()


def list_segments(folder: str | Path, segments: Sequence[Segment]) -> None:
    """Commit a table of contents of the index in ``folder`` listing exactly ``segments``."""
    writer = open_index(folder).writer()
    writer._close_segment()
    writer._commit_toc(list(segments))
    writer._finish()
