"""Relevance over the curated Seminole County directory, against plain Whoosh."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from whoosh import index
from whoosh.searching import Searcher

from judging import evaluate, load_judgments, ours, plain_and, plain_or, report

JUDGMENTS = load_judgments("curated_judgments.csv")


@pytest.fixture(scope="module")
def searcher(engine: Engine, request: pytest.FixtureRequest) -> Iterator[Searcher]:
    """A searcher on the curated directory's index (``conftest.curated_index``, built
    through the test database ``engine``: the PostgreSQL run keeps this test for it)."""
    from directory_data.curated import parts

    if not all(path.exists() for path, _ in parts()):
        pytest.skip("the curated directory (directory_data/curated/*.json) is not built yet")
    folder: Path = request.getfixturevalue("curated_index")
    with index.open_dir(str(folder)).searcher() as s:
        yield s


def test_enough_judged_queries() -> None:
    assert len(JUDGMENTS) >= 40


def test_curated_relevance_beats_plain_whoosh(searcher: Searcher) -> None:
    results = {
        "ours": evaluate(searcher, JUDGMENTS, ours),
        "whoosh-and": evaluate(searcher, JUDGMENTS, plain_and),
        "whoosh-or": evaluate(searcher, JUDGMENTS, plain_or),
    }
    print("\n" + report("curated", results))
    mine = results["ours"]
    assert mine.success_at_5 >= 0.95, mine.misses
    assert mine.precision_at_5 >= 0.70
    for name in ("whoosh-and", "whoosh-or"):
        assert mine.success_at_5 > results[name].success_at_5
        assert mine.precision_at_5 >= results[name].precision_at_5 + 0.15
