"""Load benchmark: ``kiosk serve`` (gunicorn) on a 10,000-service directory on PostgreSQL.

What it does (not a test; run it when the machine is quiet, ``uptime``):

1. builds, or reuses, a synthetic directory of ``--services`` services in ``--db``
   (``bench/search_corpus.py`` through ``bench/rebuild.py``'s bulk INSERTs), a caseworker
   account, and the host's index (in ``--workdir``);
2. starts ``kiosk serve --workers W --threads T`` on a free loopback port;
3. per run: an **open loop** of ``--rate`` requests per second (Poisson arrivals) for
   ``--duration`` seconds over a realistic mix (API searches, unique and repeated, with filters;
   kiosk results pages; home, detail and welcome pages), then a **closed loop** of search requests
   only at rising concurrency to find the saturation throughput. Meanwhile a caseworker saves an
   edit of a different listing every second through the workspace over HTTP;
4. after each run, checks every edit is in the database and found by ``/api/v1/search`` on every
   worker (``X-Served-By``);
5. reports requests per second, p50/p95/p99, errors, the CPU used by the driver (this process),
   by gunicorn and by the machine, and the load average; medians over ``--runs``.

Usage::

    .venv/bin/python bench/load.py                          # 3 runs, 100 req/s for 60 s
    .venv/bin/python bench/load.py --runs 1 --duration 20 --json load.json

Exits 1 when a target is missed (open loop p99 < 150 ms with 0 errors; saturation >= 200
search req/s; every edit in the database and every worker's index).

Measured on this 2-core machine, 2026-12-03 21:17-21:24 UTC, quiet (load average 1.1 when the
first run started; the later runs start after the previous closed loop), defaults (3 workers x 4
threads), 10,000 services on PostgreSQL, medians of 3 runs:

* open loop 100 req/s for 60 s: 99.8 req/s served, p50 10.3 / p95 43.4 / p99 79.4 ms, 0 errors
  (runs: p99 123.0 / 73.2 / 79.4 ms); the server used 0.87 cores, the driver 0.07;
* closed loop, searches only: saturation 450.3 req/s (runs 462.2 / 389.8 / 450.3; p99 at c=4
  35-52 ms);
* 285 edits saved over HTTP (0 failed, save p50 238-335 ms), all 285 in the database and found
  by all 3 workers.

Earlier sets the same evening: p99 90.9 ms / saturation 364.1 (20:08, before the heap keeper),
120.6 / 414.0 (20:29) and 128.5 / 438.7 (20:36); the spread between runs on this shared VM is
large (p99 63-158 ms over those 12 runs).

What got it there, each measured with this benchmark: a new worker reads the postings of the
common words and renders its pages in its warm-up (before, a worker's first searches took
0.3-1.4 s while it read postings from the index files, and its first results page compiled its
templates; run 1 of every set paid for it: p99 195-465 ms); listing caches follow the change
journal instead of asking the database per request; full collections walk only what is new
(``kiosk/heap.py``). Without edits
the open-loop p99 is about 50 ms: most of the slowest 1 % are requests in flight while an edit
is saved and picked up by the other workers (the per-kind line says how many).

Earlier sets (2026-11-22, with other engineers' tests keeping the machine 98-100 % busy): open
loop p99 1,364 and 1,765 ms, saturation 173.5 and 234.7 search req/s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from load_driver import RunStats, closed_loop, open_loop  # noqa: E402
from load_mix import Editor, RequestMix, machine_cpu, process_cpu, verify_edits  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/kiosk_load"
CASEWORKER = "load.caseworker"
PASSWORD = "load benchmark passphrase"
TARGET_P99_MS = 150.0
TARGET_SATURATION = 200.0


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{parsed.database}"')


def prepare(url: str, services: int, home: Path) -> list[str]:
    """Directory, caseworker and index ready; the ids of the services the editor may change."""
    from rebuild import populate
    from sqlalchemy import select

    from directory_data import migrate
    from directory_data.accounts import add_user
    from directory_data.db import make_engine, make_session_factory
    from directory_data.models import Role, Service, User
    from search_index.upkeep.follower import bring_up_to_date
    from search_index.engine.layout import IndexLayout

    if url.startswith("postgresql"):
        ensure_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    started = time.monotonic()
    added = populate(factory, services)
    if added:
        print(f"directory: added {added} synthetic services ({time.monotonic() - started:.0f} s)")
    with factory() as session:
        if session.scalar(select(User).where(User.name == CASEWORKER)) is None:
            add_user(session, CASEWORKER, PASSWORD, Role.caseworker)
            session.commit()
        ids = list(session.scalars(select(Service.id).where(Service.source == "synthetic").order_by(Service.id)))
    started = time.monotonic()
    print(f"index: {bring_up_to_date(IndexLayout(home / 'index'), factory)} ({time.monotonic() - started:.0f} s)")
    engine.dispose()
    return ids


def wait_idle(host: Any, timeout: float = 300.0) -> None:
    """Wait until the workers have finished warming up (index, listing caches): idle for 2 s."""
    started = time.monotonic()
    quiet = 0
    before = process_cpu(sorted(host.worker_pids()))
    while quiet < 2 and time.monotonic() - started < timeout:
        time.sleep(1.0)
        now = process_cpu(sorted(host.worker_pids()))
        quiet = quiet + 1 if now - before < 0.1 else 0
        before = now
    print(f"workers warm after {time.monotonic() - started:.0f} s")


def run_once(host: Any, mix: RequestMix, editor: Editor, args: argparse.Namespace, run: int) -> dict[str, Any]:
    """One open-loop run and one closed-loop ramp, with edits; the figures."""
    result: dict[str, Any] = {"run": run, "load_before": os.getloadavg()}
    pids = [host.proc.pid, *host.worker_pids()]
    server0, machine0 = process_cpu(pids), machine_cpu()
    editor.start()
    stats = open_loop("127.0.0.1", host.port, mix.any, rate=args.rate, seconds=args.duration, seed=run,
                      label=f"open loop {args.rate:g}/s")
    server1, machine1 = process_cpu(pids), machine_cpu()
    result["open"] = _with_cpu(stats, server1 - server0, _delta(machine1, machine0))
    slowest = stats.slowest()
    result["open"]["slowest_1pct_near_edit"] = [editor.overlapping(slowest), len(slowest)]
    result["open"]["slowest_1pct"] = [(round(arrival - stats.started, 2), kind, round(ms))
                                      for arrival, kind, ms in sorted(slowest)]
    result["open"]["saves"] = [(round(a - stats.started, 2), round((b - a) * 1000))
                               for a, b in editor.windows if a < stats.started + stats.seconds]
    ramp = []
    for concurrency in args.concurrency:
        server0, machine0 = process_cpu(pids), machine_cpu()
        stats = closed_loop("127.0.0.1", host.port, mix.search, concurrency=concurrency,
                            seconds=args.closed_duration, label="searches")
        ramp.append(_with_cpu(stats, process_cpu(pids) - server0, _delta(machine_cpu(), machine0)))
    result["closed"] = ramp
    result["saturation_rps"] = max(step["rps"] for step in ramp if step["errors"] == 0) if any(
        step["errors"] == 0 for step in ramp) else 0.0
    result["edits"] = editor.stop()
    result["verify"] = verify_edits(host, editor, args.db)
    result["load_after"] = os.getloadavg()
    return result


def _delta(after: tuple[float, float], before: tuple[float, float]) -> tuple[float, float]:
    return after[0] - before[0], after[1] - before[1]


def _with_cpu(stats: RunStats, server_s: float, machine: tuple[float, float]) -> dict[str, Any]:
    out = stats.summary()
    busy, total = machine
    out["server_cores"] = round(server_s / stats.seconds, 2) if stats.seconds else 0.0
    out["machine_busy"] = round(busy / total, 2) if total else 0.0
    return out


def _print_run(result: dict[str, Any]) -> None:
    o = result["open"]
    print(f"run {result['run']}: load {result['load_before'][0]:.2f} -> {result['load_after'][0]:.2f}")
    print(f"  {o['label']}: {o['requests']} req, {o['rps']} req/s, p50 {o['p50_ms']} / p95 {o['p95_ms']} / "
          f"p99 {o['p99_ms']} ms (max {o['max_ms']}), errors {o['errors']} {o['error_samples']}; "
          f"cores: server {o['server_cores']}, driver {o['driver_cores']}, machine busy {o['machine_busy']:.0%}")
    kinds = ", ".join(f"{kind} {k['p50_ms']}/{k['p99_ms']} ms ({k['in_slowest_1pct']})"
                      for kind, k in o["by_kind"].items())
    near, slow = o["slowest_1pct_near_edit"]
    print(f"    p50/p99 by kind (count in the slowest 1 %): {kinds}; "
          f"{near} of the slowest {slow} were in flight during a save or 0.3 s after it")
    for s in result["closed"]:
        print(f"  {s['label']}: {s['rps']} req/s, p50 {s['p50_ms']} / p99 {s['p99_ms']} ms, errors {s['errors']}; "
              f"cores: server {s['server_cores']}, driver {s['driver_cores']}, machine busy {s['machine_busy']:.0%}")
    e, v = result["edits"], result["verify"]
    print(f"  edits: {e['saved']} saved, {e['failed']} failed, save p50 {e['p50_ms']} ms; "
          f"in database {v['in_database']}/{e['saved']}, found by all {v['workers']} workers {v['in_every_index']}/{e['saved']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-load"))
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: kiosk serve's)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--closed-duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from served import Host

    home = args.workdir / "host"
    ids = prepare(args.db, args.services, home)
    host = Host(home, args.db, workers=args.workers or _default_workers(), threads=args.threads or _default_threads())
    results = []
    try:
        host.wait_up(timeout=120, path="/api/v1/search?q=shelter")
        wait_idle(host)
        print(f"kiosk serve: {len(host.worker_pids())} workers x {args.threads or _default_threads()} threads "
              f"on :{host.port}; load average {os.getloadavg()}")
        mix = RequestMix(ids)
        for run in range(1, args.runs + 1):
            editor = Editor(host.url, CASEWORKER, PASSWORD, ids, run)
            result = run_once(host, mix, editor, args, run)
            _print_run(result)
            results.append(result)
    finally:
        host.stop()
    summary = _medians(results)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": results}, indent=2, default=str))
    return 0 if summary["targets_met"] else 1


def _default_workers() -> int:
    from kiosk.serving import default_workers

    return default_workers()


def _default_threads() -> int:
    from kiosk.serving import DEFAULT_THREADS

    return DEFAULT_THREADS


def _medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    def med(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    opens = [r["open"] for r in results]
    summary = {
        "runs": len(results),
        "open_rps": med([o["rps"] for o in opens]),
        "open_p50_ms": med([o["p50_ms"] for o in opens]),
        "open_p95_ms": med([o["p95_ms"] for o in opens]),
        "open_p99_ms": med([o["p99_ms"] for o in opens]),
        "open_errors": [o["errors"] for o in opens],
        "open_driver_cores": med([o["driver_cores"] for o in opens]),
        "open_server_cores": med([o["server_cores"] for o in opens]),
        "saturation_rps": med([r["saturation_rps"] for r in results]),
        "edits_missing": sum(r["edits"]["saved"] - r["verify"]["in_every_index"] for r in results)
        + sum(r["edits"]["saved"] - r["verify"]["in_database"] for r in results),
        "edit_failures": sum(r["edits"]["failed"] for r in results),
        "load_average_1m": [round(r["load_before"][0], 2) for r in results],
    }
    summary["targets_met"] = (
        summary["open_p99_ms"] < TARGET_P99_MS and not any(summary["open_errors"])
        and summary["saturation_rps"] >= TARGET_SATURATION and summary["edits_missing"] == 0
        and summary["edit_failures"] == 0
    )
    return summary


if __name__ == "__main__":
    sys.exit(main())
