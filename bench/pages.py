"""Kiosk page weight and server time at the curated directory's size.

Prepares an instance as ``kiosk init`` does (migrations, the curated Seminole County directory,
the search index), then with the app's test client (server time only, no network):

* weighs every kiosk page with everything it loads (HTML, CSS, JS, icons; no compression) and
  compares it with the 100 KB budget;
* serves a mix of search results pages (topics, words, Spanish, open now, typos, crisis) many
  times and reports p50 / p95 / max against the 20 ms p95 budget.

Usage::

    .venv/bin/python bench/pages.py                      # throwaway SQLite instance
    .venv/bin/python bench/pages.py --db postgresql+psycopg://postgres@127.0.0.1/kiosk_bench
    .venv/bin/python bench/pages.py --json report.json

Exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

WEIGHT_BUDGET = 100 * 1024
P95_BUDGET_MS = 20.0
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
RESULTS_PAGES = [
    "/search?category=mental-health", "/search?category=childcare", "/search?category=abuse",
    "/search?category=housing", "/search?q=food", "/search?q=shelter", "/search?q=counseling",
    "/search?q=rent+help", "/search?q=daycare&open=1", "/search?q=vivienda",
    "/search?q=consejeria", "/search?q=councelling", "/search?q=domestic+violence",
    "/search?q=free+clinic&free=1", "/search?category=housing&page=2", "/search?q=I+want+to+die",
]


def prepare(home: Path, db_url: str | None) -> Flask:
    """An app on a database holding the curated directory, with its index built."""
    from directory_data import migrate
    from directory_data.curated import SAMPLE_SOURCE, parts
    from directory_data.hsds.importer import import_path
    from directory_data.models import Service
    from kiosk import create_app
    from kiosk.config import index_dir
    from kiosk.db import get_database
    from kiosk.search import catch_up_index

    config: dict[str, Any] = {"KIOSK_HOME": str(home), "SECRET_KEY": "bench", "TESTING": False}
    if db_url:
        config["DATABASE_URL"] = db_url
    app = create_app(config)
    with app.app_context():
        database = get_database(app)
        migrate.upgrade(database.engine)
        with database.session_factory.begin() as session:
            if session.scalar(select(Service.id).where(Service.source == SAMPLE_SOURCE).limit(1)) is None:
                for path, source in parts():
                    import_path(session, path, source=source)
        catch_up_index(database.session_factory, index_dir(app.config))
    return app


def weigh(client: FlaskClient, path: str) -> dict[str, Any]:
    """The bytes of ``path`` and of every static file it references."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.get_data()
    assets = {}
    for url in sorted(set(ASSET.findall(html.decode()))):
        assets[url.split("?")[0]] = len(client.get(url.replace("&amp;", "&")).get_data())
    return {"path": path, "html": len(html), "assets": assets,
            "total": len(html) + sum(assets.values())}


class ServerTimer:
    """WSGI middleware: how long the app takes from receiving a request to handing back the
    finished page (wall clock, and CPU of the serving thread). What runs after the page is sent
    (the response's close callbacks, such as counting the search) is not in it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        start, start_cpu = time.perf_counter(), time.thread_time()
        body = self.app(environ, start_response)
        self.wall.append((time.perf_counter() - start) * 1000)
        self.cpu.append((time.thread_time() - start_cpu) * 1000)
        return body


def server_times(app: Flask, paths: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Server milliseconds (wall clock, CPU) to serve each of ``paths`` ``rounds`` times, after
    one warm-up round. On a busy machine the wall clock includes waiting for a core."""
    timer = ServerTimer(app.wsgi_app)
    app.wsgi_app = timer  # type: ignore[method-assign]
    client = app.test_client()
    for path in paths:
        client.get(path).close()
    timer.wall.clear()
    timer.cpu.clear()
    for _ in range(rounds):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            response.close()
    return timer.wall, timer.cpu


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary instance)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds over the results pages")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()

    from directory_data.models import Service
    from kiosk.db import get_database

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        app = prepare(Path(tmp), args.db)
        with app.app_context():
            with get_database(app).session_factory() as session:
                services = session.scalars(select(Service).order_by(Service.name)).all()
                count = len(services)
                detail = next(s.id for s in services if s.location_links)
        client = app.test_client()
        pages = ["/", "/search?category=housing", "/search?q=counseling", f"/services/{detail}",
                 "/referral", "/welcome"]
        weights = [weigh(client, path) for path in pages]
        for lang in ("es",):
            client.get(f"/language/{lang}")
            weights += [dict(weigh(client, path), path=f"{path} [{lang}]") for path in pages[:3]]
        times, cpu = server_times(app, RESULTS_PAGES, args.rounds)

    times.sort()
    p95 = _p95(times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    report = {
        "services": count,
        "weights": weights,
        "max_weight": max(w["total"] for w in weights),
        "results_pages": {"requests": len(times), "p50_ms": round(statistics.median(times), 2),
                          "p95_ms": round(p95, 2), "max_ms": round(times[-1], 2),
                          "cpu_p50_ms": round(statistics.median(cpu), 2),
                          "cpu_p95_ms": round(_p95(cpu), 2), "load_average": load},
    }
    print(f"curated directory: {count} services")
    print(f"{'page':48} {'html':>7} {'assets':>7} {'total':>7}  (budget {WEIGHT_BUDGET // 1024} KB)")
    for w in weights:
        print(f"{w['path'][:48]:48} {w['html']:7} {sum(w['assets'].values()):7} {w['total']:7}")
    r = report["results_pages"]
    print(f"results pages: {r['requests']} requests, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
          f"max {r['max_ms']} ms  (budget p95 {P95_BUDGET_MS:g} ms)")
    print(f"  CPU time per request: p50 {r['cpu_p50_ms']} ms, p95 {r['cpu_p95_ms']} ms; "
          f"load average {load if load is None else round(load, 2)} on {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    ok = report["max_weight"] <= WEIGHT_BUDGET and p95 <= P95_BUDGET_MS
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
