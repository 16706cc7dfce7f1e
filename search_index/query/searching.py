"""Search: :func:`search` runs a :class:`SearchRequest` against a Whoosh searcher.

Flow: concepts (synonyms, filler out) -> needs -> crisis check -> typo alternatives -> BM25
scores with coverage -> filters -> facets -> crisis lines pinned -> top by need tier, score and
quality -> snippets and flags -> a "did you mean" when results are few. Results are cached per
index state and request. ``search`` never raises: unusable parameters are clamped or dropped
(:func:`~search_index.query.request.validate_request` rejects bad input), and the text never
reaches a query parser.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import operator
from typing import Any

import numpy as np
from directory_data.models import utcnow
from search_index.engine.store import Searcher

from search_index.query.cache import ResultCache, default_cache
from search_index.query.crisis import CrisisMatch, CrisisRules, load_rules
from search_index.query.filters import build_filters
from search_index.query.need_ranking import NeedPlan, bearing_mask, names_a_listing, need_scores, plan_needs
from search_index.query.foreign import foreign_words
from search_index.query.known_words import english_count, is_known
from search_index.query.lexicon import Lexicon
from search_index.query.needs import OTHER_CATEGORY, load_needs
from search_index.query.ranking import (
    BEST_MATCH_SHARE,
    distance_factor,
    nearest_first,
    quality,
    stale_mask,
    top,
)
from search_index.query.request import (
    Effective,
    InvalidRequest,
    SearchRequest,
    effective,
    parse_request,
    validate_request,
)
from search_index.query.results import Hit, SearchResults
from search_index.query.scoring import Scorer
from search_index.query.text_forms import fold
from search_index.query.snippets import QueryForms, highlight, query_forms
from search_index.query.synonyms import SynonymTable, load_synonyms
from search_index.query.understanding import FILLER, Alternative, Concept, ParsedQuery, parse_query
from search_index.engine.view import IndexView, Leaves, view_for

__all__ = [
    "Hit",
    "InvalidRequest",
    "SearchRequest",
    "SearchResults",
    "parse_request",
    "search",
    "validate_request",
]

log = logging.getLogger(__name__)

#: Weight of the related listings of a pinned crisis line, as an alternative of the query.
RELATED_WEIGHT = 0.9
#: Fewer results than this bring a "did you mean" suggestion.
SUGGEST_BELOW = 3


#: The parameters a request's key holds as they are (the others are rounded).
_AS_IS = operator.attrgetter(*(f.name for f in dataclasses.fields(SearchRequest)
                                if f.name not in ("near", "now", "room_since")))


def _request_key(req: Effective) -> tuple[Any, ...]:
    """Every parameter of ``req``, ``near`` rounded and ``now`` to the minute (open now only)."""
    near = (round(req.near[0], 4), round(req.near[1], 4)) if req.near else None
    minute = req.now.astimezone(dt.timezone.utc).replace(second=0, microsecond=0) if req.open_now else None
    room = req.room_since.astimezone(dt.timezone.utc).replace(second=0, microsecond=0) if req.room_since else None
    return (*_AS_IS(req), near, minute, room)


@dataclasses.dataclass(frozen=True)
class _Cached:
    """A result with its hits' doc numbers in the state it was computed in."""

    results: SearchResults
    docnums: tuple[int, ...]


def search(
    searcher: Searcher,
    request: SearchRequest,
    *,
    cache: ResultCache | None = default_cache,
) -> SearchResults:
    """Run ``request`` on ``searcher`` (``cache=None``: without the result cache). Never raises."""
    req = effective(request, utcnow())
    try:
        return _search(searcher, req, cache)
    except Exception:  # noqa: BLE001 - the last line of defence: a user never sees an error
        log.exception("search failed for %r; answering with crisis lines only", req.q[:200])
        return _fallback(req)


def _fallback(req: Effective) -> SearchResults:
    """Results with no hits but still the crisis lines the text calls for."""
    try:
        crisis = load_rules().match(req.q[:2000], req.lang)
    except Exception:  # noqa: BLE001
        crisis = None
    return SearchResults(query=req.q[:2000], total=0, page=req.page, per_page=req.per_page, crisis=crisis)


def _parsed(searcher: Searcher, req: Effective) -> tuple[IndexView, Leaves, Effective, ParsedQuery]:
    """The searcher's index view, and ``req`` with its text as the query parser read it."""
    view, leaves = view_for(searcher)
    parsed = parse_query(req.q, load_synonyms())
    return view, leaves, req if parsed.text == req.q else dataclasses.replace(req, q=parsed.text), parsed


def _search(searcher: Searcher, req: Effective, cache: ResultCache | None) -> SearchResults:
    view, leaves, req, parsed = _parsed(searcher, req)
    key = _request_key(req)
    if cache is not None:
        cached = cache.get(view.key, key)
        if cached is not None:
            return _refresh_open_flags(cached, view, leaves, req.now)
    cached = _run(view, leaves, req, parsed.concepts, parsed.words)
    if cache is not None:
        cache.put(view.key, key, cached)
    return cached.results


def _refresh_open_flags(cached: _Cached, view: IndexView, leaves: Leaves, now: dt.datetime) -> SearchResults:
    hits = [
        dataclasses.replace(hit, open_now=view.open_flag(leaves, d, now)) if d >= 0 else hit
        for hit, d in zip(cached.results.hits, cached.docnums)
    ]
    return dataclasses.replace(cached.results, hits=hits)


def _crisis(
    rules: CrisisRules, view: IndexView, leaves: Leaves, text: str, lang: str
) -> tuple[CrisisMatch | None, list[int]]:
    match = rules.match(text, lang)
    if match is None:
        return None, []
    assured = view.ints(leaves, "assured", 0)
    pinned: list[int] = []
    for line in match.lines:
        mask = view.holding(leaves, [("phones", p) for p in line.phones]
                            + [("taxonomy_codes", c) for c in line.taxonomy_codes]).copy()
        if pinned:
            mask[pinned] = False
        docs = np.flatnonzero(mask)
        if docs.size:
            # The most recently verified listing of the line (the lowest doc number on a tie).
            best = docs[np.lexsort((docs, -assured[docs]))[0]]
            pinned.append(int(best))
    ids = tuple(view.stored_fields(leaves, d).get("id", "") for d in pinned)
    return dataclasses.replace(match, service_ids=ids), pinned


@dataclasses.dataclass(frozen=True)
class _Ranking:
    """What a search ranks: scores, candidates (every filter applied), pinned lines, facets..."""

    raw: np.ndarray
    candidates: np.ndarray
    pinned: list[int]
    facets: dict[str, dict[str, int]]
    filters: Any
    crisis: CrisisMatch | None
    concept_list: list[Concept]
    tiebreak: np.ndarray | None
    scorer: Scorer
    plan: NeedPlan | None


def _rank(view: IndexView, leaves: Leaves, req: Effective, concepts: tuple[Concept, ...]) -> _Ranking:
    table = load_synonyms()
    scorer = Scorer(view, leaves)
    filters = build_filters(view, leaves, req)
    crisis, pinned = _crisis(load_rules(), view, leaves, req.q, req.lang)
    plan = _need_plan(scorer, req.q, concepts, table, crisis is not None)
    if plan is not None and plan.out_of_scope:
        # Nothing ranks: the caller answers with the pinned lines and the unmet needs alone.
        nothing = np.zeros(view.doc_count, dtype=bool)
        return _Ranking(np.zeros(view.doc_count), nothing, pinned, {"category": {}}, filters, crisis, [], None,
                        scorer, plan)

    # Raw scores; the needs replace the words they were read from; a crisis adds its lines'
    # related listings as a concept.
    text_concepts = concepts if plan is None else tuple(c for c in plan.concepts if c.typed[0] != "need")
    concept_list = scorer.with_typos(text_concepts, table) if text_concepts else []
    if plan is not None:
        concept_list += [c for c in plan.concepts if c.typed[0] == "need"]
    if crisis is not None and concept_list:
        concept_list.append(_related_concept(crisis))
    if concept_list:
        raw = scorer.score(concept_list).astype(np.float64)
        candidates = raw > 0
        if plan is not None and plan.bearing is not None:
            candidates &= bearing_mask(scorer, plan.bearing)
        if plan is not None and plan.served is not None:
            candidates |= plan.served > 0
        candidates &= view.live
        tiebreak = None
    else:
        raw = np.ones(view.doc_count, dtype=np.float64)
        candidates = view.live.copy()
        # Browsing: equal scores, so order by name (folded into the score, far below any factor).
        tiebreak = view.name_rank(leaves)
    if filters.other is not None:
        candidates &= filters.other

    # Facets before the category filter.
    facets = {"category": _category_counts(view, leaves, candidates)}
    if filters.category is not None:
        candidates &= filters.category

    if pinned:
        candidates[pinned] = False
    return _Ranking(raw, candidates, pinned, facets, filters, crisis, concept_list, tiebreak, scorer, plan)


def _ordered(
    view: IndexView, leaves: Leaves, req: Effective, ranking: _Ranking, need: int
) -> tuple[list[tuple[float, int, bool]], bool]:
    """The best ``need`` candidates of ``ranking`` (pinned lines aside) as ``(score, docnum,
    best)``, and whether they are nearest first (``sort=distance`` with a position:
    :func:`~search_index.query.ranking.nearest_first`), else by score."""
    docs = np.flatnonzero(ranking.candidates) if need else np.zeros(0, dtype=np.int64)
    factors = quality(view, leaves, req.today, req.stale_after_days)[docs]
    by_distance = req.sort == "distance" and ranking.filters.distances is not None
    if not by_distance and ranking.filters.distances is not None:
        factors = factors * distance_factor(ranking.filters.distances[docs])
    if ranking.plan is not None and ranking.concept_list:
        final = need_scores(ranking.plan, ranking.raw, docs, factors)
    else:
        final = ranking.raw[docs] * factors
    if by_distance:
        # The score decides which group a listing is in, its distance where in it.
        share = BEST_MATCH_SHARE if ranking.concept_list else 0.0
        return nearest_first(docs, final, ranking.filters.distances[docs], need, ranking.tiebreak,
                             share=share), True
    if ranking.tiebreak is not None:
        final -= ranking.tiebreak[docs] * (1e-7 / max(view.doc_count, 1))
    return [(score, d, True) for score, d in top(docs, final, need, ranking.tiebreak)], False


def ranked_service_ids(searcher: Searcher, request: SearchRequest, limit: int) -> tuple[list[str], int]:
    """The ids of the first ``limit`` services ``request`` finds in :func:`search`'s order, and how many."""
    view, leaves, req, parsed = _parsed(searcher, effective(dataclasses.replace(request, page=1, per_page=1), utcnow()))
    ranking = _rank(view, leaves, req, parsed.concepts)
    total = int(np.count_nonzero(ranking.candidates)) + len(ranking.pinned)
    ordered, _ = _ordered(view, leaves, req, ranking, max(0, limit - len(ranking.pinned)))
    docs = ranking.pinned[:limit] + [d for _, d, _ in ordered]
    return [str(view.stored_fields(leaves, d).get("id", "")) for d in docs], total


def _run(
    view: IndexView,
    leaves: Leaves,
    req: Effective,
    concepts: tuple[Concept, ...],
    words: tuple[str, ...],
) -> _Cached:
    ranking = _rank(view, leaves, req, concepts)
    scorer, pinned, crisis, plan = ranking.scorer, ranking.pinned, ranking.crisis, ranking.plan
    if plan is not None and plan.out_of_scope:
        return _out_of_scope(view, leaves, req, ranking)
    filters, concept_list = ranking.filters, ranking.concept_list
    total = int(np.count_nonzero(ranking.candidates)) + len(pinned)
    start = (req.page - 1) * req.per_page
    stop = start + req.per_page
    need_regular = max(0, stop - len(pinned))
    ranked, by_distance = _ordered(view, leaves, req, ranking, need_regular)
    if WEAK_MATCHES_OUT_OF_SCOPE and _weak_only(req, ranking, ranked):
        return _out_of_scope(view, leaves, req, ranking, unmet=(OTHER_CATEGORY,))

    top_score = max((score for score, _, _ in ranked), default=1.0)
    ordered: list[tuple[float, int, bool, bool]] = [(top_score + 1.0, d, True, True) for d in pinned]
    ordered += [(score, d, False, best) for score, d, best in ranked]
    page = ordered[start:stop]

    forms = query_forms(
        w for c in concept_list for a in c.alternatives for w in a.words if w not in FILLER
    )
    stale = stale_mask(view, leaves, req.today, req.stale_after_days)
    hits = [
        _hit(view, leaves, filters.distances, stale, req, forms, d, score, is_pin, best)
        for score, d, is_pin, best in page
    ]
    suggestion = _suggest(scorer, concepts, words) if concepts and total < SUGGEST_BELOW else None
    results = SearchResults(
        query=req.q,
        total=total,
        page=req.page,
        per_page=req.per_page,
        hits=hits,
        facets=ranking.facets,
        suggestion=suggestion,
        crisis=crisis,
        notices=("zip-unknown",) if filters.zip_unknown else (),
        needs=plan.reading.keys if plan is not None else (),
        unmet_needs=plan.unmet_categories if plan is not None else (),
        covered=view.lexicon(leaves, "categories") if plan is not None and plan.unmet else (),
        sorted_by="distance" if by_distance else "relevance",
    )
    return _Cached(results, tuple(d for _, d, _, _ in page))


def _need_plan(scorer: Scorer, text: str, concepts: tuple[Concept, ...], table: SynonymTable,
               crisis: bool = False) -> NeedPlan | None:
    """The needs ``text`` expresses, planned for this index state (None: nothing to plan); set
    aside as a ``modifier`` when :func:`_read_as_modifier` (never when a crisis was read)."""
    if not concepts:
        return None
    reading = load_needs().read(text)
    if not reading.found and not reading.noneed and not reading.filler and not reading.guarded:
        return None
    plan = plan_needs(scorer, reading, concepts, table)
    if not crisis and _read_as_modifier(scorer, plan):
        plan = dataclasses.replace(plan, modifier=True)
    if plan.out_of_scope and names_a_listing(scorer, concepts, reading):
        return None  # a listing's name, read as needs the directory does not serve
    return plan


#: Fewest foreign words beside a need read from one word for it to be set aside.
MODIFIER_MIN_FOREIGN = 2


def _read_as_modifier(scorer: Scorer, plan: NeedPlan) -> bool:
    """Whether every need of ``plan`` was read from one and the same word, beside at least
    :data:`MODIFIER_MIN_FOREIGN` foreign words that make at least half of the other words that
    carry meaning: the need's word then names or modifies something the directory does not carry
    ("shelter island ferry schedule"); "a shelter near the ferry" keeps it (one foreign word)."""
    found = plan.reading.found
    if not found or len({p for f in found for p in f.positions}) != 1:
        return False
    content = [c for c in plan.concepts if c.typed[0] != "need" and c.weight >= 1.0]
    foreign = foreign_words(scorer, content, load_needs().lexicon)
    return len(foreign) >= MODIFIER_MIN_FOREIGN and len(foreign) * 2 >= len(content)


#: Whether a text that expresses no need and whose best listing matches fewer than half of its
#: words is answered as out of scope (see :func:`_weak_only`).
WEAK_MATCHES_OUT_OF_SCOPE = True
#: Longest text (in words that carry meaning) the rule applies to without a foreign word: a
#: sentence of distress often shares only a few of its words with the listing that serves it.
WEAK_RULE_MAX_WORDS = 3


def _weak_only(req: Effective, ranking: _Ranking, ranked: list[tuple[float, int, bool]]) -> bool:
    """Whether ``ranking`` has only weak matches for a text that expresses no need: no need read
    (nor set aside), no crisis, no category chosen, and one of:

    * at least :data:`MODIFIER_MIN_FOREIGN` foreign words (:func:`foreign_words`), making at least
      half of the words that carry meaning, whatever matched ("rent a bounce house for my son's
      birthday": the text is about things the directory does not carry, as for a need's word
      amid foreign words, :func:`_read_as_modifier`);
    * no listing at all and a foreign word;
    * no word known to the needs data, even misspelt, and a best listing that misses one of the
      words ("pool cleaning service", "lottery numbers tonight": a person asking for help names
      a need, or a service or place the best listing names);
    * a best listing that matches fewer than half of the words that carry meaning, the text
      having at most :data:`WEAK_RULE_MAX_WORDS` of them ("lawn mower repair") or a foreign word
      ("adult softball league sign up", "crisis management consulting firm").

    A listing matches a word when it holds it as typed or one of its synonyms: a typo correction
    of a common word ("wedding" read as "ending") is no match."""
    plan = ranking.plan
    if ranking.crisis is not None or req.categories or req.page != 1:
        return False
    if plan is not None and (plan.reading.found or plan.reading.guarded):
        return False
    content = [c for c in ranking.concept_list if c.typed[0] != "need" and c.weight >= 1.0]
    if not content:
        return False
    lexicon = load_needs().lexicon
    if not ranked:
        return bool(foreign_words(ranking.scorer, content, lexicon))
    best = ranked[0][1]
    matched = sum(1 for concept in content if _holds(ranking.scorer, _without_corrections(concept), best))
    if matched == len(content):
        return False  # (a foreign word is held by no listing, so there is none)
    foreign = foreign_words(ranking.scorer, content, lexicon)
    if len(foreign) >= MODIFIER_MIN_FOREIGN and len(foreign) * 2 >= len(content):
        return True
    if not any(_known_to_needs(lexicon, w) for c in content for w in c.typed):
        return True
    if matched * 2 >= len(content):
        return False
    return len(content) <= WEAK_RULE_MAX_WORDS or bool(foreign)


#: A typo correction of a typed word is no match when the typed word is at least this share as
#: common as the correction: "wedding" is no misspelling of "ending", "senor" may be of "senior".
COMMON_SHARE = 0.1


def _without_corrections(concept: Concept) -> Concept:
    """``concept`` without the typo corrections of a word about as common as the correction
    (:data:`COMMON_SHARE`); those of a rare or unknown word (a likely misspelling) are kept."""
    if len(concept.typed) != 1 or not is_known(concept.typed[0]):
        return concept
    typed = english_count(concept.typed[0])
    kept = tuple(a for a in concept.alternatives
                 if a.kind != "fuzzy" or typed < COMMON_SHARE * english_count(" ".join(a.words)))
    return dataclasses.replace(concept, alternatives=kept) if kept else concept


def _holds(scorer: Scorer, concept: Concept, doc: int) -> bool:
    """Whether document ``doc`` matches ``concept``."""
    vector = scorer.concept_vector(concept)
    return vector is not None and bool(vector[doc] > 0)


def _known_to_needs(lexicon: Lexicon, word: str) -> bool:
    """Whether the needs data know ``word``, as typed or misspelt."""
    folded = fold(word)
    return lexicon.in_vocabulary(folded) or bool(lexicon.corrections(folded))


def _out_of_scope(view: IndexView, leaves: Leaves, req: Effective, ranking: _Ranking,
                  unmet: tuple[str, ...] = ()) -> _Cached:
    """The answer to a text that asks only for needs no listing serves: no listing shown as if it
    matched, the pinned crisis lines (if any), and the unmet needs' categories (``unmet`` when
    given, else those of the plan)."""
    stale = stale_mask(view, leaves, req.today, req.stale_after_days)
    start = (req.page - 1) * req.per_page
    page = ranking.pinned[start:start + req.per_page]
    hits = [_hit(view, leaves, ranking.filters.distances, stale, req, query_forms(()), d, 1.0, True) for d in page]
    plan = ranking.plan
    results = SearchResults(
        query=req.q, total=len(ranking.pinned), page=req.page, per_page=req.per_page, hits=hits,
        facets={"category": {}}, crisis=ranking.crisis, needs=plan.reading.keys if plan is not None else (),
        unmet_needs=unmet or (plan.unmet_categories if plan is not None else ()), out_of_scope=True, covered=view.lexicon(leaves, "categories"),
    )
    return _Cached(results, tuple(page))


def _related_concept(crisis: CrisisMatch) -> Concept:
    alternatives = tuple(
        Alternative(phrase, RELATED_WEIGHT, "synonym") for line in crisis.lines for phrase in line.related
    )
    return Concept(("crisis",), alternatives, False)


def _category_counts(view: IndexView, leaves: Leaves, candidates: np.ndarray) -> dict[str, int]:
    counts = {}
    for slug in view.lexicon(leaves, "categories"):
        n = int(np.count_nonzero(candidates & view.term_mask(leaves, "categories", slug)))
        if n:
            counts[slug] = n
    return counts


def _hit(
    view: IndexView,
    leaves: Leaves,
    distances: np.ndarray | None,
    stale: np.ndarray,
    req: Effective,
    forms: QueryForms,
    docnum: int,
    score: float,
    crisis: bool,
    best_match: bool = True,
) -> Hit:
    stored = view.stored_fields(leaves, docnum)
    texts = [stored.get("description_es", ""), stored.get("description", "")]
    if req.lang != "es":
        texts.reverse()
    texts += [stored.get("name_es", "") if req.lang == "es" else "", stored.get("name", "")]
    best = ("", -1)
    for text in texts:
        if text:
            snippet, matches = highlight(text, forms)
            if matches > best[1]:
                best = (snippet, matches)
            if matches > 0:
                break
    distance = float(distances[docnum]) if distances is not None else None
    return Hit(
        service_id=stored.get("id", ""),
        score=round(float(score), 6),
        snippet=best[0],
        distance_km=round(distance, 2) if distance is not None and np.isfinite(distance) else None,
        open_now=view.open_flag(leaves, docnum, req.now),
        stale=bool(stale[docnum]),
        crisis=crisis,
        best_match=best_match,
    )


def _suggest(scorer: Scorer, concepts: tuple[Concept, ...], parsed_words: tuple[str, ...]) -> str | None:
    """The query with each unknown word replaced by its best vocabulary correction, if any."""
    replacements: dict[str, str] = {}
    for concept in concepts:
        for word in concept.typed:
            if word in FILLER or scorer.in_vocabulary(word):
                continue
            found = scorer.corrections(word)
            if found:
                replacements[word] = found[0][0]
    if not replacements:
        return None
    return " ".join(replacements.get(w, w) for w in parsed_words)
