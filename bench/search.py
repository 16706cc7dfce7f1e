"""Search benchmark: latency through ``search_index`` and through ``GET /api/v1/search``, beside a
bare Whoosh query for the same words on the same index, plus build time, index size and memory.

Directories: synthetic ones of ``--sizes`` services (``bench/search_corpus.py``, fixed seed) and,
with ``--miami PATH``, the Miami 211 import. For each, on a kept searcher:

* a mixed set of unique queries (single word, natural phrase, typo, filtered, near-me, open-now),
  run ``--runs`` times: every cache is emptied, a first set is answered cold (``ours_cold``),
  then a second set of queries not seen before is measured (``ours``, ``search(...,
  cache=None)``); bare Whoosh (``MultifieldParser`` over the same text fields, AND and OR of the
  words, ``limit=10``) runs the same words, and so does ours without filters
  (``ours_same_words``), giving the ratio ours / bare; figures are medians over the runs of
  p50/p95/p99 in ms;
* repeated queries (kiosk tiles, common words) through the result cache: p95 in ms;
* with ``--http``: the same queries through the JSON endpoint (Flask test client) on a database
  holding the same services (built once per size, kept in ``--workdir``), after the warm-up a
  served worker does before its first request (``kiosk.serving.warm_up``: index caught up,
  common postings read, listing caches filled), as ``kiosk serve`` answers. Each run empties
  every cache (the app's too: they are the same module-level caches), so the endpoint is then
  sent the same unique warm-up queries the core answered cold before its measured set, and the
  measured set follows: both meet queries they have never seen, equally warm. ``--http-warmup
  50`` sends only the first 50 of them (what this benchmark did until 2026-12-07: the endpoint
  was measured colder than the core). ``ours_cpu`` and ``http_cpu`` are the same percentiles
  in CPU time of this process (every thread: the app's journal reader included), which other
  processes' load on the machine does not inflate;
* full build time (service_document + one Whoosh writer), microseconds of ``service_document``
  per service, index size on disk, and the peak RSS of this process.

Usage::

    python bench/search.py --sizes 10000 100000 --runs 3
    python bench/search.py --sizes 10000 --http --miami ../shared/hsds/open211-miami

Indexes are kept in ``--workdir`` (default ``/tmp/kiosk-search-bench``) and reused when present;
``--rebuild`` builds them again. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from whoosh import index  # noqa: E402
from whoosh.qparser import MultifieldParser, OrGroup  # noqa: E402
from whoosh.searching import Searcher  # noqa: E402

from search_corpus import PLACES, ZIP_BOX, synthetic_services  # noqa: E402
from search_index.engine import segments, view  # noqa: E402
from search_index.query.cache import ResultCache  # noqa: E402
from search_index.documents import service_document  # noqa: E402
from search_index.engine.schema import ENGLISH_FIELDS, SCHEMA_VERSION, SPANISH_FIELDS, build_schema  # noqa: E402
from search_index.query.searching import SearchRequest, search  # noqa: E402

SEED = 7
TOPICS = [
    "shelter", "food", "counseling", "rent", "daycare", "detox", "dental", "legal aid", "jobs",
    "utility", "transportation", "seniors", "veterans", "clinic", "therapy", "eviction",
    "voucher", "pantry", "meals", "groceries", "recovery", "trauma", "grief", "preschool", "vpk",
    "head start", "domestic violence", "sexual assault", "child abuse", "foster care", "anxiety",
    "depression", "housing", "homeless", "baker act", "marchman act", "section 8", "snap", "wic",
    "medicaid", "immigration", "lawyer", "bus pass", "electric bill", "water bill", "support group",
    "addiction", "alcohol", "apartments", "deposit", "crisis", "psychiatrist", "after school",
    "summer camp", "infant care", "job training", "resume", "ged", "caregivers", "wheelchair",
]
SPANISH = ["refugio", "comida", "consejería", "alquiler", "guardería", "vivienda", "salud mental", "abogado", "trabajo", "transporte"]
AUDIENCES = ["women", "men", "families", "teens", "seniors", "veterans", "kids", "single mothers", "adults"]
TEMPLATES = [
    "where can I find {t} near {p}",
    "I need help with {t}",
    "{t} for {a}",
    "is there {t} open tonight",
    "help me find {t} in {p}",
    "{t} for {a} in {p}",
    "looking for free {t}",
]
CATEGORIES = ["housing", "mental-health", "childcare", "abuse"]
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc)


# -- queries ------------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiourstnc") + word[i + 1 :]


def _point(rng: random.Random) -> tuple[float, float]:
    lat, lon = rng.choice(list(ZIP_BOX.values()))
    return (round(lat + rng.uniform(-0.05, 0.05), 4), round(lon + rng.uniform(-0.05, 0.05), 4))


def query_set(n: int, seed: int) -> list[tuple[str, SearchRequest]]:
    """``n`` unique (kind, request) pairs, an equal share of each kind."""
    rng = random.Random(seed)
    kinds = ["single", "phrase", "typo", "filtered", "near", "open"]
    found: dict[SearchRequest, str] = {}
    attempts = 0
    while len(found) < n and attempts < n * 50:
        attempts += 1
        kind = kinds[len(found) % len(kinds)]
        topic = rng.choice(TOPICS)
        base = SearchRequest(q=topic, now=NOW + dt.timedelta(minutes=rng.randrange(0, 7 * 1440)))
        if kind == "single":
            request = dataclasses.replace(base, q=rng.choice(TOPICS + SPANISH + [t.split()[0] for t in TOPICS]))
        elif kind == "phrase":
            text = rng.choice(TEMPLATES).format(t=topic, p=rng.choice(PLACES), a=rng.choice(AUDIENCES))
            request = dataclasses.replace(base, q=text)
        elif kind == "typo":
            words = topic.split()
            words[-1] = _typo(rng, words[-1])
            request = dataclasses.replace(base, q=" ".join(words))
        elif kind == "filtered":
            request = dataclasses.replace(
                base,
                categories=tuple(rng.sample(CATEGORIES, rng.choice([0, 1, 1, 2]))),
                languages=("es",) if rng.random() < 0.4 else (),
                free=rng.random() < 0.4,
                age=rng.choice([None, 15, 30, 70]),
                page=rng.choice([1, 1, 1, 2]),
            )
        elif kind == "near":
            request = dataclasses.replace(base, near=_point(rng), radius_km=rng.choice([None, 5.0, 10.0, 25.0, 50.0]))
        else:
            request = dataclasses.replace(base, q=rng.choice(["", topic]), open_now=True)
        found.setdefault(request, kind)
    return [(kind, request) for request, kind in found.items()]


def repeated_set() -> list[SearchRequest]:
    """Kiosk tiles and common words: what many people send."""
    tiles = [SearchRequest(categories=(c,), now=NOW) for c in CATEGORIES]
    words = [SearchRequest(q=w, now=NOW) for w in ("shelter", "food", "counseling", "rent", "daycare", "help", "housing", "refugio")]
    return tiles + words + [SearchRequest(categories=(c,), lang="es", now=NOW) for c in CATEGORIES]


# -- measuring ----------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 of ``values`` (seconds) in milliseconds."""
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000  # noqa: E731
    return {"p50": round(pick(0.50), 2), "p95": round(pick(0.95), 2), "p99": round(pick(0.99), 2), "n": len(values)}


def timed(calls: Iterable[Callable[[], Any]], cpu: list[float] | None = None) -> list[float]:
    """Wall time of each call (and, into ``cpu``, the CPU time of this process's threads)."""
    out = []
    for call in calls:
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        out.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return out


def bare(searcher: Searcher, group: Any) -> Callable[[str], Any]:
    """A bare Whoosh query for ``text`` over the same text fields (what an app would write)."""
    fields = list(ENGLISH_FIELDS + SPANISH_FIELDS)
    parser = MultifieldParser(fields, searcher.schema, group=group) if group else MultifieldParser(fields, searcher.schema)

    def run(text: str) -> Any:
        results = searcher.search(parser.parse(text), limit=10)
        return [hit["id"] for hit in results]

    return run


def reset_caches() -> None:
    """Empty every search cache (postings, columns, index views)."""
    segments.clear_caches()
    with view._views_lock:
        view._views.clear()


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per-percentile medians over runs."""
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in ("p50", "p95", "p99")} | {"n": runs[0]["n"]}


def measure_latency(ix: Any, queries_per_run: int, runs: int, http: Callable[[SearchRequest], Any] | None,
                    http_warmup: int | None = None) -> dict[str, Any]:
    """Ours vs bare Whoosh (AND, OR) on unique queries; cache p95; optionally HTTP.

    Each run empties every cache, answers one set of unique queries cold (``ours_cold``: a
    process just started or an index just swapped), then measures a second, different set
    (``ours``: a running server meeting queries it has never seen). The endpoint is sent the
    same warm-up set (its first ``http_warmup`` queries when given), then the measured set.
    """
    per_run: dict[str, list[dict[str, float]]] = {
        "ours": [], "ours_cpu": [], "ours_cold": [], "ours_same_words": [], "bare_and": [], "bare_or": [],
        "http": [], "http_cpu": [],
    }
    by_kind: dict[str, list[float]] = {}
    for run in range(runs):
        reset_caches()
        warmup = query_set(queries_per_run, seed=2000 + run)
        seen = {r for _, r in warmup}
        queries = [(k, r) for k, r in query_set(queries_per_run + len(seen) // 4, seed=1000 + run) if r not in seen]
        queries = queries[:queries_per_run]
        with ix.searcher() as searcher:
            per_run["ours_cold"].append(percentiles(timed(lambda r=r: search(searcher, r, cache=None) for _, r in warmup)))
            ours_cpu: list[float] = []
            ours = timed((lambda r=r: search(searcher, r, cache=None) for _, r in queries), ours_cpu)
            for (kind, _), t in zip(queries, ours):
                by_kind.setdefault(kind, []).append(t)
            text_only = [r for _, r in queries if r.q]
            same_words = timed(lambda r=r: search(searcher, SearchRequest(q=r.q, now=r.now), cache=None) for r in text_only)
            run_and, run_or = bare(searcher, None), bare(searcher, OrGroup)
            bare_and = timed(lambda r=r: run_and(r.q) for r in text_only)
            bare_or = timed(lambda r=r: run_or(r.q) for r in text_only)
        per_run["ours"].append(percentiles(ours))
        per_run["ours_cpu"].append(percentiles(ours_cpu))
        per_run["ours_same_words"].append(percentiles(same_words))
        per_run["bare_and"].append(percentiles(bare_and))
        per_run["bare_or"].append(percentiles(bare_or))
        if http is not None:
            for _, r in warmup[:http_warmup]:
                http(r)
            http_cpu: list[float] = []
            per_run["http"].append(percentiles(timed((lambda r=r: http(r) for _, r in queries), http_cpu)))
            per_run["http_cpu"].append(percentiles(http_cpu))
    result: dict[str, Any] = {k: median_of(v) for k, v in per_run.items() if v}
    result["by_kind_ms_p95"] = {k: percentiles(v)["p95"] for k, v in by_kind.items()}
    for name in ("bare_and", "bare_or"):
        result[f"ratio_vs_{name}"] = {
            k: round(result["ours_same_words"][k] / max(result[name][k], 1e-9), 3) for k in ("p50", "p95", "p99")
        }
    # Repeated queries through the result cache.
    cache = ResultCache()
    with ix.searcher() as searcher:
        tiles = repeated_set()
        for request in tiles:
            search(searcher, request, cache=cache)
        result["cache"] = percentiles(timed(lambda r=r: search(searcher, r, cache=cache) for r in tiles * 50))
    return result


# -- building -----------------------------------------------------------------------------------


def du(path: Path) -> int:
    """Bytes of the files under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_synthetic(path: Path, n: int) -> dict[str, Any]:
    """Index ``n`` synthetic services in ``path`` with one writer; time it."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    ix = index.create_in(str(path), build_schema())
    start = time.perf_counter()
    writer = ix.writer(limitmb=512)
    doc_time = 0.0
    for service in synthetic_services(n, seed=SEED):
        t = time.perf_counter()
        doc = service_document(service)
        doc_time += time.perf_counter() - t
        writer.add_document(**doc)
    writer.commit()
    return {
        "build_s": round(time.perf_counter() - start, 1),
        "service_document_us": round(doc_time / n * 1e6, 1),
        "index_mb": round(du(path) / 2**20, 1),
    }


def ensure_synthetic(workdir: Path, n: int, rebuild: bool) -> tuple[Any, dict[str, Any]]:
    """The synthetic index of ``n`` services in ``workdir`` (built when missing)."""
    path = workdir / f"synthetic-{n}-seed{SEED}-v{SCHEMA_VERSION}"
    meta = path / "bench.json"
    if rebuild or not meta.exists():
        info = build_synthetic(path, n)
        meta.write_text(json.dumps(info))
    info = json.loads(meta.read_text())
    return index.open_dir(str(path)), info


def ensure_miami(workdir: Path, source: Path, rebuild: bool) -> tuple[Any, dict[str, Any]]:
    """The Miami 211 import, indexed in ``workdir`` (built when missing)."""
    from directory_data import migrate
    from directory_data.db import make_engine, make_session_factory
    from directory_data.hsds.importer import import_path
    from sqlalchemy import select

    from directory_data.models import Service
    from directory_data.service_rows import load_listings

    path = workdir / f"miami-v{SCHEMA_VERSION}"
    meta = path / "bench.json"
    if rebuild or not meta.exists():
        if path.exists():
            shutil.rmtree(path)
        (path / "ix").mkdir(parents=True)
        engine = make_engine(f"sqlite:///{path / 'miami.db'}")
        migrate.upgrade(engine)
        with make_session_factory(engine)() as session:
            start = time.perf_counter()
            import_path(session, source)
            session.commit()
            imported = time.perf_counter() - start
            ix = index.create_in(str(path / "ix"), build_schema())
            start = time.perf_counter()
            writer = ix.writer(limitmb=512)
            doc_time, count = 0.0, 0
            for service in load_listings(session, session.scalars(select(Service.id)).all()):
                t = time.perf_counter()
                doc = service_document(service)
                doc_time += time.perf_counter() - t
                writer.add_document(**doc)
                count += 1
            writer.commit()
        info = {
            "services": count,
            "import_s": round(imported, 1),
            "build_s": round(time.perf_counter() - start, 1),
            "service_document_us": round(doc_time / max(count, 1) * 1e6, 1),
            "index_mb": round(du(path / "ix") / 2**20, 1),
        }
        meta.write_text(json.dumps(info))
    return index.open_dir(str(path / "ix")), json.loads(meta.read_text())


def http_client(workdir: Path, n: int) -> Callable[[SearchRequest], Any]:
    """A caller of ``GET /api/v1/search`` on an app whose database holds the ``n`` services."""
    from directory_data import migrate
    from directory_data.db import make_engine, make_session_factory
    from kiosk import create_app
    from kiosk.search import catch_up_index

    home = workdir / f"http-{n}-seed{SEED}-v{SCHEMA_VERSION}"
    url = f"sqlite:///{home / 'kiosk.db'}"
    if not (home / "ready").exists():
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        engine = make_engine(url)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        batch: list[Any] = []
        with factory() as session:
            for service in synthetic_services(n, seed=SEED):
                batch.append(service)
                if len(batch) == 1000:
                    session.add_all(batch)
                    session.commit()
                    session.expunge_all()
                    batch = []
            session.add_all(batch)
            session.commit()
        catch_up_index(factory, home / "index")
        engine.dispose()
        (home / "ready").write_text("ok")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "KIOSK_HOME": str(home), "DATABASE_URL": url, "INDEX_DIR": str(home / "index")})
    from kiosk.serving import warm_up

    app.config["WARM_PAGES"] = False  # the pages are not measured here; the caches they read are
    warm_up(app)
    client = app.test_client()

    def call(request: SearchRequest) -> Any:
        params: dict[str, Any] = {"q": request.q, "page": request.page, "per_page": request.per_page}
        if request.categories:
            params["category"] = list(request.categories)
        if request.languages:
            params["lang"] = request.languages[0]
        for flag in ("open_now", "free", "walk_in"):
            if getattr(request, flag):
                params[flag] = "true"
        if request.age is not None:
            params["age"] = request.age
        if request.near is not None:
            params["near"] = f"{request.near[0]},{request.near[1]}"
        if request.radius_km is not None and request.near is not None:
            params["radius_km"] = request.radius_km
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
        return response

    return call


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--miami", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--http-warmup", type=int, default=None,
                        help="warm-up queries sent to the endpoint per run (default: the core's whole warm-up "
                             "set; 50 was this benchmark's until 2026-12-07)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-search-bench"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    targets: list[tuple[str, Callable[[], tuple[Any, dict[str, Any]]], Callable[[], Any] | None]] = []
    for n in args.sizes:
        targets.append((f"synthetic-{n}", lambda n=n: ensure_synthetic(args.workdir, n, args.rebuild),
                        (lambda n=n: http_client(args.workdir, n)) if args.http else None))
    if args.miami:
        targets.append(("miami", lambda: ensure_miami(args.workdir, args.miami, args.rebuild), None))
    for name, prepare, make_http in targets:
        print(f"== {name}: preparing", flush=True)
        ix, info = prepare()
        http = make_http() if make_http else None
        print(f"== {name}: measuring", flush=True)
        info.update(measure_latency(ix, args.queries, args.runs, http, args.http_warmup))
        if http is not None:
            info["http_over_core"] = {
                f"{k}{kind}": round(info[f"http{kind}"][k] / max(info[f"ours{kind}"][k], 1e-9), 2)
                for kind in ("", "_cpu") for k in ("p50", "p95")
            }
        info["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        report[name] = info
        print(json.dumps({name: info}, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
