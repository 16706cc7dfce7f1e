"""The crisis detector's cost per query: ``load_rules().match(q)`` (word-list rules, then the example
backstop, as a search runs it) over every judged crisis query, warm, best of ``--repeat`` runs of
each query; median, p95 and mean in milliseconds.

    python bench/crisis_cost.py [--repeat 3] [--out figures.json]

Runs on whichever checkout holds it (its own code first on ``sys.path``), so
``bench/side_by_side.py ... -- crisis_cost.py`` compares two checkouts turn about.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "relevance"))

from crisis_scoring import load_crisis_judgments  # noqa: E402

from search_index.query.crisis import load_rules  # noqa: E402


def judged_queries() -> list[str]:
    """Every judged crisis query, tuning files and spent held-out halves."""
    here = ROOT / "tests" / "relevance"
    paths = sorted(here.glob("crisis_*.csv")) + sorted(here.glob("held_out/**/crisis_*.csv"))
    return [j.query for p in paths for j in load_crisis_judgments(p)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=None, help="accepted for bench/side_by_side.py; unused")
    args = parser.parse_args()
    queries = judged_queries()
    rules = load_rules()
    for q in queries[:300]:  # warm: the examples are loaded and built on first use
        rules.match(q)
    best = []
    for q in queries:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            rules.match(q)
            times.append((time.perf_counter() - start) * 1000)
        best.append(min(times))
    best.sort()
    figures = {"queries": len(best), "median_ms": statistics.median(best),
               "p95_ms": best[int(0.95 * (len(best) - 1))], "mean_ms": statistics.fmean(best)}
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"detector": figures}))


if __name__ == "__main__":
    main()
