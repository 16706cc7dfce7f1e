"""The engine's readers against Whoosh's public API, on the same index.

Each directory (the curated one, the Miami 211 import) is rebuilt as the kiosk does, copied as
built (one segment), then 30 of its services are rewritten through the journal's writer
(Whoosh's own: a second segment and deletions in the first). Seeded random queries, with words
from the index's own vocabulary, must match the same documents through the engine
(:mod:`search_index.engine.segments`, :class:`~search_index.engine.view.IndexView`) and through
``searcher.search``; document frequencies, postings, term weights, stored fields and filter
masks must be equal.

Scores: the engine keeps, per posting, BM25's term-frequency part with Whoosh's own B, K1 and
encoded field lengths, but with the *segment's* average field length (Whoosh's BM25F uses the
whole index's), so that a commit never changes the cached scores of the other segments. On a
one-segment index the part times Whoosh's idf is Whoosh's score. The fork's idf is by design not
Whoosh's (``log(1 + (N - df + 0.5) / (df + 0.5))`` over live documents, rounded to
``IDF_DECIMALS``; Whoosh: ``log(N / (df + 1)) + 1`` over all documents), and is checked against
the public statistics.

The engine's public-API fallbacks (taken when a reader lacks the private attributes the fast
paths read) are reached by handing it readers that show only public names; they must give the
fast paths' answers.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from whoosh import index
from whoosh.index import Index
from whoosh.matching import FilterMatcher
from whoosh.query import And, Or, Query, Term
from whoosh.searching import Searcher

from directory_data.db import make_session_factory
from search_factory import clear_directory, import_curated
from search_index.engine import segments
from search_index.engine.layout import IndexLayout
from search_index.engine.segments import B, K1
from search_index.engine.view import IndexView, view_for
from search_index.query.scoring import FIELD_WEIGHTS, IDF_DECIMALS, Scorer, field_terms
from search_index.upkeep.rebuild import rebuild_index
from search_index.upkeep.sync import apply_services

SEED = 18
EDITED = 30
FILTER_FIELDS = ("categories", "languages", "free", "walk_in")


@dataclass
class Built:
    """A directory's index as built (``fresh``, one segment) and after edits (``edited``)."""

    fresh: Index
    edited: Index
    vocabulary: list[str]


def _build(factory: sessionmaker[Session], folder: Path, built: Path | None = None) -> Built:
    """The directory of ``factory`` rebuilt as the kiosk does (or ``built``, such a rebuild made
    already, copied), then copied as built and edited."""
    if built is None:
        layout = IndexLayout(folder / "live")
        rebuild_index(layout, factory, processes=1)
        generation = layout.current()
        assert generation is not None
        built = generation.path
    else:
        built = Path(shutil.copytree(built, folder / "live"))
    shutil.copytree(built, folder / "fresh")
    fresh = index.open_dir(str(folder / "fresh"))
    edited = index.open_dir(str(built))
    with edited.searcher() as s:
        ids = sorted(str(doc["id"]) for doc in s.all_stored_fields())
        common = [t.decode() for _f, t in s.reader().most_frequent_terms("spell", number=150)]
        rare = sorted(t.decode() for t in s.reader().lexicon("spell"))
    apply_services(edited, factory, random.Random(SEED).sample(ids, EDITED))
    rng = random.Random(SEED)
    words = [w for w in common + rng.sample(rare, 150) if w.isalpha() and field_terms(w)]
    return Built(fresh, edited, sorted(set(words)))


@pytest.fixture(scope="module", params=["curated", pytest.param("miami", marks=pytest.mark.slow)])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp(f"equivalence-{request.param}")
    if request.param == "miami":
        # the run's Miami index (conftest.miami_index, rebuilt as the kiosk does), copied
        yield _build(request.getfixturevalue("miami_database").session_factory, folder,
                     request.getfixturevalue("miami_index"))
        return
    engine: Engine = request.getfixturevalue("engine")
    factory = make_session_factory(engine)
    try:
        import_curated(factory)
        yield _build(factory, folder)
    finally:
        clear_directory(engine)


@pytest.fixture(params=["fresh", "edited"])
def searcher(request: pytest.FixtureRequest, built: Built) -> Iterator[Searcher]:
    with getattr(built, request.param).searcher() as s:
        yield s


def test_the_edited_index_has_segments_and_deletions(built: Built) -> None:
    with built.fresh.searcher() as s:
        assert len(list(s.reader().leaf_readers())) == 1
    with built.edited.searcher() as s:
        leaves = [leaf for leaf, _offset in s.reader().leaf_readers()]
        assert len(leaves) >= 2 and any(leaf.has_deletions() for leaf in leaves)
    assert len(built.vocabulary) >= 100


# -- the engine's answers and Whoosh's ------------------------------------------------------------


def engine_docs(s: Searcher, word: str, view: IndexView | None = None, leaves: Any = None) -> set[int]:
    """The live documents holding ``word`` in some text field, by the engine's postings."""
    if view is None:
        view, leaves = view_for(s)
    found: set[int] = set()
    for leaf, offset in leaves:
        found.update((segments.word_postings(leaf, word, field_terms(word)).ids + offset).tolist())
    return {d for d in found if view.live[d]}


def word_query(word: str) -> Query:
    return Or([Term(f, t) for f, t in field_terms(word)])


def whoosh_docs(s: Searcher, query: Query) -> set[int]:
    return {hit.docnum for hit in s.search(query, limit=None)}


def random_queries(words: list[str], count: int = 60) -> Iterator[tuple[str, list[str], str | None]]:
    """``(kind, words, category)``: one word, two or three words all required, or any of them,
    or one word within a category."""
    rng = random.Random(SEED)
    for _ in range(count):
        kind = rng.choice(("word", "and", "or", "category"))
        yield kind, rng.sample(words, 1 if kind in ("word", "category") else rng.choice((2, 3))), kind


def test_random_queries_match_the_same_documents(searcher: Searcher, built: Built) -> None:
    view, leaves = view_for(searcher)
    categories = sorted(t.decode() for t in searcher.reader().lexicon("categories"))
    rng = random.Random(SEED)
    nonempty = 0
    for kind, words, _ in random_queries(built.vocabulary):
        sets = [engine_docs(searcher, w) for w in words]
        if kind == "or":
            ours, query = set().union(*sets), Or([word_query(w) for w in words])
        elif kind == "category":
            category = rng.choice(categories)
            mask = view.term_mask(leaves, "categories", category)
            ours = sets[0] & set(np.flatnonzero(mask).tolist())
            query = And([word_query(words[0]), Term("categories", category)])
        else:
            ours, query = set.intersection(*sets), And([word_query(w) for w in words])
        assert ours == whoosh_docs(searcher, query), (kind, words)
        nonempty += bool(ours)
    assert nonempty >= 20


def test_term_statistics_and_postings(searcher: Searcher, built: Built) -> None:
    """Per segment and (field, term): document frequency (deleted documents included, as
    Whoosh's), the live postings, and each posting's BM25 tf part from Whoosh's public weight,
    encoded field length and the segment's average length."""
    checked = 0
    for leaf, _offset in searcher.reader().leaf_readers():
        deleted = {d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)}
        count = max(leaf.doc_count_all(), 1)
        for word in built.vocabulary:
            pairs = field_terms(word)
            postings = segments.word_postings(leaf, word, pairs)
            for k, (field, term) in enumerate(pairs):
                assert postings.counts[k] == leaf.doc_frequency(field, term)
                mine = postings.pair == k
                ids, parts = postings.ids[mine], postings.parts[mine]
                live = [(d, p) for d, p in zip(ids.tolist(), parts.tolist()) if d not in deleted]
                theirs: list[tuple[int, float]] = []
                if leaf.doc_frequency(field, term):
                    m = leaf.postings(field, term)
                    avgdl = (leaf.field_length(field) or 0) / count or 1.0
                    while m.is_active():
                        tf, dl = float(m.weight()), float(leaf.doc_field_length(m.id(), field, 0))
                        part = np.float32(tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl)))
                        theirs.append((m.id(), float(part)))
                        m.next()
                assert live == theirs, (field, term)
                assert sorted(segments.doc_ids(leaf, field, term).tolist()) == sorted(ids.tolist())
                checked += len(theirs)
    assert checked > 1000


def test_one_segment_scores_are_whoosh_bm25f(built: Built) -> None:
    """On the index as built, the engine's tf part times Whoosh's idf is Whoosh's BM25F score."""
    with built.fresh.searcher() as s:
        ((leaf, _offset),) = s.reader().leaf_readers()
        for word in built.vocabulary[:60]:
            pairs = field_terms(word)
            postings = segments.word_postings(leaf, word, pairs)
            for k, (field, term) in enumerate(pairs):
                ours = dict(zip(postings.ids[postings.pair == k].tolist(), postings.parts[postings.pair == k]))
                theirs = {hit.docnum: hit.score for hit in s.search(Term(field, term), limit=None)}
                assert ours.keys() == theirs.keys()
                for doc, score in theirs.items():
                    assert float(ours[doc]) * s.idf(field, term) == pytest.approx(score, rel=1e-6)


def test_word_scores_follow_the_public_statistics(searcher: Searcher, built: Built) -> None:
    """The scorer's word vector: per field, its weight times the fork's idf (from Whoosh's public
    document frequencies and live count) times the tf part."""
    view, leaves = view_for(searcher)
    scorer = Scorer(view, leaves)
    n = max(searcher.doc_count(), 1)
    for word in built.vocabulary[::5]:
        vector = scorer.word_vector(word)
        expected = np.zeros(view.doc_count, dtype=np.float64)
        for field, term in field_terms(word):
            df = min(searcher.doc_frequency(field, term), n)
            if not df:
                continue
            idf = round(float(np.log(1.0 + (n - df + 0.5) / (df + 0.5))), IDF_DECIMALS)
            for leaf, offset in leaves:
                postings = segments.word_postings(leaf, word, field_terms(word))
                mine = postings.pair == field_terms(word).index((field, term))
                np.add.at(expected, postings.ids[mine] + offset,
                          postings.parts[mine] * np.float32(FIELD_WEIGHTS[field] * idf))
        if vector is None:
            assert not expected.any(), word
        else:
            np.testing.assert_allclose(vector, expected, rtol=1e-5, err_msg=word)


def test_stored_fields_and_filter_masks(searcher: Searcher) -> None:
    view, leaves = view_for(searcher)
    live = np.flatnonzero(view.live).tolist()
    assert len(live) == searcher.doc_count()
    for doc in live:
        assert view.stored_fields(leaves, doc) == searcher.stored_fields(doc)
    for field in FILTER_FIELDS:
        for term in searcher.reader().lexicon(field):
            text = term.decode()
            ours = set(np.flatnonzero(view.term_mask(leaves, field, text)).tolist())
            assert ours == whoosh_docs(searcher, Term(field, text)), (field, text)


# -- the public-API fallbacks ---------------------------------------------------------------------


class PublicOnly:
    """A Whoosh reader, matcher or column reader that shows only its public names, so the engine
    takes the paths it keeps for readers without the private attributes it reads."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.inner, name)
        if name == "postings":
            return self._wrap_matcher(value)
        if name == "column_reader":
            return lambda *args, **kwargs: PublicOnly(value(*args, **kwargs))
        return value

    def __getitem__(self, key: Any) -> Any:
        return self.inner[key]

    @staticmethod
    def _wrap_matcher(postings: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            matcher = postings(*args, **kwargs)
            if isinstance(matcher, FilterMatcher):  # keep Whoosh's own wrapper, hide its child's privates
                return FilterMatcher(PublicOnly(matcher.child), matcher._ids, exclude=matcher._exclude)
            return PublicOnly(matcher)
        return wrapped


def engine_answers(s: Searcher, words: list[str], public: bool) -> dict[str, Any]:
    """What searches read from the engine, through fast paths or (``public``) the fallbacks."""
    segments.clear_caches()
    view, leaves = view_for(s)
    if public:
        leaves = [(PublicOnly(leaf), offset) for leaf, offset in leaves]
        view = IndexView(("public",) + view.key, leaves)
    scorer = Scorer(view, leaves)
    answers: dict[str, Any] = {
        "docs": [sorted(engine_docs(s, w, view, leaves)) for w in words],
        "vectors": [None if (v := scorer.word_vector(w)) is None else v.tolist() for w in words],
        "masks": {(f, t.decode()): np.flatnonzero(view.term_mask(leaves, f, t.decode())).tolist()
                  for f in FILTER_FIELDS for t in s.reader().lexicon(f)},
        "ages": (view.ints(leaves, "min_age", -1).tolist(), view.ints(leaves, "max_age", -1).tolist()),
        "names": view.name_rank(leaves).tolist(),
        "stored": [view.stored_fields(leaves, d) for d in np.flatnonzero(view.live).tolist()[:200]],
    }
    segments.clear_caches()
    return answers


def test_public_fallbacks_give_the_fast_paths_answers(searcher: Searcher, built: Built) -> None:
    words = built.vocabulary[::3]
    assert engine_answers(searcher, words, public=False) == engine_answers(searcher, words, public=True)

