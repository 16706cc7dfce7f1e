"""The result cache: repeated searches are answered from it, a commit invalidates it, it is
bounded and safe to share between threads."""

from __future__ import annotations

import pytest

import datetime as dt
import threading
from pathlib import Path

import numpy as np
from whoosh import index
from whoosh.index import Index

from search_factory import no_search_errors
from search_index.query.cache import ResultCache
from search_index.hours import encode_schedules
from search_index.engine.schema import build_schema
from search_index.query.searching import SearchRequest, search

MONDAY_NOON = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.timezone.utc)


def _doc(i: int, name: str, description: str, **extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "name": name,
        "description": description,
        "spell": f"{name}\n{description}",
        "categories": "housing",
        "assured": dt.date(2026, 11, 1).toordinal(),
    }
    doc.update(extra)
    return doc


def _index(path: Path) -> Index:
    ix = index.create_in(str(path), build_schema())
    writer = ix.writer()
    hours = {"tz": "America/New_York", "w": [[540, 1020]]}  # Mondays 9-17
    import json

    for i in range(20):
        writer.add_document(
            **_doc(i, f"Shelter {i}", "Emergency shelter beds", hours=hours, hours_key=json.dumps(hours).encode())
        )
    writer.commit()
    return ix


def test_repeated_search_is_answered_from_the_cache(tmp_path: Path) -> None:
    ix = _index(tmp_path)
    cache = ResultCache()
    with ix.searcher() as searcher:
        request = SearchRequest(q="shelter", now=MONDAY_NOON)
        first = search(searcher, request, cache=cache)
        assert (cache.hits, cache.misses) == (0, 1)
        for _ in range(50):
            again = search(searcher, request, cache=cache)
        assert cache.hits == 50
        assert again == first
        # The same words typed differently are the same request.
        search(searcher, SearchRequest(q="  shelter\x00 ", now=MONDAY_NOON), cache=cache)
        assert cache.hits == 51


def test_a_commit_invalidates(tmp_path: Path) -> None:
    # A new searcher after each commit (Whoosh's own Searcher.refresh() misses deletions; the
    # store has a correct refresh of its own).
    ix = _index(tmp_path)
    cache = ResultCache()
    searcher = ix.searcher()
    try:
        request = SearchRequest(q="quilting circle", now=MONDAY_NOON)
        assert search(searcher, request, cache=cache).total == 0
        writer = ix.writer()
        writer.add_document(**_doc(99, "Quilting Circle", "Open on Tuesday nights"))
        writer.commit()
        assert search(searcher, request, cache=cache).total == 0  # the old searcher sees the old index
        searcher.close()
        searcher = ix.searcher()
        results = search(searcher, request, cache=cache)
        assert results.total == 1 and results.hits[0].service_id.endswith("99")
        writer = ix.writer()
        writer.delete_by_term("id", results.hits[0].service_id)
        writer.commit(merge=False)  # the document stays in its segment, marked deleted
        searcher.close()
        searcher = ix.searcher()
        assert searcher.reader().has_deletions()
        assert search(searcher, request, cache=cache).total == 0
        assert search(searcher, SearchRequest(q="shelter", now=MONDAY_NOON), cache=cache).total == 20
    finally:
        searcher.close()


def test_open_flags_are_current_on_a_cache_hit(tmp_path: Path) -> None:
    ix = _index(tmp_path)
    cache = ResultCache()
    with ix.searcher() as searcher:
        noon = search(searcher, SearchRequest(q="shelter", now=MONDAY_NOON), cache=cache)
        night = search(searcher, SearchRequest(q="shelter", now=MONDAY_NOON + dt.timedelta(hours=6)), cache=cache)
        assert cache.hits == 1
        assert all(h.open_now for h in noon.hits) and not any(h.open_now for h in night.hits)
        # With the open-now filter the minute is part of the request.
        search(searcher, SearchRequest(q="shelter", open_now=True, now=MONDAY_NOON), cache=cache)
        closed = search(searcher, SearchRequest(q="shelter", open_now=True, now=MONDAY_NOON + dt.timedelta(hours=6)), cache=cache)
        assert closed.total == 0


def test_cache_is_bounded_and_keyed_by_state() -> None:
    cache = ResultCache(max_entries=3)
    for i in range(10):
        cache.put("state", i, i)
    assert len(cache) == 3 and cache.get("state", 9) == 9 and cache.get("state", 0) is None
    cache.put("new-state", "k", 1)
    assert len(cache) == 3 and cache.get("new-state", 9) is None  # another state: not a hit
    assert cache.older(9) == ("state", 9)  # kept to be checked against what changed since


def test_threads_share_the_cache(tmp_path: Path) -> None:
    ix = _index(tmp_path)
    cache = ResultCache(max_entries=16)
    errors: list[BaseException] = []
    expected = {}
    with ix.searcher() as s:
        for q in ("shelter", "beds", "emergency"):
            expected[q] = search(s, SearchRequest(q=q, per_page=50, now=MONDAY_NOON), cache=None).service_ids

    def work(seed: int) -> None:
        try:
            with ix.searcher() as searcher:  # a searcher per thread
                for i in range(60):
                    q = ("shelter", "beds", "emergency")[(seed + i) % 3]
                    page = 1 + (i % 2)
                    results = search(searcher, SearchRequest(q=q, page=page, per_page=10, now=MONDAY_NOON), cache=cache)
                    assert results.service_ids == expected[q][(page - 1) * 10 : page * 10]
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert cache.hits > 0 and len(cache) <= 16


def test_hours_encoding_round_trip() -> None:
    assert encode_schedules([]) is None


@pytest.fixture(autouse=True)
def _fail_on_search_errors(no_search_errors: None) -> None:
    """Every test here fails if the search layer logged an error."""


def test_a_states_word_weights_outlive_the_searcher_that_read_them(tmp_path: Path) -> None:
    """Word weights are kept per index state; a later searcher of the same state (the first one
    closed, the segment caches emptied) scores with its own readers instead of closed ones."""
    from search_index.engine import segments
    from search_index.query.scoring import Scorer
    from search_index.engine.view import view_for

    ix = _index(tmp_path)
    with ix.searcher() as searcher:
        view, leaves = view_for(searcher)
        assert Scorer(view, leaves).word_weights("emergency") is not None
        expected = Scorer(view, leaves).word_vector("emergency")
    segments.clear_caches()
    with ix.searcher() as searcher:
        again, leaves = view_for(searcher)
        assert again is view  # the same state: its weights are reused
        view._vectors.clear()  # as when the view's small LRU of vectors has dropped the word
        assert np.array_equal(Scorer(again, leaves).word_vector("emergency"), expected)
