"""A separate OS process for the multi-process index tests (``tests/test_index_processes.py``).

Run as ``python tests/index_child.py MODE --db URL --index DIR``. It uses the real search layer
exactly as a kiosk worker does (journal hooks, a :class:`Follower`, a :class:`SearcherPool`);
only the transport is a line protocol on stdin/stdout instead of HTTP.

``follow``: keeps the index current and answers commands, one per line:

* ``watch ID TOKEN`` -- print ``seen ID <epoch seconds>`` as soon as the document of service ID
  in this process's index has TOKEN in its name;
* ``rename ID NAME`` -- commit a rename of service ID (journaled, and applied to this process's
  index after the commit, as a request would) and print ``committed ID <epoch seconds>``;
* ``quit``.

``churn``: forever commits a few new services and applies the journal, printing ``applying N``
before each catch-up and ``applied N`` after; the parent kills it with SIGKILL at random moments.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory_data.db import make_engine, make_session_factory  # noqa: E402
from directory_data.models import Service  # noqa: E402
from search_factory import make_service  # noqa: E402
from search_index.upkeep.follower import Follower  # noqa: E402
from directory_data.journal import install_journal_hooks  # noqa: E402
from search_index.engine.layout import IndexLayout  # noqa: E402
from search_index.engine.store import IndexUnavailable, SearcherPool  # noqa: E402
from search_index.upkeep.sync import IndexSync  # noqa: E402


def say(*parts: object) -> None:
    print(*parts, flush=True)


def follow(url: str, index_dir: str, interval: float) -> None:
    factory = make_session_factory(make_engine(url))
    layout = IndexLayout(index_dir)
    follower = Follower(layout, factory, interval=interval)
    commit_times: list[float] = []
    # The first callback notes when the commit happened, before the follower applies it.
    install_journal_hooks(factory, on_commit=lambda _count: commit_times.append(time.time()))
    install_journal_hooks(factory, on_commit=follower.committed)
    pool = SearcherPool(layout)
    commands: queue.Queue[str] = queue.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    follower.start()
    follower.wait_ready(60.0)
    say("ready")
    watched: dict[str, str] = {}
    while True:
        try:
            while True:
                command = commands.get_nowait().split(" ", 2)
                if command[0] == "quit":
                    return
                if command[0] == "watch":
                    watched[command[1]] = command[2]
                elif command[0] == "rename":
                    with factory.begin() as session:
                        session.get(Service, command[1]).name = command[2]
                    say("committed", command[1], repr(commit_times[-1]))
        except queue.Empty:
            pass
        if watched:
            try:
                with pool.searcher() as searcher:
                    for service_id, token in list(watched.items()):
                        doc = searcher.document(id=service_id)
                        if doc is not None and token in str(doc.get("name", "")):
                            say("seen", service_id, repr(time.time()))
                            del watched[service_id]
            except IndexUnavailable:
                pass
        time.sleep(0.01)


def churn(url: str, index_dir: str, per_round: int) -> None:
    factory = make_session_factory(make_engine(url))
    install_journal_hooks(factory)
    sync = IndexSync(IndexLayout(index_dir), factory, batch=max(per_round // 3, 1))
    round_no = 0
    while True:
        round_no += 1
        with factory.begin() as session:
            for i in range(per_round):
                make_service(session, f"Churn {round_no}-{i}", description="churned service")
        say("applying", round_no)
        sync.catch_up(lock_timeout=30.0)
        say("applied", round_no)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["follow", "churn"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--per-round", type=int, default=60)
    args = parser.parse_args(argv)
    if args.mode == "follow":
        follow(args.db, args.index, args.interval)
    else:
        churn(args.db, args.index, args.per_round)


if __name__ == "__main__":
    main()
