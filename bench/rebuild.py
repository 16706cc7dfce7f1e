"""Benchmark of the index's freshness machinery at directory scale.

Measures, on a database holding N synthetic services (``bench/search_corpus.py``):

* a full rebuild with 1..k writer processes (seconds, documents, index size);
* opening a searcher vs refreshing it after a one-service commit;
* edit -> searchable latency in the committing process (after-commit catch-up) and in other
  processes: a worker sharing the index directory, and a "host" with its own copy of it
  (``tests/index_child.py follow`` children); medians over several edits.

Usage::

    python bench/rebuild.py --db postgresql+psycopg://postgres@127.0.0.1/kiosk_bench -n 100000
    python bench/rebuild.py --db sqlite:////tmp/kiosk-bench/bench.db -n 100000 --processes 1 2 3

The database is migrated and filled once (services are added only up to N); the index goes to
``--index`` (default: a temporary directory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import func, insert, inspect, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from directory_data import migrate  # noqa: E402
from directory_data.db import make_engine, make_session_factory  # noqa: E402
from directory_data.models import (  # noqa: E402
    Accessibility,
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceTaxonomy,
    TaxonomyTerm,
    new_id,
)
from search_index.upkeep.follower import Follower  # noqa: E402
from directory_data.journal import install_journal_hooks  # noqa: E402
from search_index.engine.layout import IndexLayout  # noqa: E402
from search_index.upkeep.rebuild import rebuild_index  # noqa: E402
from search_index.engine.store import SearcherPool, open_current, refresh_searcher  # noqa: E402

CHILD = ROOT / "tests" / "index_child.py"

#: Part of every word the latency measurements write, so a rerun never finds a previous run's edit.
RUN = format(int(time.time()), "x")


def _ensure_source(obj: object) -> None:
    if not getattr(obj, "source_id", None):
        obj.source = "synthetic"  # type: ignore[attr-defined]
        obj.source_id = new_id()  # type: ignore[attr-defined]
    if getattr(obj, "id", None) is None:
        obj.id = new_id()  # type: ignore[attr-defined]


def _values(obj: object, **links: object) -> dict[str, object]:
    """The column values of the transient ``obj`` (defaults applied), plus foreign keys ``links``."""
    mapper = inspect(type(obj))
    values: dict[str, object] = {}
    for attr in mapper.column_attrs:
        value = obj.__dict__.get(attr.key)
        if value is None:
            default = attr.columns[0].default
            if default is not None and default.is_scalar:
                value = default.arg
            elif default is not None and default.is_callable:
                value = default.arg({})  # type: ignore[operator]
        values[attr.key] = value
    values.update(links)
    return values


def _rows_of(service: Service, tables: dict[type, list[dict[str, object]]], terms: dict[str, str]) -> None:
    """Add the rows of one synthetic service (and its children) to ``tables``."""
    _ensure_source(service)
    org = service.organization
    if org is not None:
        _ensure_source(org)
        tables[Organization].append(_values(org))
    tables[Service].append(_values(service, organization_id=org.id if org else None))
    for kind in ("phones", "schedules", "languages", "cost_options"):
        for child in getattr(service, kind):
            _ensure_source(child)
            tables[type(child)].append(_values(child, service_id=service.id))
    for link in service.category_links:
        tables[ServiceCategory].append({"service_id": service.id, "category_slug": link.category_slug, "assigned_by": "listing"})
    for link in service.taxonomy_links:
        term = link.term
        if term.code not in terms:
            _ensure_source(term)
            terms[term.code] = term.id
            tables[TaxonomyTerm].append(_values(term))
        tables[ServiceTaxonomy].append({"service_id": service.id, "taxonomy_term_id": terms[term.code]})
    for link in service.location_links:
        location = link.location
        _ensure_source(location)
        _ensure_source(link)
        tables[Location].append(_values(location, organization_id=org.id if org else None))
        tables[ServiceAtLocation].append(_values(link, service_id=service.id, location_id=location.id))
        for child in [*location.addresses, *location.accessibility]:
            _ensure_source(child)
            tables[type(child)].append(_values(child, location_id=location.id))


ORDER = [Organization, Service, TaxonomyTerm, Location, ServiceAtLocation, Phone, Schedule, Language, CostOption,
         ServiceCategory, ServiceTaxonomy, Address, Accessibility]


def populate(factory: sessionmaker[Session], n: int, seed: int = 7) -> int:
    """Insert synthetic services (plain multi-row INSERTs) until the database holds ``n``."""
    from search_corpus import synthetic_services

    with factory() as session:
        have = int(session.scalar(select(func.count()).select_from(Service)) or 0)
        terms = {code: term_id for code, term_id in session.execute(select(TaxonomyTerm.code, TaxonomyTerm.id))
                 if code}
    if have >= n:
        return 0
    started = time.monotonic()
    tables: dict[type, list[dict[str, object]]] = {cls: [] for cls in ORDER}
    added = 0
    for i, service in enumerate(synthetic_services(n, seed)):
        if i < have:
            continue
        _rows_of(service, tables, terms)
        added += 1
        if added % 5000 == 0 or have + added == n:
            with factory.begin() as session:
                for cls in ORDER:
                    if tables[cls]:
                        session.execute(insert(cls.__table__), tables[cls])
                        tables[cls] = []
            print(f"  populated {have + added}/{n} ({time.monotonic() - started:.0f} s)", flush=True)
    return added


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the rebuild's writer processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def bench_rebuild(factory: sessionmaker[Session], layout: IndexLayout, processes: int) -> dict[str, object]:
    """One full rebuild: wall time, CPU time of the Python processes, documents, index size.

    The CPU time leaves out the database server's; on a busy machine the wall time mostly
    measures the other load, the CPU time much less so.
    """
    cpu = _cpu_seconds()
    load = os.getloadavg()[0]
    report = rebuild_index(layout, factory, processes=processes)
    assert report is not None
    return {"processes": report.processes, "documents": report.documents,
            "seconds": round(report.seconds, 1), "cpu_seconds": round(_cpu_seconds() - cpu, 1),
            "load_average_before": round(load, 1), "size_mb": round(report.size_bytes / 1e6, 1)}


def bench_refresh(layout: IndexLayout, factory: sessionmaker[Session]) -> dict[str, float]:
    _generation, ix = open_current(layout)
    started = time.perf_counter()
    searcher = ix.searcher()
    opened = time.perf_counter() - started
    follower = Follower(layout, factory)
    install_journal_hooks(factory, on_commit=follower.committed)
    with factory.begin() as session:
        service = session.scalars(select(Service).limit(1)).one()
        service.name = service.name + " (refresh bench)"
    started = time.perf_counter()
    searcher = refresh_searcher(ix, searcher)
    refreshed = time.perf_counter() - started
    searcher.close()
    return {"open_searcher_ms": round(opened * 1000, 1), "refresh_after_one_edit_ms": round(refreshed * 1000, 1)}


def bench_local_latency(layout: IndexLayout, factory: sessionmaker[Session], rounds: int) -> list[float]:
    """Seconds from a commit in this process to the edit being visible to a pooled searcher here."""
    follower = Follower(layout, factory)
    install_journal_hooks(factory, on_commit=follower.committed)
    pool = SearcherPool(layout)
    with factory() as session:
        ids = list(session.scalars(select(Service.id).order_by(Service.id).limit(rounds)))
    out: list[float] = []
    for k, service_id in enumerate(ids):
        token = f"Localbench{k}x{RUN}"
        started = time.perf_counter()
        with factory.begin() as session:
            session.get(Service, service_id).name = f"Renamed {token}"
        while True:
            with pool.searcher() as s:
                doc = s.document(id=service_id)
            if doc and token in doc["name"]:
                break
            time.sleep(0.005)
        out.append(time.perf_counter() - started)
    return out


def _child(db: str, index: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(CHILD), "follow", "--db", db, "--index", str(index)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return proc


def _expect(proc: subprocess.Popen[str], prefix: str) -> list[str]:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(prefix):
            return line.split()
    raise RuntimeError(f"child ended before {prefix!r}")


def bench_cross_latency(db: str, layout: IndexLayout, factory: sessionmaker[Session], rounds: int) -> dict[str, list[float]]:
    """Commit in child A; time until visible in A, in B (same directory) and in C (own copy)."""
    host_copy = Path(tempfile.mkdtemp(prefix="bench-host-")) / "index"
    shutil.copytree(layout.root, host_copy, ignore=shutil.ignore_patterns("*.lock"))
    a, b, c = _child(db, layout.root), _child(db, layout.root), _child(db, host_copy)
    try:
        for proc in (a, b, c):
            _expect(proc, "ready")
        with factory() as session:
            ids = list(session.scalars(select(Service.id).order_by(Service.id.desc()).limit(rounds)))
        result: dict[str, list[float]] = {"same_process": [], "worker_same_dir": [], "host_own_dir": []}
        for k, service_id in enumerate(ids):
            token = f"Crossbench{k}x{RUN}"
            for proc in (a, b, c):
                assert proc.stdin is not None
                proc.stdin.write(f"watch {service_id} {token}\n")
                proc.stdin.flush()
            assert a.stdin is not None
            a.stdin.write(f"rename {service_id} Renamed {token}\n")
            a.stdin.flush()
            committed = float(_expect(a, "committed")[2])
            result["same_process"].append(float(_expect(a, "seen")[2]) - committed)
            result["worker_same_dir"].append(float(_expect(b, "seen")[2]) - committed)
            result["host_own_dir"].append(float(_expect(c, "seen")[2]) - committed)
        return result
    finally:
        for proc in (a, b, c):
            if proc.poll() is None:
                assert proc.stdin is not None
                proc.stdin.write("quit\n")
                proc.stdin.flush()
                proc.wait(timeout=30)
        shutil.rmtree(host_copy.parent, ignore_errors=True)


def _summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1),
            "runs": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL (migrated and filled as needed)")
    parser.add_argument("-n", type=int, default=100_000, help="services in the database")
    parser.add_argument("--index", type=Path, help="index directory (default: a temporary one)")
    parser.add_argument("--processes", type=int, nargs="*", default=[2],
                        help="writer processes of each rebuild to time (none: reuse the index in --index)")
    parser.add_argument("--rounds", type=int, default=7, help="edits per latency measurement")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()

    engine = make_engine(args.db)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    added = populate(factory, args.n)
    print(f"database: {args.n} services ({added} added now)", flush=True)
    index = args.index or Path(tempfile.mkdtemp(prefix="bench-index-")) / "index"
    layout = IndexLayout(index)
    results: dict[str, object] = {"n": args.n, "database": engine.dialect.name, "rebuilds": []}
    for processes in args.processes:
        measured = bench_rebuild(factory, layout, processes)
        print(f"rebuild: {measured}", flush=True)
        results["rebuilds"].append(measured)  # type: ignore[attr-defined]
    results["searcher"] = bench_refresh(layout, make_session_factory(engine))
    print(f"searcher: {results['searcher']}", flush=True)
    if not args.skip_latency:
        results["local_latency"] = _summary(bench_local_latency(layout, make_session_factory(engine), args.rounds))
        print(f"edit -> searchable, same process (library): {results['local_latency']}", flush=True)
        cross = bench_cross_latency(args.db, layout, make_session_factory(engine), args.rounds)
        results["cross_latency"] = {k: _summary(v) for k, v in cross.items()}
        print(f"edit -> searchable across processes: {results['cross_latency']}", flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
