"""A new worker reads the postings of the synonym table's words and the directory's most common
words before its first search; the results are the same, only the first search is cheaper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from whoosh import index
from whoosh.index import Index

from search_index.engine import segments
from search_index.engine.schema import build_schema
from search_index.query.scoring import field_terms
from search_index.query.searching import SearchRequest, search
from search_index.query.synonyms import parse_synonyms
from search_index.query.warming import common_words, table_words, warm_words

MONDAY_NOON = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.timezone.utc)

DESCRIPTIONS = [
    "Emergency shelter beds for families",
    "Counseling for families and children",
    "Rent help and eviction prevention for families",
    "After-school program for children",
    "Crisis counseling by phone",
]


def _index(path: Path) -> Index:
    ix = index.create_in(str(path), build_schema())
    writer = ix.writer()
    for i in range(30):
        name = f"Program {i}"
        description = DESCRIPTIONS[i % len(DESCRIPTIONS)]
        writer.add_document(id=f"00000000-0000-4000-8000-{i:012d}", name=name, description=description,
                            spell=f"{name}\n{description}", categories="housing",
                            assured=dt.date(2026, 11, 1).toordinal())
    writer.commit()
    return ix


def _ids(ix: Index, q: str) -> list[str]:
    with ix.searcher() as searcher:
        return [hit.service_id for hit in search(searcher, SearchRequest(q=q, now=MONDAY_NOON)).hits]


def test_table_words_are_every_word_on_both_sides() -> None:
    table = parse_synonyms("phrases,means,note\ndaycare|day care,child care,\nhousing,,\n")
    assert table_words(table) == ["care", "child", "day", "daycare", "housing"]


def test_common_words_come_most_frequent_first(tmp_path: Path) -> None:
    ix = _index(tmp_path)
    with ix.searcher() as searcher:
        words = common_words(searcher, limit=3)
    assert words[0] == "program"  # in all 30 documents
    assert sorted(words[1:]) == ["families", "for"]  # 18 each, ahead of "counseling" (12) and the rest


def test_warming_reads_postings_ahead_and_leaves_results_alone(tmp_path: Path) -> None:
    (tmp_path / "cold").mkdir()
    (tmp_path / "warm").mkdir()
    cold, warm = _index(tmp_path / "cold"), _index(tmp_path / "warm")  # the same documents
    with warm.searcher() as searcher:
        key = segments.segment_key(next(iter(searcher.reader().leaf_readers()))[0])
        assert segments.cached_word_postings(key, "counseling", field_terms("counseling")) is None
        held = warm_words(searcher, ["counseling", "families", "zebra", "counseling"])
        assert held == 2  # "zebra" is in no document; a repeated word is read once
        assert segments.cached_word_postings(key, "counseling", field_terms("counseling")) is not None
    for q in ("counseling families", "families", "rent"):
        assert _ids(warm, q) == _ids(cold, q)
