"""Benchmark the HSDS importer: the real Miami 211 export and a large synthetic directory.

    python bench/import.py                          # Miami x3 and 100,000 synthetic services
    python bench/import.py --services 10000 --runs 1
    python bench/import.py --database-url postgresql+psycopg://postgres@127.0.0.1/kiosk_bench
    python bench/import.py --index                  # also time building the search index

Each run imports into a fresh database: a new SQLite file, or -- with ``--database-url`` -- the
given database emptied first (use a database of its own: every row in it is deleted). Prints
wall-clock seconds, CPU seconds of this process, source rows per second and the report's
one-line summary; for Miami the median of the runs. The synthetic package is written once per
size and seed into ``--work`` and reused.

This is not a test: pytest collects ``tests/`` only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import Engine, text  # noqa: E402

from directory_data import migrate  # noqa: E402
from directory_data.db import make_engine, make_session_factory  # noqa: E402
from directory_data.hsds.importer import import_path  # noqa: E402
from directory_data.hsds.report import ImportReport  # noqa: E402
from directory_data.models import MISSION_CATEGORIES, Base  # noqa: E402
from synthetic import DEFAULT_SEED, write_synthetic_package  # noqa: E402

SHARED = Path(os.environ.get("KIOSK_SHARED_DIR", ROOT.parent / "shared"))
MIAMI = SHARED / "hsds" / "open211-miami" / "data"


def _empty(engine: Engine) -> None:
    """Delete every row but the mission categories (the schema stays)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables
                              if t.name != "category")
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != "category":
                    connection.execute(table.delete())
        keep = ", ".join(f"'{slug}'" for slug in MISSION_CATEGORIES)
        connection.execute(text(f"DELETE FROM category WHERE slug NOT IN ({keep})"))


def fresh_engine(database_url: str | None, folder: Path, name: str) -> Engine:
    """A migrated, empty database: a new SQLite file in ``folder``, or ``database_url`` emptied."""
    if database_url is None:
        path = folder / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = database_url
    engine = make_engine(url)
    migrate.upgrade(engine)
    if database_url is not None:
        _empty(engine)
    return engine


def timed_import(engine: Engine, path: Path, index_dir: Path | None
                 ) -> tuple[float, float, ImportReport, float | None]:
    """Import ``path`` (committed); wall and CPU seconds, the report, index seconds if asked."""
    factory = make_session_factory(engine)
    wall, cpu = time.perf_counter(), time.process_time()
    with factory() as session:
        report = import_path(session, path)
        session.commit()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    indexed = None
    if index_dir is not None:
        from kiosk.search import catch_up_index

        started = time.perf_counter()
        catch_up_index(factory, index_dir, timezone="America/New_York")
        indexed = time.perf_counter() - started
    return wall, cpu, report, indexed


def _line(label: str, wall: float, cpu: float, report: ImportReport,
          indexed: float | None) -> str:
    rows = report.totals()["rows"]
    index = f", index {indexed:.1f} s" if indexed is not None else ""
    return (f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rows:,} source rows, "
            f"{rows / wall:,.0f} rows/s{index}")


def bench_miami(args: argparse.Namespace, work: Path, say: Callable[[str], None]) -> None:
    """Median of ``--runs`` Miami imports, each into a fresh database."""
    if not MIAMI.is_dir():
        say(f"miami: skipped, {MIAMI} is not there")
        return
    walls: list[float] = []
    for run in range(args.runs):
        engine = fresh_engine(args.database_url, work, "miami")
        index_dir = work / f"miami-index-{run}" if args.index else None
        wall, cpu, report, indexed = timed_import(engine, MIAMI, index_dir)
        engine.dispose()
        walls.append(wall)
        say(_line(f"miami run {run + 1}", wall, cpu, report, indexed))
    say(f"miami median: {statistics.median(walls):.2f} s  ({report.summary()})")


def bench_synthetic(args: argparse.Namespace, work: Path, say: Callable[[str], None]) -> None:
    """One import of the synthetic package of ``--services`` services."""
    package = work / f"synthetic-{args.services}-{args.seed}"
    if not (package / "datapackage.json").is_file():
        started = time.perf_counter()
        counts = write_synthetic_package(package, args.services, args.seed)
        say(f"synthetic package: {sum(counts.values()):,} rows written in "
            f"{time.perf_counter() - started:.1f} s to {package}")
    engine = fresh_engine(args.database_url, work, "synthetic")
    index_dir = work / "synthetic-index" if args.index else None
    wall, cpu, report, indexed = timed_import(engine, package, index_dir)
    engine.dispose()
    say(_line(f"synthetic {args.services:,} services", wall, cpu, report, indexed))
    say(f"  {report.summary()}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks chosen on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a database of its own (emptied before each run); "
                                               "default: a new SQLite file per run")
    parser.add_argument("--runs", type=int, default=3, help="Miami runs (the median is shown)")
    parser.add_argument("--services", type=int, default=100_000,
                        help="synthetic services (0: skip)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-miami", action="store_true")
    parser.add_argument("--index", action="store_true",
                        help="also build the search index after each import and time it")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "kiosk-bench-import",
                        help="folder for databases, indexes and the synthetic package")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)

    def say(line: str) -> None:
        print(line, flush=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    say(f"database: {args.database_url or 'SQLite file per run'}; {os.cpu_count()} CPUs, "
        f"load average {load:.1f}")
    if not args.skip_miami:
        bench_miami(args, args.work, say)
    if args.services > 0:
        bench_synthetic(args, args.work, say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
