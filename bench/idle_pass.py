"""CPU time of one idle pass of the journal reader (:class:`search_index.upkeep.follower.Follower`).

Every worker's reader makes a pass every ``SEARCH_POLL_INTERVAL`` seconds (0.25 by default) even
when nothing changed, holding the interpreter lock while it runs: the worker's requests wait for
it. Reported per pass in ms of CPU: the pass (``poll``), the journal read alone and opening the
live index (``index_health``, which a pass did every time until 2026-12-07 and now does only
when the live generation's files changed).

Measured 2026-12-07 on this 2-core machine (load average about 10 from other work), 10 passes:
an idle pass took 11.4 ms of CPU at 10,000 services and 98 ms at 100,000 before, 0.25 and 0.23
ms after (opening the index: 9 and 96 ms).

Runs on the databases and indexes ``bench/search.py --http`` keeps in its work folder (run that
first for each size)::

    python bench/idle_pass.py --sizes 10000 100000 --workdir /tmp/kiosk-search-bench

Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from directory_data.db import make_engine, make_session_factory  # noqa: E402
from search_index.engine.layout import IndexLayout  # noqa: E402
from search_index.engine.schema import SCHEMA_VERSION  # noqa: E402
from search_index.engine.store import index_health  # noqa: E402
from search_index.upkeep.follower import Follower  # noqa: E402

SEED = 7  # bench/search.py's


def cpu_ms(call: Callable[[], Any], times: int) -> float:
    """Mean CPU time of ``call`` in ms over ``times`` calls."""
    started = time.thread_time()
    for _ in range(times):
        call()
    return round((time.thread_time() - started) / times * 1000, 2)


def measure(home: Path, passes: int) -> dict[str, Any]:
    """Idle-pass costs on the database and index in ``home``."""
    engine = make_engine(f"sqlite:///{home / 'kiosk.db'}")
    follower = Follower(IndexLayout(home / "index"), make_session_factory(engine))
    try:
        for _ in range(3):  # start reading the journal; the next passes are idle
            follower.poll()
        return {"poll_ms": cpu_ms(follower.poll, passes),
                "journal_read_ms": cpu_ms(follower._read, passes),  # noqa: SLF001 - one part of a pass
                "index_health_ms": cpu_ms(lambda: index_health(follower.layout), passes)}
    finally:
        follower.stop()
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-search-bench"))
    parser.add_argument("--passes", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    report = {}
    for n in args.sizes:
        home = args.workdir / f"http-{n}-seed{SEED}-v{SCHEMA_VERSION}"
        if not (home / "ready").exists():
            raise SystemExit(f"{home}: run bench/search.py --http --sizes {n} --workdir {args.workdir} first")
        report[f"synthetic-{n}"] = measure(home, args.passes)
        print(json.dumps({f"synthetic-{n}": report[f"synthetic-{n}"]}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
