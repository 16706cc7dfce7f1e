"""Scoring free text against the index: concepts -> per-document scores and coverage.

A word is scored in every text field with that field's analyzer (English fields with English
stems, Spanish fields with Spanish stems) by BM25, weighted per field (a match in the name
counts more than one in the description). An alternative of several words needs all of them;
a concept takes its best alternative; the query score is the sum over concepts, and the
*coverage* (how many concepts a document matches) scales it, so documents matching more of the
query rank higher. Very common words (in more than :data:`COMMON_FRACTION` of the documents)
are left out when the query has other words: they cost the most and rank the least.

Words that are not in the index's vocabulary get typo alternatives: the closest words of the
``spell`` field within one edit (two for words of seven letters or more).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from search_index import segments
from search_index.analysis import english_analyzer, spanish_analyzer, terms
from search_index.schema import ENGLISH_FIELDS, SPANISH_FIELDS
from search_index.synonyms import SynonymTable
from search_index.understanding import SYNONYM_WEIGHT, Alternative, Concept
from search_index.view import IndexView, Leaves

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
#: Shortest word that gets typo alternatives.
MIN_FUZZY_LENGTH = 4


@functools.lru_cache(maxsize=20000)
def field_terms(word: str) -> tuple[tuple[str, str], ...]:
    """The ``(field, term)`` pairs a folded word is searched as in the text fields."""
    en = terms(english_analyzer(), word)
    es = terms(spanish_analyzer(), word)
    pairs = [(f, t) for f in ENGLISH_FIELDS for t in en]
    pairs += [(f, t) for f in SPANISH_FIELDS for t in es]
    return tuple(pairs)


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
    """Scores concepts against one index state; memoises idf and word scores per search."""

    view: IndexView
    leaves: Leaves
    _words: dict[str, dict[int, float]] = field(default_factory=dict)

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

        return self.view.memo(("df", fieldname, text), build)

    def idf(self, fieldname: str, text: str) -> float:
        """BM25 idf of a term in a field."""
        n = max(self.view.doc_count, 1)
        df = self.doc_frequency(fieldname, text)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

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
                try:
                    found.update(leaf.terms_within("spell", word, maxdist, prefix=1))
                except Exception:  # noqa: BLE001 - no spell field in this segment
                    continue
            scored = []
            for candidate in found:
                if candidate == word or not candidate.isalpha():
                    continue
                distance = edit_distance(word, candidate)
                if distance <= maxdist:
                    scored.append((distance, -self.doc_frequency("spell", candidate), candidate))
            scored.sort()
            return tuple((c, d) for d, _, c in scored[:MAX_FUZZY])

        return list(self.view.memo(("fuzzy", word), build))

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
            result.append(Concept(typed, tuple(alternatives), concept.is_phrase))
        return result

    # -- scores ----------------------------------------------------------------------------

    def word_scores(self, word: str) -> dict[int, float]:
        """BM25 over the text fields for one folded word: ``{docnum: score}``."""
        cached = self._words.get(word)
        if cached is not None:
            return cached
        acc: dict[int, float] = {}
        get = acc.get
        for fieldname, term in field_terms(word):
            weight = FIELD_WEIGHTS[fieldname] * self.idf(fieldname, term)
            for leaf, offset in self.leaves:
                ids, parts = segments.scored_postings(leaf, fieldname, term)
                if not ids:
                    continue
                if offset:
                    for d, p in zip(ids, parts):
                        d += offset
                        acc[d] = get(d, 0.0) + p * weight
                else:
                    for d, p in zip(ids, parts):
                        acc[d] = get(d, 0.0) + p * weight
        self._words[word] = acc
        return acc

    def alternative_scores(self, alternative: Alternative) -> dict[int, float]:
        """Documents holding every searchable word of ``alternative``, with summed scores."""
        parts = [self.word_scores(w) for w in alternative.words if field_terms(w)]
        if not parts:
            return {}
        if len(parts) == 1:
            return parts[0]
        parts.sort(key=len)
        first, rest = parts[0], parts[1:]
        result: dict[int, float] = {}
        for d, s in first.items():
            total = s
            for other in rest:
                v = other.get(d)
                if v is None:
                    break
                total += v
            else:
                result[d] = total
        return result

    def concept_scores(self, concept: Concept) -> dict[int, float]:
        """Each document's best weighted alternative score for ``concept``."""
        alternatives = concept.alternatives
        if len(alternatives) == 1 and alternatives[0].weight == 1.0:
            return self.alternative_scores(alternatives[0])
        best: dict[int, float] = {}
        get = best.get
        for alternative in alternatives:
            scores = self.alternative_scores(alternative)
            w = alternative.weight
            if not scores:
                continue
            if not best and w == 1.0:
                best = dict(scores)
                get = best.get
                continue
            for d, s in scores.items():
                s *= w
                if s > get(d, 0.0):
                    best[d] = s
        return best

    def score(self, concepts: list[Concept]) -> tuple[dict[int, float], dict[int, int], int]:
        """``(scores, matched concept counts, number of concepts)``; counts are empty when
        there is only one concept (every match then covers the whole query)."""
        kept = [
            c
            for c in concepts
            if not (len(c.typed) == 1 and len(c.alternatives) == 1 and self.is_common(c.typed[0]))
        ]
        if not kept:
            kept = list(concepts)
        if len(kept) == 1:
            return self.concept_scores(kept[0]), {}, 1
        acc: dict[int, float] = {}
        counts: dict[int, int] = {}
        get = acc.get
        cget = counts.get
        for concept in kept:
            for d, s in self.concept_scores(concept).items():
                acc[d] = get(d, 0.0) + s
                counts[d] = cget(d, 0) + 1
        return acc, counts, len(kept)
