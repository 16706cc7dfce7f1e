"""Read the postings of the directory's common words before the first search needs them.

A word's postings are read from the index files the first time a process needs them and then
kept per segment (:mod:`search_index.engine.segments`); for a common word that first read is most
of the search (a new worker's first searches took 0.3-1.4 s on 10,000 services, then 5 ms).
:func:`warm_words` reads ahead the words of the synonym table, of the needs and the most common.
"""

from __future__ import annotations

from collections.abc import Iterable

from search_index.engine.store import Searcher

from search_index.engine import segments
from search_index.query.scoring import Scorer
from search_index.query.synonyms import SynonymTable
from search_index.engine.view import view_for

#: How many of the directory's most frequent words :func:`common_words` gives.
COMMON_WORDS = 400


def table_words(table: SynonymTable) -> list[str]:
    """Every word of every phrase of ``table`` (typed and meant), sorted."""
    found: set[str] = set()
    for phrase, others in table.expansions.items():
        found.update(phrase)
        for other in others:
            found.update(other)
    return sorted(found)


def common_words(searcher: Searcher, limit: int = COMMON_WORDS) -> list[str]:
    """The ``limit`` words held by the most documents (the ``spell`` field), most frequent first."""
    reader = searcher.reader()
    try:
        ranked = reader.most_frequent_terms("spell", number=limit)
    except Exception:  # noqa: BLE001 - an index without the field: nothing to warm
        return []
    return [term.decode("utf-8", "ignore") if isinstance(term, bytes) else str(term)
            for _frequency, term in ranked]


def warm_words(searcher: Searcher, words: Iterable[str]) -> int:
    """Score ``words`` and build each segment's spelling index; how many words some document holds."""
    view, leaves = view_for(searcher)
    for leaf, _offset in leaves:
        segments.spelling_index(leaf)
    scorer = Scorer(view, leaves)
    return sum(1 for word in dict.fromkeys(words) if scorer.word_vector(word) is not None)


def warm_crisis_rules() -> None:
    """Load the crisis data files, the known-word lists and the examples (about a second) ahead."""
    from search_index.query.crisis import current_backstop, load_rules
    from search_index.query.known_words import known_words

    load_rules()
    known_words()
    current_backstop()


def need_words() -> list[str]:
    """Every word the needs search listings' text for (``needs.csv``'s ``search`` column), sorted."""
    from search_index.query.needs import load_needs

    return sorted({w for need in load_needs().needs.values() for phrase in need.search for w in phrase})


def warm_need_rules() -> None:
    """Load the needs data files (about half a second with the index of misspellings) and the
    English word counts the scope rules weigh typo corrections by ahead."""
    from search_index.query.known_words import english_count
    from search_index.query.needs import load_needs

    load_needs()
    english_count("")
