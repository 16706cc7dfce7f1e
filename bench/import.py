"""Benchmark the README's import path: ``kiosk import`` on an instance ``kiosk init`` prepared.

    python bench/import.py                          # Miami x5 and 100,000 synthetic services
    python bench/import.py --services 10000 --runs 3
    python bench/import.py --services 0             # Miami only
    python bench/import.py --database-url postgresql+psycopg://postgres@127.0.0.1/kiosk_bench

Each run makes a fresh instance (``KIOSK_HOME`` in ``--work``), runs ``kiosk init`` there (the
curated directory and its index; not timed), then times ``kiosk import PATH --report r.json``
as a separate process, exactly as the README runs it: process start-up, the import (one
transaction) and the search index catch-up it ends with. For each run it prints the wall-clock
seconds of the command, the CPU seconds of the command and the index writer processes it
started (``RUSAGE_CHILDREN``), and the two phases as the command reports them (the import, and
bringing the index up to date). The report must account for every source row and service. For
Miami the medians of the runs follow. The synthetic package is written once per size and seed
into ``--work`` and reused. With ``--database-url`` the instance uses that database (emptied
before each run: use a database of its own) instead of SQLite.

Wall-clock figures depend on what else the machine runs: the load average is printed before
each run; CPU seconds depend on it much less.

Measured on this 2-core machine, 2026-12-03, SQLite: Miami median of 3 runs 7.51 s wall
(runs 7.27 / 7.51 / 8.07 s; 9.96 s CPU; the import 3.5 s, the index rebuild with 2 writer
processes 2.9 s; load average 1.5); 100,000 synthetic services 138.6 s wall (174.8 s CPU; import
93.8 s, index 39.9 s; a run that shared the machine with a load benchmark took 182.6 s).

This is not a test: pytest collects ``tests/`` only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from directory_data.db import make_engine  # noqa: E402
from directory_data.models import MISSION_CATEGORIES, Base  # noqa: E402
from synthetic import DEFAULT_SEED, write_synthetic_package  # noqa: E402

SHARED = Path(os.environ.get("KIOSK_SHARED_DIR", ROOT.parent / "shared"))
MIAMI = SHARED / "hsds" / "open211-miami" / "data"
MIAMI_SERVICES = 4089
KIOSK = Path(sys.executable).with_name("kiosk")

_IMPORTED = re.compile(r"^imported: .*\(([\d.]+) s\)$", re.MULTILINE)
_INDEXED = re.compile(r"^search index: .*\(([\d.]+) s\)$", re.MULTILINE)


@dataclass
class Run:
    """One timed ``kiosk import``."""

    wall: float
    cpu: float
    imported: float
    indexed: float
    load: float
    rows: int
    services: int
    index_line: str


def _empty(database_url: str) -> None:
    """Delete every row but the mission categories (the schema stays) of ``database_url``."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if not connection.dialect.has_table(connection, "service"):
                return
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name != "category")
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            keep = ", ".join(f"'{slug}'" for slug in MISSION_CATEGORIES)
            connection.execute(text(f"DELETE FROM category WHERE slug NOT IN ({keep})"))
    finally:
        engine.dispose()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepared_instance(work: Path, database_url: str | None) -> dict[str, str]:
    """A fresh instance in ``work/instance`` after ``kiosk init``; the environment to use it."""
    home = work / "instance"
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "KIOSK_HOME": str(home)}
    env.pop("KIOSK_INDEX_DIR", None)
    if database_url is not None:
        env["KIOSK_DATABASE_URL"] = database_url
        _empty(database_url)
    else:
        env.pop("KIOSK_DATABASE_URL", None)
    subprocess.run([str(KIOSK), "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def timed_import(path: Path, work: Path, database_url: str | None, expected_services: int | None) -> Run:
    """``kiosk import path --report`` on a freshly prepared instance, timed."""
    env = prepared_instance(work, database_url)
    report_path = work / "report.json"
    report_path.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run([str(KIOSK), "import", str(path), "--report", str(report_path)],
                          env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"kiosk import failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    imported, indexed = _IMPORTED.search(done.stdout), _INDEXED.search(done.stdout)
    if imported is None or indexed is None:
        raise SystemExit(f"unexpected output of kiosk import:\n{done.stdout}")
    rows, services = _accounted(json.loads(report_path.read_text(encoding="utf-8")))
    if expected_services is not None and services != expected_services:
        raise SystemExit(f"the report accounts for {services} services, not {expected_services}")
    return Run(wall, cpu, float(imported.group(1)), float(indexed.group(1)), load, rows, services,
               indexed.group(0)[:120])


def _accounted(report: dict[str, Any]) -> tuple[int, int]:
    """The source rows and the services the report accounts for; every row must be counted
    once as created, updated, unchanged or skipped."""
    rows = services = 0
    for name, counts in report["tables"].items():
        settled = sum(int(counts[k]) for k in ("created", "updated", "unchanged", "skipped"))
        if settled != int(counts["rows"]):
            raise SystemExit(f"{name}: {counts['rows']} rows, {settled} accounted for")
        rows += settled
        if counts["kind"] == "service":
            services += settled
    return rows, services


def _line(label: str, run: Run) -> str:
    return (f"{label}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU (command and index writers); "
            f"import {run.imported:.1f} s, index {run.indexed:.1f} s; {run.services:,} services, "
            f"{run.rows:,} source rows; load average {run.load:.1f}")


def bench_miami(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Medians of ``--runs`` Miami imports, each on a freshly prepared instance."""
    if not MIAMI.is_dir():
        say(f"miami: skipped, {MIAMI} is not there")
        return
    runs = []
    for number in range(1, args.runs + 1):
        run = timed_import(MIAMI, args.work, args.database_url, MIAMI_SERVICES)
        runs.append(run)
        say(_line(f"miami run {number}", run))
    say(f"  {runs[-1].index_line}")
    say(f"miami median of {len(runs)}: {statistics.median(r.wall for r in runs):.2f} s wall, "
        f"{statistics.median(r.cpu for r in runs):.2f} s CPU; import "
        f"{statistics.median(r.imported for r in runs):.2f} s, index "
        f"{statistics.median(r.indexed for r in runs):.2f} s")


def bench_synthetic(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """One import of the synthetic package of ``--services`` services (``--seed``)."""
    package = args.work / f"synthetic-{args.services}-{args.seed}"
    if not (package / "datapackage.json").is_file():
        started = time.perf_counter()
        counts = write_synthetic_package(package, args.services, args.seed)
        say(f"synthetic package: {sum(counts.values()):,} rows written in "
            f"{time.perf_counter() - started:.1f} s to {package}")
    run = timed_import(package, args.work, args.database_url, args.services)
    say(_line(f"synthetic {args.services:,} services (seed {args.seed})", run))
    say(f"  {run.index_line}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks chosen on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a database of its own (emptied before each run); "
                                               "default: SQLite in the instance")
    parser.add_argument("--runs", type=int, default=5, help="Miami runs (the medians are shown)")
    parser.add_argument("--services", type=int, default=100_000,
                        help="synthetic services (0: skip)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-miami", action="store_true")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "kiosk-bench-import",
                        help="folder for the instance and the synthetic package")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)

    def say(line: str) -> None:
        print(line, flush=True)

    say(f"database: {args.database_url or 'SQLite in the instance'}; {os.cpu_count()} CPUs; "
        f"{KIOSK}")
    if not args.skip_miami:
        bench_miami(args, say)
    if args.services > 0:
        bench_synthetic(args, say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
