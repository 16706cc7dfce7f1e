"""Search: :func:`search` runs a :class:`SearchRequest` against a Whoosh searcher.

Flow: normalise the text -> concepts (synonyms, filler out) -> crisis check -> typo
alternatives from the index vocabulary -> BM25 scores with coverage -> filters -> facets ->
crisis lines pinned -> top of the list by score and quality factors -> snippets, distances,
open-now and stale flags -> a "did you mean" when results are few. Results are cached per index
state and request. ``search`` never raises: parameters it cannot use are clamped or dropped
(:func:`search_index.request.validate_request` is where bad input is rejected), and the text
never reaches a query parser.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_index.cache import ResultCache, default_cache
from search_index.crisis import CrisisMatch, CrisisRules, card_language, load_rules
from search_index.filters import build_filters
from search_index.ranking import (
    BEST_MATCH_SHARE,
    distance_factor,
    nearest_first,
    quality,
    stale_mask,
    top,
)
from search_index.request import (
    Effective,
    InvalidRequest,
    SearchRequest,
    effective,
    parse_request,
    validate_request,
)
from search_index.results import Hit, SearchResults
from search_index.revalidate import (
    Dependencies,
    Position,
    browse_dependencies,
    positions,
    remap,
    still_valid,
    text_dependencies,
)
from search_index.scoring import Scorer
from search_index.snippets import highlight, query_forms
from search_index.synonyms import load_synonyms
from search_index.understanding import FILLER, Alternative, Concept, parse_query
from search_index.view import IndexView, Leaves, view_for, view_of_state

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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _request_key(req: Effective) -> tuple[Any, ...]:
    near = (round(req.near[0], 4), round(req.near[1], 4)) if req.near else None
    minute = req.now.astimezone(dt.timezone.utc).replace(second=0, microsecond=0) if req.open_now else None
    return (
        req.q, req.categories, req.languages, req.open_now, near, req.zip_code, req.radius_km,
        req.free, req.age, req.walk_in, req.page, req.per_page, req.today, req.stale_after_days,
        req.lang, minute, req.precise, req.sort,
    )


@dataclasses.dataclass(frozen=True)
class _Cached:
    """A result with its hits' doc numbers in the state it was computed in, their positions
    (segment, local doc number) and what it depends on (None: not kept across commits)."""

    results: SearchResults
    docnums: tuple[int, ...]
    positions: tuple[Position, ...] | None = None
    depends: Dependencies | None = None


def search(
    searcher: Searcher,
    request: SearchRequest,
    *,
    cache: ResultCache | None = default_cache,
) -> SearchResults:
    """Run ``request`` on ``searcher`` (see the module docstring). Never raises.

    ``cache=None`` searches without the result cache.
    """
    req = effective(request, _now())
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


def _search(searcher: Searcher, req: Effective, cache: ResultCache | None) -> SearchResults:
    view, leaves = view_for(searcher)
    parsed = parse_query(req.q, load_synonyms())
    req = dataclasses.replace(req, q=parsed.text)
    key = _request_key(req)
    if cache is not None:
        cached = cache.get(view.key, key)
        if cached is None:
            cached = _carried_over(cache, key, view, leaves, req)
        if cached is not None:
            return _refresh_open_flags(cached, view, leaves, req.now)
    cached = _run(view, leaves, req, parsed.concepts, parsed.words)
    if cache is not None:
        cache.put(view.key, key, cached)
    return cached.results


def _carried_over(
    cache: ResultCache, key: tuple[Any, ...], view: IndexView, leaves: Leaves, req: Effective
) -> _Cached | None:
    """The result cached for ``key`` in an older state, if it is still exactly right in this
    one (:mod:`search_index.revalidate`), now kept for this state."""
    older = cache.older(key)
    if older is None:
        return None
    state, entry = older
    if entry.depends is None or entry.positions is None:
        return None
    old_view = view_of_state(state)
    if old_view is None or not still_valid(entry.depends, old_view, view, leaves):
        return None
    docnums = remap(view, entry.positions)
    if docnums is None:
        return None
    results = entry.results
    if entry.depends.category is not None:  # a browse counts every listing in its facets
        facets = {"category": _category_counts(view, leaves, view.live)}
        results = dataclasses.replace(results, facets=facets)
    carried = dataclasses.replace(entry, results=results, docnums=docnums)
    cache.put(view.key, key, carried, revalidated=True)
    return carried


def _refresh_open_flags(cached: _Cached, view: IndexView, leaves: Leaves, now: dt.datetime) -> SearchResults:
    hits = [
        dataclasses.replace(hit, open_now=view.open_flag(leaves, d, now)) if d >= 0 else hit
        for hit, d in zip(cached.results.hits, cached.docnums)
    ]
    return dataclasses.replace(cached.results, hits=hits)


def _crisis(
    rules: CrisisRules, view: IndexView, leaves: Leaves, text: str, lang: str
) -> tuple[CrisisMatch | None, list[int]]:
    found = rules.detect(text)
    if not found.lines:
        return None, []
    lines = tuple(rules.lines[key] for key in found.lines)
    assured = view.ints(leaves, "assured", 0)
    pinned: list[int] = []
    for line in lines:
        mask = np.zeros(view.doc_count, dtype=bool)
        for phone in line.phones:
            mask |= view.term_mask(leaves, "phones", phone)
        for code in line.taxonomy_codes:
            mask |= view.term_mask(leaves, "taxonomy_codes", code)
        if pinned:
            mask[pinned] = False
        docs = np.flatnonzero(mask)
        if docs.size:
            # The most recently verified listing of the line (the lowest doc number on a tie).
            best = docs[np.lexsort((docs, -assured[docs]))[0]]
            pinned.append(int(best))
    ids = tuple(view.stored_fields(leaves, d).get("id", "") for d in pinned)
    match = CrisisMatch(lines, ids, found.danger, found.now, card_language(lang, found.language), rules.words)
    return match, pinned


def _run(
    view: IndexView,
    leaves: Leaves,
    req: Effective,
    concepts: tuple[Concept, ...],
    words: tuple[str, ...],
) -> _Cached:
    table = load_synonyms()
    scorer = Scorer(view, leaves)
    filters = build_filters(view, leaves, req)
    crisis, pinned = _crisis(load_rules(), view, leaves, req.q, req.lang)

    # Raw scores; a crisis adds its lines' related listings as a concept.
    concept_list = scorer.with_typos(concepts, table) if concepts else []
    if crisis is not None and concept_list:
        concept_list.append(_related_concept(crisis))
    if concept_list:
        raw = scorer.score(concept_list).astype(np.float64)
        candidates = (raw > 0) & view.live
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
    total = int(np.count_nonzero(candidates)) + len(pinned)
    start = (req.page - 1) * req.per_page
    stop = start + req.per_page
    need_regular = max(0, stop - len(pinned))

    docs = np.flatnonzero(candidates) if need_regular else np.zeros(0, dtype=np.int64)
    final = raw[docs] * quality(view, leaves, req.today, req.stale_after_days)[docs]
    by_distance = req.sort == "distance" and filters.distances is not None
    if by_distance:
        # Nearest first among the best matches, then among the others (the score decides
        # which group a listing is in, its distance where in it).
        ranked = nearest_first(docs, final, filters.distances[docs], need_regular, tiebreak,
                               share=BEST_MATCH_SHARE if concept_list else 0.0)
    else:
        if filters.distances is not None:
            final *= distance_factor(filters.distances[docs])
        if tiebreak is not None:
            final -= tiebreak[docs] * (1e-7 / max(view.doc_count, 1))
        ranked = [(score, d, True) for score, d in top(docs, final, need_regular, tiebreak)]

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
        facets=facets,
        suggestion=suggestion,
        crisis=crisis,
        notices=("zip-unknown",) if filters.zip_unknown else (),
        sorted_by="distance" if by_distance else "relevance",
    )
    docnums = tuple(d for _, d, _, _ in page)
    depends = None
    if crisis is None and suggestion is None and req.zip_code is None:
        if concept_list:
            depends = text_dependencies(scorer, concept_list)
        elif _category_browse(req):
            depends = browse_dependencies(req.categories[0])
    return _Cached(results, docnums, positions(view, docnums), depends)


def _category_browse(req: Effective) -> bool:
    """Whether ``req`` lists one category and asks nothing else."""
    return (len(req.categories) == 1 and not req.languages and not req.open_now and req.near is None
            and not req.free and req.age is None and not req.walk_in)


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
    forms: frozenset[str],
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
