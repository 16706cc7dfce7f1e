"""Scoring free text against the index: concepts -> per-document scores and coverage.

Scores are float32 vectors over all documents of the index state. A word is scored by BM25 in
every text field with that field's analyzer, weighted per field; an alternative of several words
needs all of them; a concept takes its best alternative; the query score sums the concepts,
scaled by *coverage* (how many a document matches). Very common words are left out when the
query has others, and unknown words get typo alternatives from the ``spell`` field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from search_index.engine import segments
from search_index.engine.analysis import english_terms, spanish_terms, stop_list
from search_index.engine.schema import ENGLISH_FIELDS, SPANISH_FIELDS
from search_index.query.synonyms import SynonymTable
from search_index.query.understanding import SYNONYM_WEIGHT, Alternative, Concept
from search_index.engine.view import IndexView, Leaves, read_only

#: How much a match in each field counts.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "name_es": 3.0,
    "taxonomy_names": 2.5,
    "organization": 1.2,
    "description": 1.0,
    "description_es": 1.0,
    "eligibility": 0.6,
    "cost": 0.4,
    "accessibility": 0.3,
}
#: A word in more than this fraction of documents is skipped when the query has other words.
COMMON_FRACTION = 0.30
#: Weights of typo alternatives, by edit distance.
FUZZY_WEIGHTS = {1: 0.75, 2: 0.55}
#: Typo alternatives kept per word.
MAX_FUZZY = 3
#: Share of a concept's other matching alternatives added to its best one.
OTHER_ALTERNATIVES_SHARE = 0.3
#: Decimals an idf is rounded to. An edit changes the document counts a little, and so every
#: idf in its last digits; rounded, a word's weights stay the same across most edits, so its
#: scores in the large segments are computed once (``segments.word_scores``), not after each edit.
IDF_DECIMALS = 3
#: Shortest word that gets typo alternatives.
MIN_FUZZY_LENGTH = 4
#: The stop words of either language (``is_stop_word``).
_STOP_WORDS = stop_list("en") | stop_list("es")


def field_terms(word: str) -> tuple[tuple[str, str], ...]:
    """The ``(field, term)`` pairs a folded word is searched as in the text fields."""
    en = english_terms(word)
    es = spanish_terms(word)
    pairs = [(f, t) for f in ENGLISH_FIELDS for t in en]
    pairs += [(f, t) for f in SPANISH_FIELDS for t in es]
    return tuple(pairs)


def is_stop_word(word: str) -> bool:
    """Whether ``word`` is a stop word in English or in Spanish ("after", "de"); a plain folded
    word is looked up in both stop lists (the analyzers' stop filters drop no other one-word text)."""
    if word.isascii() and word.isalnum() and word.islower():
        return word in _STOP_WORDS
    return not any(english_terms.kept(word)) or not any(spanish_terms.kept(word))


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance between ``a`` and ``b`` (capped at ``limit``)."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        previous2, previous = previous, current
    return min(previous[-1], limit)


@dataclass
class Scorer:
    """Scores concepts against one index state; memoises word and concept vectors per search."""

    view: IndexView
    leaves: Leaves
    _words: dict[str, np.ndarray | None] = field(default_factory=dict)
    _concepts: dict[Concept, np.ndarray | None] = field(default_factory=dict)

    # -- statistics ------------------------------------------------------------------------

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents (deleted ones included) hold ``fieldname:text``."""

        def build() -> int:
            total = 0
            for leaf, _ in self.leaves:
                try:
                    total += leaf.doc_frequency(fieldname, text)
                except Exception:  # noqa: BLE001 - term absent from this segment
                    continue
            return total

        return self.view.stat(("df", fieldname, text), build)

    def is_common(self, word: str) -> bool:
        """Whether ``word`` is in more than :data:`COMMON_FRACTION` of the documents."""
        return self.doc_frequency("spell", word) > COMMON_FRACTION * max(self.view.live_count, 1)

    def in_vocabulary(self, word: str) -> bool:
        """Whether any document holds ``word`` (unstemmed)."""
        return self.doc_frequency("spell", word) > 0

    # -- typos -----------------------------------------------------------------------------

    def corrections(self, word: str) -> list[tuple[str, int]]:
        """Vocabulary words close to ``word``, best first, as ``(word, edit distance)``."""
        if len(word) < MIN_FUZZY_LENGTH or not word.isalpha():
            return []

        def build() -> tuple[tuple[str, int], ...]:
            maxdist = 1 if len(word) < 7 else 2
            found: set[str] = set()
            for leaf, _ in self.leaves:
                found |= segments.spelling_candidates(leaf, word, maxdist == 2)
            scored = []
            for candidate in found:
                if candidate == word or not candidate.isalpha():
                    continue
                distance = edit_distance(word, candidate)
                if distance <= maxdist:
                    scored.append((distance, -self.doc_frequency("spell", candidate), candidate))
            scored.sort()
            return tuple((c, d) for d, _, c in scored[:MAX_FUZZY])

        return list(self.view.stat(("fuzzy", word), build))

    def with_typos(self, concepts: Iterable[Concept], table: SynonymTable) -> list[Concept]:
        """``concepts`` with typo alternatives added to single unknown words."""
        result = []
        for concept in concepts:
            typed = concept.typed
            if len(typed) != 1 or self.in_vocabulary(typed[0]):
                result.append(concept)
                continue
            alternatives = list(concept.alternatives)
            known = {a.words for a in alternatives}
            for word, distance in self.corrections(typed[0]):
                weight = FUZZY_WEIGHTS.get(distance, 0.5)
                for phrase, w in [((word,), weight)] + [
                    (p, weight * SYNONYM_WEIGHT) for p in table.expand((word,))
                ]:
                    if phrase not in known:
                        known.add(phrase)
                        alternatives.append(Alternative(phrase, w, "fuzzy"))
            result.append(Concept(typed, tuple(alternatives), concept.is_phrase, concept.weight))
        return result

    # -- scores ----------------------------------------------------------------------------

    def word_weights(
        self, word: str
    ) -> tuple[tuple[tuple[str, str], ...], list[segments.WordPostings], np.ndarray] | None:
        """How ``word`` is scored in this state: its ``(field, term)`` pairs, its postings in each
        segment, and each pair's weight (field weight times idf rounded to :data:`IDF_DECIMALS`);
        None when no document holds it. Kept per state, so it holds no segment reader."""
        return self.view.stat(("weights", word), lambda: (self._word_weights(word),))[0]

    def _word_weights(
        self, word: str
    ) -> tuple[tuple[tuple[str, str], ...], list[segments.WordPostings], np.ndarray] | None:
        pairs = field_terms(word)
        if not pairs:
            return None
        found = [segments.word_postings(leaf, word, pairs) for leaf, _offset in self.leaves]
        df = sum(postings.counts for postings in found)
        if not df.any():
            return None
        # Live documents: an edit deletes one and adds one, so only the edited listing's words
        # see their counts move. The frequencies still count deleted documents until a merge
        # drops them (as Whoosh's do), hence the bound.
        n = max(self.view.live_count, 1)
        df = np.minimum(df, n)
        idf = np.round(np.log(1.0 + (n - df + 0.5) / (df + 0.5)), IDF_DECIMALS)
        weights = (np.array([FIELD_WEIGHTS[f] for f, _t in pairs]) * idf).astype(np.float32)
        return pairs, found, weights

    def word_vector(self, word: str) -> np.ndarray | None:
        """BM25 over the text fields for one folded word (None when no document has it)."""
        if word in self._words:
            return self._words[word]

        def build() -> np.ndarray | None:
            weighted = self.word_weights(word)
            if weighted is None:
                return None
            pairs, found, weights = weighted
            vec = np.zeros(self.view.doc_count, dtype=np.float32)
            for postings, (leaf, offset) in zip(found, self.leaves):
                if postings.ids.size:
                    ids, scores = segments.word_scores(leaf, word, pairs, weights)
                    vec[ids + offset if offset else ids] = scores
            return read_only(vec)

        vec = self.view.vector(("word", word), lambda: (build(),))[0]
        self._words[word] = vec
        return vec

    def alternative_vector(self, alternative: Alternative) -> np.ndarray | None:
        """The mean word score of the documents holding every searchable word of ``alternative``."""
        searchable = [w for w in alternative.words if not is_stop_word(w)]
        if not searchable:
            searchable = [w for w in alternative.words if field_terms(w)]
        if not searchable:
            return None
        vectors = []
        for word in searchable:
            vec = self.word_vector(word)
            if vec is None:
                return None
            vectors.append(vec)
        if len(vectors) == 1:
            return vectors[0]
        mask = vectors[0] > 0
        total = vectors[0].copy()
        for vec in vectors[1:]:
            mask &= vec > 0
            total += vec
        total *= np.float32(1.0 / len(vectors))
        total[~mask] = 0
        return total

    def concept_vector(self, concept: Concept) -> np.ndarray | None:
        """Each document's best weighted alternative score for ``concept``, plus
        :data:`OTHER_ALTERNATIVES_SHARE` of the other alternatives it matches (memoised)."""
        if concept not in self._concepts:
            self._concepts[concept] = self._concept_vector(concept)
        return self._concepts[concept]

    def _concept_vector(self, concept: Concept) -> np.ndarray | None:
        alternatives = concept.alternatives
        if len(alternatives) == 1 and alternatives[0].weight == 1.0:
            return self.alternative_vector(alternatives[0])
        best: np.ndarray | None = None
        total: np.ndarray | None = None
        for alternative in alternatives:
            vec = self.alternative_vector(alternative)
            if vec is None:
                continue
            weighted = vec * np.float32(alternative.weight)
            if best is None or total is None:
                best = weighted
                total = weighted.copy()
            else:
                np.maximum(best, weighted, out=best)
                total += weighted
        if best is None or total is None:
            return None
        total -= best
        total *= np.float32(OTHER_ALTERNATIVES_SHARE)
        total += best
        return total

    def score(self, concepts: list[Concept]) -> np.ndarray:
        """The raw score of every document: weighted concept scores summed, scaled by the
        squared (weighted) share of the concepts it matches. Very common single words are left
        out when others remain; generic words ("program") count at their concept weight."""
        kept = [
            c
            for c in concepts
            if not (len(c.typed) == 1 and len(c.alternatives) == 1 and self.is_common(c.typed[0]))
        ]
        if not kept:
            kept = list(concepts)
        scored = [(c.weight, v) for c, v in ((c, self.concept_vector(c)) for c in kept) if v is not None]
        if not scored:
            return np.zeros(self.view.doc_count, dtype=np.float32)
        if len(kept) == 1:
            return scored[0][1]
        total_weight = np.float32(sum(c.weight for c in kept))
        acc = np.zeros(self.view.doc_count, dtype=np.float32)
        covered = np.zeros(self.view.doc_count, dtype=np.float32)
        for weight, vec in scored:
            w = np.float32(weight)
            acc += vec * w if weight != 1.0 else vec
            covered += (vec > 0) * w
        covered /= total_weight
        acc *= covered * covered
        return acc
