"""Does the Whoosh fork pay? The same word queries through the engine and through Whoosh's public API.

Directories: the Miami 211 import and a synthetic HSDS package (``bench/synthetic.py``) of
``--services`` services, each imported into a SQLite database and rebuilt as the kiosk does (kept
in ``--workdir``). Queries are drawn (fixed seed) from the index's own vocabulary: one word, two
or three words all required (AND), or any of them (OR); every word is searched as its
``(field, term)`` pairs in the text fields (:func:`search_index.query.scoring.field_terms`).
Each query's ten best documents are found by:

* ``fork_cold``: the engine (:mod:`search_index.engine.segments` block decoding and numpy BM25,
  :class:`~search_index.query.scoring.Scorer`), its postings caches emptied before the query
  (each segment's field lengths and small vocabulary, read once per process, are kept);
* ``fork_warm``: the same with the caches a serving process keeps (a second pass);
* ``public_numpy``: the engine's scoring fed by Whoosh's public reader API only (its fallbacks:
  ``reader.postings()`` one posting at a time), postings caches emptied per query;
* ``whoosh``: ``searcher.search(query, limit=10)`` with Whoosh's BM25F, the query an
  ``And``/``Or`` of each word's ``Or`` of boosted ``Term``s.

Figures are milliseconds per query (median and p95) on one kept searcher. Not collected by pytest::

    python bench/engine_public.py --miami ../shared/hsds/open211-miami/data --services 10000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from whoosh.matching import FilterMatcher  # noqa: E402
from whoosh.query import And, Or, Query, Term  # noqa: E402
from whoosh.searching import Searcher  # noqa: E402

from directory_data import migrate  # noqa: E402
from directory_data.db import make_engine, make_session_factory  # noqa: E402
from directory_data.hsds.importer import import_path  # noqa: E402
from search_index.engine import segments  # noqa: E402
from search_index.engine.layout import IndexLayout  # noqa: E402
from search_index.engine.store import SearcherPool  # noqa: E402
from search_index.engine.view import IndexView, view_for  # noqa: E402
from search_index.query.scoring import FIELD_WEIGHTS, Scorer, field_terms  # noqa: E402
from search_index.upkeep.rebuild import rebuild_index  # noqa: E402
from synthetic import write_synthetic_package  # noqa: E402

SEED = 18
TOP = 10


class PublicOnly:
    """A Whoosh reader, matcher or column reader showing only its public names (the engine then
    takes its public-API paths); the same wrapper as ``tests/test_engine_equivalence.py``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.inner, name)
        if name == "postings":
            def postings(*args: Any, **kwargs: Any) -> Any:
                matcher = value(*args, **kwargs)
                if isinstance(matcher, FilterMatcher):
                    return FilterMatcher(PublicOnly(matcher.child), matcher._ids, exclude=matcher._exclude)
                return PublicOnly(matcher)
            return postings
        if name == "column_reader":
            return lambda *args, **kwargs: PublicOnly(value(*args, **kwargs))
        return value

    def __getitem__(self, key: Any) -> Any:
        return self.inner[key]


def build(workdir: Path, name: str, source: Path) -> IndexLayout:
    """The directory ``source`` imported into ``workdir/name.db`` and indexed (once)."""
    layout = IndexLayout(workdir / f"{name}-index")
    if layout.current() is not None:
        return layout
    engine = make_engine(f"sqlite:///{workdir / name}.db")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    started = time.monotonic()
    with factory() as session:
        import_path(session, source)
        session.commit()
    report = rebuild_index(layout, factory)
    print(f"{name}: imported and indexed in {time.monotonic() - started:.0f} s ({report.summary()})", file=sys.stderr)
    engine.dispose()
    return layout


def queries(s: Searcher, count: int) -> list[tuple[str, list[str]]]:
    """``count`` seeded queries ``(kind, words)`` from the vocabulary (half common words)."""
    reader = s.reader()
    common = [t.decode() for _f, t in reader.most_frequent_terms("spell", number=300)]
    rare = sorted(t.decode() for t in reader.lexicon("spell"))
    rng = random.Random(SEED)
    words = [w for w in common + rng.sample(rare, min(300, len(rare))) if w.isalpha() and field_terms(w)]
    made = []
    for _ in range(count):
        kind = rng.choice(("word", "and", "or"))
        made.append((kind, rng.sample(words, 1 if kind == "word" else rng.choice((2, 3)))))
    return made


def fork_top(scorer: Scorer, kind: str, words: list[str]) -> list[int]:
    """The ten best documents of the query by the engine's word vectors."""
    vectors = [v for w in words if (v := scorer.word_vector(w)) is not None]
    if kind == "and" and len(vectors) < len(words) or not vectors:
        return []
    total = np.sum(vectors, axis=0)
    if kind == "and":
        total[~np.logical_and.reduce([v > 0 for v in vectors])] = 0
    total[~scorer.view.live] = 0
    hits = np.flatnonzero(total)
    best = hits[np.argsort(-total[hits], kind="stable")[:TOP]]
    return best.tolist()


def whoosh_query(kind: str, words: list[str]) -> Query:
    parts = [Or([Term(f, t, boost=FIELD_WEIGHTS[f]) for f, t in field_terms(w)]) for w in words]
    return And(parts) if kind == "and" else Or(parts)


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def measure(s: Searcher, made: list[tuple[str, list[str]]]) -> dict[str, dict[str, float]]:
    view, leaves = view_for(s)
    public = [(PublicOnly(leaf), offset) for leaf, offset in leaves]
    times: dict[str, list[float]] = {"fork_cold": [], "fork_warm": [], "public_numpy": [], "whoosh": []}
    fork_top(Scorer(view, leaves), *made[0])  # each segment's lengths and vocabulary, read once
    for kind, words in made:
        segments.clear_caches(columns=False)
        cold = Scorer(IndexView(("cold",) + view.key, leaves), leaves)
        times["fork_cold"].append(timed(lambda: fork_top(cold, kind, words)))
        segments.clear_caches(columns=False)
        slow = Scorer(IndexView(("public",) + view.key, public), public)
        times["public_numpy"].append(timed(lambda: fork_top(slow, kind, words)))
        times["whoosh"].append(timed(lambda: s.search(whoosh_query(kind, words), limit=TOP)))
    segments.clear_caches()
    for kind, words in made:
        fork_top(Scorer(view, leaves), kind, words)
    for kind, words in made:
        warm = Scorer(view, leaves)
        times["fork_warm"].append(timed(lambda: fork_top(warm, kind, words)))
    return {
        name: {"median": round(statistics.median(v), 2), "p95": round(float(np.percentile(v, 95)), 2)}
        for name, v in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--miami", type=Path, help="the Miami 211 HSDS data directory")
    parser.add_argument("--services", type=int, default=10_000, help="synthetic services (0: none)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kiosk-engine-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    directories: dict[str, Path] = {}
    if args.miami:
        directories["miami"] = args.miami
    if args.services:
        package = args.workdir / f"synthetic-{args.services}"
        if not (package / "datapackage.json").exists():
            write_synthetic_package(package, args.services)
        directories[f"synthetic-{args.services}"] = package
    results = {}
    for name, source in directories.items():
        layout = build(args.workdir, name, source)
        with SearcherPool(layout).searcher() as s:
            made = queries(s, args.queries)
            results[name] = {"documents": s.doc_count(), "segments": len(list(s.reader().leaf_readers())),
                             "queries": len(made), "ms": measure(s, made)}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
