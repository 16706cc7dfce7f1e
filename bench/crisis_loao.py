"""Leave-one-AUTHOR-out evaluation of the crisis detector. For each outside author, the example
backstop is built from the examples WITHOUT that author's rows (nor any row with the same words as
one of the author's queries), and the whole detector (word-list rules + backstop) is scored on the
author's rows with ``tests/relevance/crisis_scoring.py``:

* ``rules``: the word-list rules alone;
* ``before``: rules + the one nearest example (the sixth round's backstop: the nearest danger
  example pins when its similarity is at least 0.65 and no look-alike is as close);
* ``after``: rules + the neighbours' vote (:meth:`ExampleBackstop.vote`, the current backstop);
* ``vote alone`` / ``1-NN alone``: the backstop without the rules (what it reads by itself).

    python bench/crisis_loao.py [--authors l+m ...] [--misses]

The word-list rules were tuned on every judged file, so the figures with rules are optimistic
except where an author's text was never tuned on (``crisis_m``, round 7's blind half); what
leave-one-author-out measures honestly is what the backstop adds and the "alone" rows.
Runs the detector directly (the search's ``crisis`` object holds the same lines in the same order);
``bench/crisis_cost.py`` times it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "relevance"))

from crisis_scoring import KINDS, LANGUAGES, CrisisJudgment, Score, load_crisis_judgments, score  # noqa: E402

from search_index.query.crisis import CrisisRules, load_rules  # noqa: E402
from search_index.query.crisis_examples import (  # noqa: E402
    EXAMPLES_PATH, NO_VOTE, Example, ExampleBackstop, Vote, parse_examples, same_words)

HERE = ROOT / "tests" / "relevance"
#: Each outside author: the files they wrote (scored) and other files by the same hand (left out of
#: the examples too, not scored: crisis_b's author also wrote crisis_dev).
AUTHORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "b": (("crisis_b",), ("crisis_dev",)),
    "d": (("crisis_d",), ()),
    "e+f": (("crisis_e", "held_out/crisis_f"), ()),
    "g+h": (("crisis_g", "held_out/crisis_h"), ()),
    "j+k": (("crisis_j", "held_out/crisis_k"), ()),
    "l+m": (("crisis_l", "held_out/round7/crisis_m"), ()),
    "probe": (("crisis_probe",), ()),
}
#: The sixth round's threshold for the one nearest example.
OLD_SIMILARITY = 0.65


class OneNearest(ExampleBackstop):
    """The sixth round's backstop, for comparison: the nearest danger example's first line, when it
    is at least :data:`OLD_SIMILARITY` similar and closer than every look-alike."""

    def vote(self, text: str, min_words: int = 2, threshold: float | None = None) -> Vote:
        near = self.neighbours(text, count=len(self.examples), min_words=min_words)
        danger = next(((e, s) for e, s in near if e.danger), None)
        lookalike = next((s for e, s in near if not e.danger), 0.0)
        if danger is None or danger[1] < OLD_SIMILARITY or danger[1] <= lookalike:
            return NO_VOTE
        return Vote(danger[0].lines[0], 1.0, *danger)


def judgments_of(names: tuple[str, ...]) -> list[CrisisJudgment]:
    """The judged rows of the files ``names`` (paths under tests/relevance without ``.csv``)."""
    return [j for name in names for j in load_crisis_judgments(HERE / f"{name}.csv")]


def without_author(examples: tuple[Example, ...], names: tuple[str, ...],
                   rows: list[CrisisJudgment]) -> tuple[Example, ...]:
    """``examples`` without the rows of the files ``names`` nor any with the words of one of ``rows``."""
    sources = {Path(n).name for n in names}
    texts = {same_words(j.query) for j in rows}
    return tuple(e for e in examples if e.source not in sources and same_words(e.query) not in texts)


def answer(keys: tuple[str, ...], now: bool = False, language: str | None = None) -> dict | None:
    """The API's ``crisis`` object for pinned ``keys`` (None when nothing is pinned)."""
    return {"lines": [{"key": k} for k in keys], "now": now, "language": language} if keys else None


def with_rules(name: str, rows: list[CrisisJudgment], rules: CrisisRules, backstop: ExampleBackstop | None) -> Score:
    """The detector's score on ``rows``."""
    def ask(q: str) -> dict | None:
        found = rules.detect(q, backstop=backstop)
        return answer(found.lines, found.now, found.language)
    return score(name, rows, ask)


def alone(name: str, rows: list[CrisisJudgment], backstop: ExampleBackstop) -> Score:
    """The backstop's score on ``rows`` without the rules."""
    def ask(q: str) -> dict | None:
        vote = backstop.vote(q)
        return answer((vote.line,) if vote.pins() and vote.line else ())
    return score(name, rows, ask)


def cell(results: list[Score], key: str) -> str:
    """Pinned, right first and look-alikes pinned, summed over ``results`` for the group ``key``."""
    d = p = r = la = lp = 0
    for res in results:
        t = res.groups.get(key)
        if t:
            d, p, r, la, lp = d + t.danger, p + t.pinned, r + t.right, la + t.lookalikes, lp + t.lookalike_pinned
    out = f"{p / d:6.1%} {r / d:6.1%}" if d else f"{'':>13}"
    return out + (f" {lp / la:5.1%}" if la else f"{'':>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authors", nargs="*", default=None)
    parser.add_argument("--misses", action="store_true", help="list what the 'after' detector misses")
    args = parser.parse_args()
    rules = load_rules()
    examples = parse_examples(EXAMPLES_PATH.read_text(encoding="utf-8"))
    totals: dict[str, list[Score]] = {}
    for author, (scored, also_out) in AUTHORS.items():
        if args.authors and author not in args.authors:
            continue
        rows = judgments_of(scored)
        kept = without_author(examples, scored + also_out, rows + judgments_of(also_out))
        assert not {e.source for e in kept} & {Path(n).name for n in scored + also_out}
        before, after = OneNearest(kept), ExampleBackstop(kept)
        results = {"rules": with_rules(author, rows, rules, None),
                   "before (1-NN)": with_rules(author, rows, rules, before),
                   "after (vote)": with_rules(author, rows, rules, after),
                   "1-NN alone": alone(author, rows, before),
                   "vote alone": alone(author, rows, after)}
        print(f"\n== author {author} ({', '.join(scored)}: {len(rows)} rows; {len(kept)} examples kept)\n"
              f"{'':<15}{'pinned':>7} {'right':>6} {'look':>5}")
        for label, result in results.items():
            totals.setdefault(label, []).append(result)
            print(f"{label:<15}{cell([result], 'all')}   "
                  + "  ".join(f"{k} {cell([result], 'lang:' + k)}" for k in LANGUAGES))
        if len(scored) > 1:  # each file of the author apart (a held-out half was never tuned on)
            for name in scored:
                part = judgments_of((name,))
                print(f"  {Path(name).name:<13}" + "  ".join(
                    f"{label} {cell([with_rules(name, part, rules, b)], 'all')}"
                    for label, b in (("rules", None), ("before", before), ("after", after))))
        if args.misses:
            for m in results["after (vote)"].misses:
                print("     ", m["language"], m["kind"], repr(m["query"]), m["problem"])
    print("\n== summed over authors: pinned, right first, look-alikes pinned")
    for label, results in totals.items():
        print(f"{label:<15} all {cell(results, 'all')}")
        for group, keys in (("lang", LANGUAGES), ("kind", KINDS)):
            print(f"{'':<15} " + "  ".join(f"{k} {cell(results, f'{group}:{k}')}" for k in keys))


if __name__ == "__main__":
    main()
