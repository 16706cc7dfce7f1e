"""Relevance over the curated Seminole County directory, against plain Whoosh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from whoosh.searching import Searcher

from judging import evaluate, import_and_index, load_judgments, ours, plain_and, plain_or, report

JUDGMENTS = load_judgments("curated_judgments.csv")


@pytest.fixture(scope="module")
def searcher(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    from directory_data.curated import parts

    if not all(path.exists() for path, _ in parts()):
        pytest.skip("the curated directory (directory_data/curated/*.json) is not built yet")
    ix = import_and_index(engine, [path for path, _ in parts()], tmp_path_factory.mktemp("curated-index"))
    with ix.searcher() as s:
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
