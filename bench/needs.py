"""What the needs layer costs per query (:mod:`search_index.query.needs`, :mod:`search_index.query.need_ranking`).

Over the judged queries (``tests/relevance/search_*.csv``):

* reading a query's needs: cold (the rules' caches emptied before each query, so every token is
  corrected and respelled afresh) and warm (tokens already seen, the reading itself not kept);
* a whole search through ``search_index`` on the Miami 211 import (``--miami``, built once into
  ``--workdir``), with the needs layer and with it switched off (the same code, ``_need_plan``
  answering None), ``cache=None``, on a warmed view; figures are the best of ``--runs`` runs.

Usage::

    python bench/needs.py --miami ../shared/hsds/open211-miami/data

Medians and 95th percentiles are printed (and written as JSON with ``--out``). Not a test.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search_index.query import searching  # noqa: E402
from search_index.query.needs import load_needs  # noqa: E402
from search_index.query.searching import SearchRequest, search  # noqa: E402

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc)


def judged_queries() -> list[str]:
    """Every query of the judged sets, in file order."""
    found: list[str] = []
    for path in sorted((ROOT / "tests" / "relevance").glob("search_*.csv")):
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
        found += [row["query"] for row in csv.DictReader(lines)]
    return found


def summary(seconds: list[float], unit: float) -> dict[str, float]:
    """Median and 95th percentile of ``seconds`` in ``unit`` (1e3: ms, 1e6: µs)."""
    ordered = sorted(seconds)
    return {"median": round(statistics.median(ordered) * unit, 3),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * unit, 3), "n": len(ordered)}


def reading_cost(queries: list[str]) -> dict[str, dict[str, float]]:
    """Reading cost per query in µs, cold and warm."""
    rules = load_needs()
    rules.read("warm up the known words")

    def once(clear_tokens: bool) -> list[float]:
        times = []
        for query in queries:
            rules._cache.clear()
            if clear_tokens:
                rules._respelled.clear()
                rules.lexicon._cache.clear()
            started = time.perf_counter()
            rules.read(query)
            times.append(time.perf_counter() - started)
        return times

    return {"cold_us": summary(once(True), 1e6), "warm_us": summary(once(False), 1e6)}


def miami_index(source: Path, workdir: Path) -> Path:
    """The folder of a kiosk index of ``source`` (built into ``workdir`` the first time)."""
    from directory_data import migrate
    from directory_data.db import make_engine, make_session_factory
    from directory_data.hsds.importer import import_path
    from search_index.engine.layout import IndexLayout
    from search_index.upkeep.rebuild import rebuild_index

    root = workdir / "miami-index"
    layout = IndexLayout(root)
    if layout.current() is None:
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / "miami.db"
        database.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{database}")
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            import_path(session, source)
            session.commit()
        rebuild_index(layout, factory, processes=1)
        engine.dispose()
    current = layout.current()
    assert current is not None
    return current.path


def search_cost(index_dir: Path, queries: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Search time per query in ms, with and without the needs layer."""
    from whoosh import index

    searcher = index.open_dir(str(index_dir)).searcher()

    def timed() -> list[float]:
        best: list[float] | None = None
        for _ in range(runs):
            times = []
            for query in queries:
                request = SearchRequest(q=query, per_page=10, now=NOW, today=NOW.date())
                started = time.perf_counter()
                search(searcher, request, cache=None)
                times.append(time.perf_counter() - started)
            if best is None or statistics.median(times) < statistics.median(best):
                best = times
        assert best is not None
        return best

    def run(plan: Callable[..., object]) -> dict[str, float]:
        original = searching._need_plan
        searching._need_plan = plan  # type: ignore[assignment]
        try:
            timed()  # warm the view, postings and masks
            return summary(timed(), 1e3)
        finally:
            searching._need_plan = original  # type: ignore[assignment]

    try:
        return {"with_needs_ms": run(searching._need_plan), "without_needs_ms": run(lambda *a, **k: None)}
    finally:
        searcher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--miami", type=Path, default=None, help="the Miami HSDS data folder")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-needs-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    queries = judged_queries()
    result: dict[str, object] = {"queries": len(queries), **reading_cost(queries)}
    if args.miami is not None:
        result.update(search_cost(miami_index(args.miami, args.workdir), queries, args.runs))
    text = json.dumps(result, indent=1)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
