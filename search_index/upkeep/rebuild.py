"""Full rebuild: a new generation built beside the live one, then swapped in atomically.

(DESIGN.md example 6: moin's ``rebuild(tmp)`` and ``move_index``.) Under ``rebuild.lock``: note
the journal's end *before* reading any service; write every service into ``build-<random>/``
(with many, in worker processes each writing its own segment, joined in one table of contents
as Whoosh's ``MpWriter`` does); rename it to ``gen-...``, apply the journal entries committed
meanwhile, switch ``CURRENT`` and delete retired generations. A rebuild killed half-way leaves
only a ``build-...`` directory, removed later.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from directory_data.db import make_engine, make_session_factory
from directory_data.models import Service
from directory_data.service_rows import load_listing_range
from search_index.upkeep.cursor import JournalCursor
from search_index.documents import service_document
from search_index.hours import DEFAULT_TIMEZONE
from search_index.engine.integrity import record_checksums
from search_index.engine.layout import Generation, IndexLayout
from search_index.engine.locking import LockTimeout
from search_index.engine.store import build_meta, create_index, index_health, open_index
from search_index.engine.writing import NewSegment, Segment, list_segments
from search_index.upkeep.sync import IndexSync, write_cursor

log = logging.getLogger(__name__)

#: Below this many services a rebuild runs in this process (starting workers costs ~1 s;
#: Miami's 4,089 services built in 5.2 s with two workers against 6.9 s in one process, with
#: the grouped writer since removed; with Whoosh's on a machine whose cores were busy with other
#: jobs, one process took 8.5-17 s and two 12-24 s: the second worker pays on a free core).
PARALLEL_MIN = 2000

#: Services loaded per query batch while building.
LOAD_BATCH = 500

#: The garbage collector runs once every this many loaded ranges during a rebuild.
GC_EVERY = 20

@dataclass
class RebuildReport:
    """What a rebuild produced."""

    generation: str
    documents: int
    seconds: float
    processes: int
    position: int
    catch_up_entries: int
    size_bytes: int

    def summary(self) -> str:
        """The report in one line."""
        return (
            f"rebuilt {self.generation}: {self.documents} documents in {self.seconds:.1f} s "
            f"with {self.processes} writer process(es), {self.size_bytes / 1e6:.1f} MB, "
            f"journal position {self.position}"
        )


@dataclass(frozen=True)
class SegmentTask:
    """One worker's share of a rebuild: write the services of the id ``ranges`` into ``build_dir``."""

    database_url: str
    build_dir: str
    ranges: tuple[tuple[str, str], ...]
    timezone: str


@dataclass(frozen=True)
class SegmentResult:
    """What one worker wrote: its segment (None when empty) and how many documents."""

    segment: Segment | None
    documents: int


def id_ranges(ids: Sequence[str], size: int = LOAD_BATCH) -> list[tuple[str, str]]:
    """Consecutive inclusive ``(low, high)`` ranges of the sorted ``ids``, ``size`` ids each."""
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def default_processes() -> int:
    """Writer processes for a parallel rebuild: one per CPU, at least 2."""
    return max(2, os.cpu_count() or 1)


def database_url_of(session_factory: sessionmaker[Session]) -> str | None:
    """The URL (password included) worker processes can connect with, or None for an in-memory DB."""
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, Engine):
        return None
    url = bind.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def rebuild_index(
    layout: IndexLayout,
    session_factory: sessionmaker[Session],
    *,
    processes: int | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    lock_timeout: float = 600.0,
    if_needed: bool = False,
) -> RebuildReport | None:
    """Rebuild the index of ``layout`` from the database and swap it in (see the module docstring).

    ``processes``: writer processes (default: :func:`default_processes`, 1 below
    :data:`PARALLEL_MIN` services). :class:`LockTimeout` when another rebuild holds the directory
    for ``lock_timeout`` seconds. ``if_needed``: return None, doing nothing, when the live index
    is sound once the lock is held (processes finding no index at once build it once).
    """
    started = time.monotonic()
    lock = layout.rebuild_lock()
    if not lock.acquire(lock_timeout):
        raise LockTimeout(f"another rebuild of {layout.root} is running")
    try:
        if if_needed and index_health(layout) is None:
            return None
        layout.remove_retired(rebuild_lock_held=True)
        with session_factory() as session:
            cursor = JournalCursor.start(session)
            ids = list(session.scalars(select(Service.id).order_by(Service.id)))
        build_dir = layout.new_build_dir()
        create_index(build_dir)
        url = database_url_of(session_factory)
        workers = processes if processes is not None else (
            default_processes() if len(ids) >= PARALLEL_MIN else 1
        )
        if workers > 1 and url is not None and len(ids) >= workers:
            results = _build_parallel(build_dir, url, ids, workers, timezone)
        else:
            workers = 1
            results = [write_segment(str(build_dir), session_factory, tuple(id_ranges(ids)), timezone)]
        list_segments(build_dir, [r.segment for r in results if r.segment is not None])
        documents = sum(r.documents for r in results)
        record_checksums(open_index(build_dir))
        write_cursor(Generation(build_dir), cursor)
        generation = layout.complete_build(build_dir, build_meta(documents, cursor.position))
        sync = IndexSync(layout, session_factory, timezone=timezone)
        caught_up = sync.catch_up_generation(generation, lock_timeout=lock_timeout)
        layout.swap(generation)
        layout.remove_retired(rebuild_lock_held=True)
        report = RebuildReport(
            generation=generation.name,
            documents=documents + caught_up.written - caught_up.deleted,
            seconds=time.monotonic() - started,
            processes=workers,
            position=caught_up.position or cursor.position,
            catch_up_entries=caught_up.entries,
            size_bytes=layout.size_bytes(),
        )
    finally:
        lock.release()
    log.info("%s", report.summary())
    return report


def rebuild_documents(
    session: Session, ranges: Sequence[tuple[str, str]], timezone: str
) -> Iterator[dict[str, object]]:
    """The documents of the services in the id ``ranges`` that belong in the index; the cyclic
    garbage collector runs every :data:`GC_EVERY` ranges instead (it doubled loading's cost)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        for k, (low, high) in enumerate(ranges, start=1):
            for service in load_listing_range(session, low, high):
                yield service_document(service, default_timezone=timezone)
            if k % GC_EVERY == 0:
                gc.collect()
    finally:
        if enabled:
            gc.enable()


def _build_parallel(
    build_dir: Path, url: str, ids: Sequence[str], workers: int, timezone: str
) -> list[SegmentResult]:
    """The segments of ``ids`` written by ``workers`` processes (not yet listed)."""
    size = -(-len(ids) // workers)
    tasks = [
        SegmentTask(url, str(build_dir), tuple(id_ranges(ids[i : i + size])), timezone)
        for i in range(0, len(ids), size)
    ]
    method = start_method()
    context = multiprocessing.get_context(method)
    with _frozen_heap(method == "fork"), context.Pool(processes=len(tasks)) as pool:
        return pool.map(build_segment, tasks, chunksize=1)


@contextlib.contextmanager
def _frozen_heap(freeze: bool) -> Iterator[None]:
    """While worker processes are forked: this process's objects out of the garbage collector's
    sight (``gc.freeze``), so the workers' collections do not walk, and copy, the pages they
    inherited (on Miami after an import, the workers' CPU is 1.5 times higher without it)."""
    if not freeze:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_method() -> str:
    """``fork`` when this process runs a single thread (a CLI command), else ``spawn``: forking
    a process with other threads can copy a lock some thread holds. Workers never use the
    parent's database connections: each opens its own engine."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def build_segment(task: SegmentTask) -> SegmentResult:
    """Worker process: :func:`write_segment` of ``task``, with its own database engine."""
    engine = make_engine(task.database_url, poolclass=NullPool)
    try:
        return write_segment(task.build_dir, make_session_factory(engine), task.ranges, task.timezone)
    finally:
        engine.dispose()


def write_segment(
    build_dir: str, session_factory: sessionmaker[Session], ranges: Sequence[tuple[str, str]], timezone: str
) -> SegmentResult:
    """Write the services of the id ``ranges`` into one new, not yet listed segment of ``build_dir``."""
    segment = NewSegment(build_dir)
    try:
        with session_factory() as session:
            for doc in rebuild_documents(session, ranges, timezone):
                segment.add(doc)
        return SegmentResult(segment.finish(), segment.documents)
    except BaseException:
        segment.abandon()
        raise
