"""Fault: a process SIGKILLed in the middle of an index write, at four exact points.

A real child process (``tests/fault_child.py``) commits an edit, starts applying the journal and
stops at a chosen point of the Whoosh commit (or of a full rebuild, before the swap), where this
test kills it with SIGKILL. Afterwards
the index opens, no lock is left held, and the next catch-up (any process's) applies the
committed edit exactly once: nothing lost, nothing duplicated. (``tests/test_index_processes.py``
also kills writers at random moments under load.)
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from search_factory import make_service
from search_index.upkeep.drift import find_drift
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import SearcherPool, index_health, open_current
from search_index.upkeep.sync import IndexSync

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("fault_child.py")


def _run_until(args: list[str], marker: str, timeout: float = 60.0) -> subprocess.Popen[str]:
    """Start the child and return once it printed ``marker`` (it then waits to be killed)."""
    proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    threading.Thread(target=lambda: [lines.put(line.strip()) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if line == marker:
            return proc
    proc.kill()
    raise AssertionError(f"the child never reached {marker!r}: {seen} {proc.stderr.read() if proc.stderr else ''}")


@pytest.mark.parametrize("point", ["segment", "toc", "committed", "cursor", "rebuild"])
def test_sigkill_during_an_index_write_loses_no_committed_edit(
    session_factory: sessionmaker[Session], database_url: str, tmp_path: Path, point: str
) -> None:
    install_journal_hooks(session_factory)
    with session_factory.begin() as session:
        ids = [make_service(session, f"Clinic {i}", description="walk-in clinic").id for i in range(5)]
    layout = IndexLayout(tmp_path / "index")
    rebuild_index(layout, session_factory)
    live = layout.current_name()
    name = f"Pangolin Clinic {point}"

    child = _run_until(["--db", database_url, "--index", str(layout.root), "--service", ids[2],
                        "--name", name, "--point", point], f"at {point}")
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert index_health(layout) is None  # the index opens
    generation, ix = open_current(layout)
    assert generation.sync_lock().is_free()
    whoosh_lock = ix.lock("WRITELOCK")
    assert whoosh_lock.acquire(), "the dead process left Whoosh's write lock held"
    whoosh_lock.release()

    if point == "rebuild":  # the old generation stays live; the orphaned build is cleared later
        assert layout.current_name() == live and layout.rebuild_lock().is_free()
        assert len(layout.generations()) == 2
    started = time.monotonic()
    result = IndexSync(layout, session_factory).catch_up(lock_timeout=0.0)  # the restarted process
    assert not result.busy and result.entries >= 1 and time.monotonic() - started < 10
    report = find_drift(layout, session_factory)
    assert report.clean, report.summary()
    with SearcherPool(layout).searcher() as searcher:
        assert searcher.document(id=ids[2])["name"] == name
        assert searcher.doc_count() == len(ids)
