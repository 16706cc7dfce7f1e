"""Relevance over the real Miami 211 import, judged by the taxonomy codes its staff attached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index
from whoosh.searching import Searcher

from judging import evaluate, load_judgments, ours, plain_and, plain_or, report

JUDGMENTS = load_judgments("miami_judgments.csv")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def searcher(miami_index: Path) -> Iterator[Searcher]:
    """A searcher on the Miami import's index (``conftest.miami_index``, built as the kiosk builds it)."""
    with index.open_dir(str(miami_index)).searcher() as s:
        yield s


def test_enough_judged_queries() -> None:
    assert len(JUDGMENTS) >= 40


def test_miami_relevance_beats_plain_whoosh(searcher: Searcher) -> None:
    results = {
        "ours": evaluate(searcher, JUDGMENTS, ours),
        "whoosh-and": evaluate(searcher, JUDGMENTS, plain_and),
        "whoosh-or": evaluate(searcher, JUDGMENTS, plain_or),
    }
    print("\n" + report("miami", results))
    mine = results["ours"]
    assert mine.success_at_5 >= 0.95, mine.misses
    assert mine.precision_at_5 >= 0.70
    # The margin over plain Whoosh was +0.15 while every imported listing was indexed. The 501
    # listings the publication rules now hold (no way to reach them, or no category and no
    # taxonomy term: never relevant to a judgment) left the index: ours kept its precision
    # (0.778 -> 0.773) and the baselines gained (AND 0.600 -> 0.640, OR 0.609 -> 0.631), as those
    # listings had filled their top five. Measured on what residents can find, the bar is +0.13.
    for name in ("whoosh-and", "whoosh-or"):
        assert mine.success_at_5 > results[name].success_at_5
        assert mine.precision_at_5 >= results[name].precision_at_5 + 0.13
