"""Needs in ranking: the listings that serve what a query asks for come first, and words that carry no
need never decide on their own. :func:`plan_needs` turns the needs read from a query
(:mod:`search_index.query.needs`) into a :class:`NeedPlan` for one index state: the weighted
listings serving each need, the needs no listing serves (*out of scope*: the search hands off to 211
instead of showing near misses), and the text concepts left to score. :func:`need_scores` then ranks
the listings serving the needs above those that only share words with the query, each tier by text
score, quality and distance."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np

from search_index.query.needs import FOLLOW_WEIGHT, OTHER_CATEGORY, CodeSet, Need, NeedReading, is_ancestor, load_needs
from search_index.query.scoring import Scorer, field_terms
from search_index.query.text_forms import tokens
from search_index.query.synonyms import SynonymTable
from search_index.query.understanding import FILLER, SYNONYM_WEIGHT, Alternative, Concept
from search_index.engine.view import IndexView, Leaves, read_only

#: Share of a need's weight given to a listing without taxonomy codes whose text serves it (a
#: code is the stronger evidence).
UNCODED_SHARE = 0.5
#: Weight of a concept made only of words that carry no need.
NONEED_WEIGHT = 0.1
#: Score gap between need tiers per unit of need weight: a tier's steps (at least 0.125 of a
#: weight) stay above any text, quality and distance part (at most 1).
TIER_GAP = 10.0
#: Share of the in-tier score that every listing of a tier gets (so quality and distance still
#: order listings that share no word with the query).
TEXT_FLOOR = 0.05


@dataclass(frozen=True)
class NeedPlan:
    """What the needs of one query mean for one index state: each document's summed need
    weight (``served``, None when no need is in scope), the needs ``met`` and ``unmet``, the text
    ``concepts`` to score, those a result serving no need must match (``bearing``, None: any),
    the search words of every need read (``need_concepts``) and whether the needs were only a
    ``modifier`` of something else."""

    reading: NeedReading
    served: np.ndarray | None
    met: tuple[Need, ...]
    unmet: tuple[Need, ...]
    concepts: tuple[Concept, ...]
    bearing: tuple[Concept, ...] | None
    need_concepts: tuple[Concept, ...] = ()
    #: The needs were read from one word amid foreign words, a name or modifier of something the
    #: directory does not carry ("*Shelter* Island ferry schedule"): set aside
    #: (:func:`search_index.query.foreign.foreign_words`).
    modifier: bool = False

    @property
    def set_aside(self) -> bool:
        """Whether context cancelled every need the words would have said ("stress ball toy")."""
        return not self.reading.found and bool(self.reading.guarded)

    @property
    def out_of_scope(self) -> bool:
        """Whether the query asks only for needs no listing serves, or only for what was set aside."""
        if self.set_aside or self.modifier:
            return True
        weights = self.reading.weights()
        return bool(self.unmet) and not any(weights[n.key] >= FOLLOW_WEIGHT for n in self.met)

    @property
    def unmet_categories(self) -> tuple[str, ...]:
        """The categories of the unmet needs, once each; ``other`` for a query set aside."""
        if (self.set_aside or self.modifier) and not self.unmet:
            return (OTHER_CATEGORY,)
        return tuple(dict.fromkeys(n.category for n in self.unmet))


def _below(lexicon: list[str] | tuple[str, ...], prefix: str) -> list[str]:
    """The codes of the sorted ``lexicon`` that start with ``prefix`` (found by bisection)."""
    return list(itertools.takewhile(lambda code: code.startswith(prefix), lexicon[bisect.bisect_left(lexicon, prefix):]))


def covered_codes(view: IndexView, leaves: Leaves, codes: CodeSet) -> tuple[str, ...]:
    """The taxonomy codes of the index that ``codes`` covers, broad codes included (per state)."""

    def build() -> tuple[str, ...]:
        lexicon = view.lexicon(leaves, "taxonomy_codes")
        found: set[str] = set()
        for entry in codes.include:
            found.update(c for c in _below(lexicon, entry.lstrip("=")) if codes.covers(c))
        found.update(b for b in codes.broad if _below(lexicon, b)[:1] == [b])
        return tuple(sorted(found))

    return view.memo(("need-codes", codes), build)


def _codes_mask(view: IndexView, leaves: Leaves, codes: tuple[str, ...] | list[str]) -> np.ndarray:
    return view.holding(leaves, [("taxonomy_codes", code) for code in codes])


def need_mask(view: IndexView, leaves: Leaves, need: Need) -> np.ndarray:
    """The live documents carrying a code that serves ``need``, kept per index state."""

    def build() -> np.ndarray:
        codes = need.codes
        covered = covered_codes(view, leaves, codes)
        mask = _codes_mask(view, leaves, [c for c in covered if codes.covers(c)])
        broad = [c for c in covered if c in codes.broad]
        if not broad:
            return mask
        mask = mask.copy()
        lexicon = view.lexicon(leaves, "taxonomy_codes")
        for code in broad:
            finer = [c for c in _below(lexicon, code) if is_ancestor(code, c)]
            mask |= _codes_mask(view, leaves, [code]) & ~_codes_mask(view, leaves, finer)
        return read_only(mask)

    return view.bounded(("need", need.codes), build)


def uncoded_mask(view: IndexView, leaves: Leaves) -> np.ndarray:
    """The live documents without any taxonomy code (kept per index state)."""

    def build() -> np.ndarray:
        return read_only(view.live & ~_codes_mask(view, leaves, view.lexicon(leaves, "taxonomy_codes")))

    return view.memo("uncoded", build)


def _lifted(view: IndexView, leaves: Leaves, need: Need, reading: NeedReading) -> bool:
    """Whether another need of the query covers one of ``need``'s ``unless`` codes."""
    assert need.unless is not None
    restricted = covered_codes(view, leaves, need.unless)
    return any(other.key != need.key and any(other.codes.covers(c) for c in restricted)
               for other in reading.needs)


def _folded(word: str) -> str:
    return "".join(tokens(word))


def _need_concept(need: Need, typed: tuple[str, ...], table: SynonymTable) -> Concept:
    """The text a listing serving ``need`` may hold: its search words, ``typed`` and their synonyms."""
    alternatives: dict[tuple[str, ...], Alternative] = {}
    for phrase in need.search:
        alternatives.setdefault(phrase, Alternative(phrase, 1.0, "synonym"))
    for word in typed:
        alternatives.setdefault((word,), Alternative((word,), 1.0, "typed"))
        for phrase in table.expand((word,)):
            alternatives.setdefault(phrase, Alternative(phrase, SYNONYM_WEIGHT, "synonym"))
    return Concept(("need", need.key), tuple(alternatives.values()), len(need.search) > 0)


def literal_words(need: Need, typed: list[str] | tuple[str, ...]) -> list[str]:
    """The words a listing must hold to serve the literal ``need`` read from ``typed``: those that
    do not read, on their own, a need it refines ("dog grooming" is served by a listing holding
    "grooming", not any pet listing holding "dog"); all of ``typed`` when every word does."""
    if not need.refines:
        return list(typed)
    rules = load_needs()
    own = [w for w in typed if not set(need.refines) & set(rules.read(w).keys)]
    return own or list(typed)


def _holding_typed(scorer: Scorer, need: Need, typed: list[str] | tuple[str, ...]) -> np.ndarray:
    """The documents holding one of the words ``need`` was read from (all, when none is known)."""
    if not typed:
        return np.ones(scorer.view.doc_count, dtype=bool)
    concept = Concept(("literal", need.key), tuple(Alternative((w,), 1.0, "typed") for w in dict.fromkeys(typed)))
    vector = scorer.concept_vector(concept)
    return np.zeros(scorer.view.doc_count, dtype=bool) if vector is None else vector > 0


def plan_needs(scorer: Scorer, reading: NeedReading, concepts: tuple[Concept, ...],
               table: SynonymTable) -> NeedPlan:
    """The :class:`NeedPlan` of ``reading`` for the index state of ``scorer``, given the query's
    text ``concepts``. A listing serves a need when it carries one of its codes (and none of its
    ``unless`` codes, unless another need covers them) or, uncoded, when its text holds the need's
    search words or the words it was read from. The words the needs were read from give way to
    the needs' search words, and words that carry no need count for little."""
    view, leaves = scorer.view, scorer.leaves
    weights = reading.weights()
    typed_by_need: dict[str, list[str]] = {}
    for found in reading.found:
        for position in sorted(found.positions):
            word = reading.tokens[position]
            if word not in reading.noneed and word not in reading.filler and word not in FILLER and len(word) > 2:
                typed_by_need.setdefault(found.need.key, []).append(word)
    need_concepts = {need.key: _need_concept(need, tuple(dict.fromkeys(typed_by_need.get(need.key, ()))), table)
                     for need in reading.needs}
    uncoded = uncoded_mask(view, leaves)
    met: list[Need] = []
    unmet: list[Need] = []
    served: np.ndarray | None = None
    for need in reading.needs:
        mask = need_mask(view, leaves, need)
        if need.unless is not None and not _lifted(view, leaves, need, reading):
            mask = mask & ~view.bounded(("need", need.unless), lambda n=need: _codes_mask(
                view, leaves, covered_codes(view, leaves, n.unless)))
        if need.literal:
            mask = mask & _holding_typed(scorer, need, literal_words(need, typed_by_need.get(need.key, ())))
        by_text = None
        if uncoded.any():
            text = scorer.concept_vector(need_concepts[need.key])
            if text is not None:
                by_text = uncoded & (text > 0)
                if need.literal:
                    by_text &= _holding_typed(scorer, need, literal_words(need, typed_by_need.get(need.key, ())))
        if not mask.any() and (by_text is None or not by_text.any()):
            if need.kind == "need" or weights[need.key] == 1.0:
                unmet.append(need)
            continue
        met.append(need)
        if served is None:
            served = np.zeros(view.doc_count, dtype=np.float32)
        weight = np.float32(weights[need.key])
        served += mask.astype(np.float32) * weight
        if by_text is not None:
            served += by_text.astype(np.float32) * (weight * np.float32(UNCODED_SHARE))

    left: list[Concept] = []
    bearing: list[Concept] = []
    for concept in concepts:
        words = [_folded(w) for w in concept.typed]
        if reading.found and all(w in reading.explained for w in words):
            continue
        if all(w in reading.filler for w in words):
            continue
        if all(w in reading.noneed or w in FILLER or w in reading.filler for w in words):
            left.append(Concept(concept.typed, concept.alternatives, concept.is_phrase, NONEED_WEIGHT))
            continue
        left.append(concept)
        bearing.append(concept)
    for need in met:
        left.append(need_concepts[need.key])
        bearing.append(need_concepts[need.key])
    # With only words that carry no need, they are all there is to search (no bearing concepts).
    return NeedPlan(reading, served, tuple(met), tuple(unmet), tuple(left), tuple(bearing) or None,
                    tuple(need_concepts.values()))


#: Fields a listing is named by (a query of words all in one listing's name is a search for it).
NAME_FIELDS = ("name", "name_es")


def names_a_listing(scorer: Scorer, concepts: tuple[Concept, ...], reading: NeedReading) -> bool:
    """Whether the words typed all name one live listing (and are not all needs' words): "Harborlight"."""
    words = [w for c in concepts for w in c.typed if w not in FILLER and _folded(w) not in reading.filler]
    if not words or all(_folded(w) in reading.explained for w in words):
        return False
    view, leaves = scorer.view, scorer.leaves
    named = view.live.copy()
    for word in words:
        named &= view.holding(leaves, [(f, t) for f, t in field_terms(word) if f in NAME_FIELDS])
        if not named.any():
            return False
    return True


def bearing_mask(scorer: Scorer, concepts: tuple[Concept, ...]) -> np.ndarray:
    """The documents matching at least one of ``concepts``."""
    mask = np.zeros(scorer.view.doc_count, dtype=bool)
    for concept in concepts:
        vector = scorer.concept_vector(concept)
        if vector is not None:
            mask |= vector > 0
    return mask


def need_scores(plan: NeedPlan, raw: np.ndarray, docs: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Final scores of ``docs``: their need tier, then normalised text score times ``factors``."""
    text = raw[docs].astype(np.float64)
    top = float(text.max()) if text.size else 0.0
    if top > 0:
        text /= top
    within = (TEXT_FLOOR + (1.0 - TEXT_FLOOR) * text) * factors
    if plan.served is None:
        return within
    return TIER_GAP * plan.served[docs].astype(np.float64) + within
