"""Relevance over every judged set ``tests/relevance/search_*.csv``: each query over its directory
(the Miami 211 import or the curated directory), judged by taxonomy codes, written blind from what
the query means. Prints success@5 and precision@5 overall and per kind for our search and for
plain Whoosh, writes ``test-artifacts/relevance-search_<name>.json``, and asserts the bars:
success@5 at least 0.95, precision@5 at least 0.75, and no kind below 0.90 success@5. An
``outofscope`` row (a need its directory has no services for) succeeds when the search
says so and shows no listing. A new file dropped beside the others is run too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index
from whoosh.searching import Searcher

from judging import (
    DIRECTORIES,
    KINDS,
    evaluate_set,
    listing_codes,
    load_judged_set,
    ours_with_scope,
    plain_and,
    plain_or,
    set_report,
    without_scope,
)

HERE = Path(__file__).resolve().parent
FILES = sorted(HERE.glob("search_*.csv"))
SUCCESS_BAR = 0.95
PRECISION_BAR = 0.75
KIND_SUCCESS_BAR = 0.90

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def searchers(miami_index: Path, curated_index: Path) -> Iterator[dict[str, Searcher]]:
    """A searcher on each directory: the Miami import (the run's shared database and its index,
    ``conftest.miami_index``) and the curated directory (``conftest.curated_index``),
    indexed as the kiosk indexes them."""
    miami = index.open_dir(str(miami_index))
    with miami.searcher() as m, index.open_dir(str(curated_index)).searcher() as c:
        yield {"miami": m, "curated": c}


def test_there_is_a_judged_set() -> None:
    assert FILES, "no tests/relevance/search_*.csv"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_judged_set(searchers: dict[str, Searcher], path: Path) -> None:
    rows = load_judged_set(path)
    assert rows, path
    assert {r.directory for r in rows} <= set(DIRECTORIES)
    assert {r.kind for r in rows} <= set(KINDS)
    # An out-of-scope row asks for a need its directory (either one) has no services for.
    assert all(not r.judgment.relevant for r in rows if r.kind == "outofscope")
    results = {
        "ours": evaluate_set(searchers, rows, ours_with_scope),
        "whoosh-and": evaluate_set(searchers, rows, without_scope(plain_and)),
        "whoosh-or": evaluate_set(searchers, rows, without_scope(plain_or)),
    }
    print("\n" + set_report(path.stem, results))
    mine = results["ours"]
    print("misses:", *mine.misses, sep="\n  ")
    assert mine.success_at_5 >= SUCCESS_BAR, mine.misses
    assert mine.precision_at_5 >= PRECISION_BAR
    weak = {kind: scores[0] for kind, scores in mine.by_kind.items() if scores[0] < KIND_SUCCESS_BAR}
    assert not weak, (weak, mine.misses)


@pytest.mark.parametrize(("query", "never"), [
    ("a safe place for me and my kids", ("lj-5000.8000",)),  # Safe Havens for Abandoned Newborns
    ("need a safe place", ("lj-5000.8000",)),  # these three brought Safe Havens before the needs layer
    ("i need somewhere safe", ("lj-5000.8000",)),
    ("a safe place for my baby and me", ("lj-5000.8000",)),
    ("I need to stop drinking", ("rx-8450.7900", "rx-8470.8100", "rx-8250.8000")),  # stop smoking
    ("I can't stop crying since my mom died", ("rx-8450.7900", "rx-8470.8100", "rx-8250.8000")),
    ("free help with my electric bill", ("bm-5050", "bv-8900.1700")),  # free phones
    ("dan mwen fè m mal", ("lj-5000.8000",)),
])
def test_words_that_carry_no_need_decide_nothing(searchers: dict[str, Searcher], query: str, never: tuple[str, ...]) -> None:
    """Over the Miami import: a word such as "safe", "stop" or "free" never brings a listing whose
    only tie to the query is that word (every first-five listing serves the need instead)."""
    from judging import Judgment

    ids, _ = ours_with_scope(searchers["miami"], query)
    codes = listing_codes(searchers["miami"])
    wrong = Judgment(query, never, ())
    assert ids and not [i for i in ids[:5] if wrong.is_relevant(codes[i])], query
