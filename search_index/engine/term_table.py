"""One field's postings while a segment is written: term ids per word, grouped with numpy at the end.

Every occurrence is recorded as the term id of its word (a regular-expression pass and look-ups
done in C), and :meth:`TermTable.grouped` sorts and counts them with numpy into each term's
documents and frequencies. Words are analysed once each (:mod:`search_index.engine.fast_terms`).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from search_index.engine.fast_terms import analyze_words

#: A word that gives no term (a stop word) has this term id.
STOPPED = -1

WordTerms = dict[str, tuple[bytes, ...]]


class TermTable:
    """The terms and occurrences of one field of the segment being written."""

    def __init__(self) -> None:
        self.ids: dict[bytes, int] = {}  # term bytes -> term id
        self.terms: list[bytes] = []
        self.occurrences = array("i")  # term id of every occurrence, value after value
        self.value_docs: list[int] = []  # the document of each value added
        self.value_sizes: list[int] = []  # how many occurrences each value added
        self.has_stopped = False  # whether some occurrences are STOPPED (to be left out)

    def term_id(self, term: bytes) -> int:
        """The id of ``term`` in this table (a new one the first time)."""
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def add_ids(self, doc: int, ids: Iterable[int]) -> None:
        """Record the occurrences ``ids`` (term ids, repeats counted; :data:`STOPPED` dropped) in ``doc``."""
        before = len(self.occurrences)
        self.occurrences.extend(ids)
        size = len(self.occurrences) - before
        if size:
            self.value_docs.append(doc)
            self.value_sizes.append(size)

    def add_counts(self, doc: int, counts: dict[bytes, int]) -> int:
        """Record ``{term: frequency}`` for ``doc``; returns the sum of the frequencies."""
        ids: list[int] = []
        for term, freq in counts.items():
            ids += [self.term_id(term)] * freq
        self.add_ids(doc, ids)
        return len(ids)

    def grouped(self) -> list[tuple[bytes, list[int], list[int]]]:
        """Every term with its documents and their frequencies, terms in byte order."""
        if not self.occurrences or not self.terms:
            return []
        order = sorted(range(len(self.terms)), key=self.terms.__getitem__)
        rank = np.empty(len(order), dtype=np.int64)
        rank[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        docs = np.repeat(np.array(self.value_docs, dtype=np.int64), self.value_sizes)
        occurrences = np.frombuffer(self.occurrences, dtype=np.int32)
        if self.has_stopped:
            kept = occurrences != STOPPED
            occurrences, docs = occurrences[kept], docs[kept]
            if not len(docs):
                return []
        span = int(docs.max()) + 1
        keys, freqs = np.unique(rank[occurrences] * span + docs, return_counts=True)
        ranks = keys // span
        starts = np.flatnonzero(ranks[1:] != ranks[:-1]) + 1
        bounds = [0, *starts.tolist(), len(keys)]
        doc_list, freq_list = (keys - ranks * span).tolist(), freqs.tolist()
        return [(self.terms[i], doc_list[bounds[k]:bounds[k + 1]], freq_list[bounds[k]:bounds[k + 1]])
                for k, i in enumerate(order)]


class TextTable(TermTable):
    """A :class:`TermTable` for a text field analysed word by word (``shared`` between analyzers' tables)."""

    def __init__(self, find_words: Callable[[str], list[str]], analyzer: Any, shared: WordTerms) -> None:
        super().__init__()
        self.find_words = find_words
        self.analyzer = analyzer
        self.shared = shared
        self.word_ids: dict[str, Any] = {}  # word -> term id, STOPPED, or a tuple of term ids
        self.multi = False  # whether some word gives several terms

    def add_text(self, doc: int, value: str) -> int:
        """Record the terms of ``value`` in ``doc``; returns how many (the field length)."""
        words = self.find_words(value)
        word_ids = self.word_ids
        ids = list(map(word_ids.get, words))
        if None in ids:
            self._learn([word for word in dict.fromkeys(words) if word not in word_ids])
            ids = list(map(word_ids.__getitem__, words))
        if self.multi:
            ids = [t for x in ids for t in (x if isinstance(x, tuple) else (x,))]
        self.add_ids(doc, ids)  # stop words too: dropped by grouped(), all at once
        return len(ids) - ids.count(STOPPED)

    def _learn(self, words: list[str]) -> None:
        """Give each of ``words`` (new to this table) its term ids."""
        shared = self.shared
        new = [word for word in words if word not in shared]
        if new:
            shared.update(zip(new, analyze_words(self.analyzer, new)))
        for word in words:
            self._learn_word(word, shared[word])

    def _learn_word(self, word: str, terms: tuple[bytes, ...]) -> None:
        if not terms:
            self.word_ids[word] = STOPPED
            self.has_stopped = True
        elif len(terms) == 1:
            self.word_ids[word] = self.term_id(terms[0])
        else:
            self.word_ids[word] = tuple(self.term_id(t) for t in terms)
            self.multi = True
