"""Compare the crisis detector's word-list rules alone with rules + example backstop on every judged
crisis file, leave-one-file-out (each file scored with the examples of every other file, never its
own rows nor copies of them): pinned, right first, look-alikes pinned, per language, kind and phrasing.

    python bench/crisis_backstop.py [--threshold 0.6 ...] [--files crisis_b crisis_own16] [--misses]

Runs the detector directly (the search's ``crisis`` object holds the same lines in the same order).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "relevance"))

from crisis_scoring import KINDS, LANGUAGES, Score, load_crisis_judgments, score  # noqa: E402

import search_index.query.crisis as crisis  # noqa: E402
import search_index.query.crisis_examples as crisis_examples  # noqa: E402
from search_index.query.crisis_examples import (  # noqa: E402
    EXAMPLES_PATH, ExampleBackstop, leave_out, parse_examples)


#: The halves of one blind set (same author, split at random).
SISTERS = {"crisis_e": "crisis_f", "crisis_f": "crisis_e", "crisis_g": "crisis_h", "crisis_h": "crisis_g"}


def files() -> list[Path]:
    here = ROOT / "tests" / "relevance"
    return sorted(here.glob("crisis_*.csv")) + sorted((here / "held_out").glob("crisis_*.csv"))


def run(path: Path, rules: crisis.CrisisRules, backstop: ExampleBackstop | None) -> Score:
    def answer(q: str) -> dict | None:
        found = rules.detect(q, backstop=backstop)
        return {"lines": [{"key": k} for k in found.lines], "now": found.now, "language": found.language} if found.lines else None
    return score(path.stem, load_crisis_judgments(path), answer)


def line(result: Score, key: str) -> str:
    t = result.groups.get(key)
    if t is None:
        return "-"
    r = t.rates()
    pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
    if t.danger:
        return f"{pct(r['pinned'])}/{pct(r['right'])}" + (f" la {t.lookalike_pinned}/{t.lookalikes}" if t.lookalikes else "")
    return f"la {t.lookalike_pinned}/{t.lookalikes}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, nargs="*", default=None)
    parser.add_argument("--files", nargs="*", default=None)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--sister", action="store_true",
                        help="also leave out the other half of a blind set (crisis_e with crisis_f, crisis_g with crisis_h)")
    args = parser.parse_args()
    rules = crisis.load_rules()
    examples = parse_examples(EXAMPLES_PATH.read_text(encoding="utf-8"))
    thresholds = args.threshold or [crisis.MIN_SIMILARITY]
    chosen = [p for p in files() if not args.files or p.stem in args.files]
    totals: dict[str, list[Score]] = {"rules": []}
    for path in chosen:
        base = run(path, rules, None)
        totals["rules"].append(base)
        queries = {j.query for j in load_crisis_judgments(path)}
        kept = leave_out(examples, path.stem, queries)
        if args.sister:
            kept = tuple(e for e in kept if SISTERS.get(e.source) != path.stem)
        backstop = ExampleBackstop(kept)
        print(f"{path.stem:<14} rules {line(base, 'all')}")
        for t in thresholds:
            crisis.MIN_SIMILARITY = crisis_examples.MIN_SIMILARITY = t  # the vote's similarity floor
            result = run(path, rules, backstop)
            totals.setdefault(f"t={t}", []).append(result)
            print(f"{'':<14} +examples t={t}: {line(result, 'all')}  "
                  + " ".join(f"{k}:{line(result, 'lang:' + k)}" for k in LANGUAGES))
            if args.misses:
                for m in result.misses:
                    print("     ", m["language"], m["kind"], repr(m["query"]), m["problem"])
    print("\nsummed over files (danger pinned / right first, look-alikes pinned):")
    for name, results in totals.items():
        def agg(key: str) -> str:
            d = p = r = la = lp = 0
            for res in results:
                t = res.groups.get(key)
                if t:
                    d += t.danger; p += t.pinned; r += t.right; la += t.lookalikes; lp += t.lookalike_pinned
            out = f"{p / d:.1%}/{r / d:.1%}" if d else ""
            return out + (f" la {lp}/{la}={lp / la:.1%}" if la else "")
        print(f"{name:<10} all {agg('all')}")
        print("   " + "  ".join(f"{k} {agg('lang:' + k)}" for k in LANGUAGES))
        print("   " + "  ".join(f"{k} {agg('kind:' + k)}" for k in KINDS))
        print("   " + "  ".join(f"{k} {agg('phrasing:' + k)}" for k in ("direct", "indirect", "misspelled")))


if __name__ == "__main__":
    main()
