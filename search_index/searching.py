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

from whoosh.searching import Searcher

from search_index.cache import ResultCache, default_cache
from search_index.crisis import CrisisMatch, CrisisRules, emergency_message, load_rules
from search_index.filters import build_filters
from search_index.ranking import Ranker, by_score
from search_index.request import (
    Effective,
    InvalidRequest,
    SearchRequest,
    effective,
    parse_request,
    validate_request,
)
from search_index.results import Hit, SearchResults
from search_index.scoring import Scorer
from search_index.snippets import highlight, query_forms
from search_index.synonyms import load_synonyms
from search_index.understanding import FILLER, Concept, parse_query
from search_index.view import IndexView, Leaves, view_for

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
        req.lang, minute,
    )


@dataclasses.dataclass(frozen=True)
class _Cached:
    results: SearchResults
    docnums: tuple[int, ...]


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
        from search_index.analysis import words

        lines, danger = load_rules().detect(words(req.q)[:64])
        crisis = CrisisMatch(lines, (), emergency_message(req.lang), danger) if lines else None
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
        if cached is not None:
            return _refresh_open_flags(cached, view, leaves, req.now)
    results, docnums = _run(searcher, view, leaves, req, parsed.concepts, parsed.words)
    if cache is not None:
        cache.put(view.key, key, _Cached(results, docnums))
    return results


def _refresh_open_flags(cached: _Cached, view: IndexView, leaves: Leaves, now: dt.datetime) -> SearchResults:
    hits = [
        dataclasses.replace(hit, open_now=view.open_flag(leaves, d, now)) if d >= 0 else hit
        for hit, d in zip(cached.results.hits, cached.docnums)
    ]
    return dataclasses.replace(cached.results, hits=hits)


def _crisis(
    rules: CrisisRules, view: IndexView, leaves: Leaves, searcher: Searcher, words: tuple[str, ...], lang: str
) -> tuple[CrisisMatch | None, list[int]]:
    lines, danger = rules.detect(list(words))
    if not lines:
        return None, []
    assured = view.ints(leaves, "assured")
    pinned: list[int] = []
    for line in lines:
        docs: set[int] = set()
        for phone in line.phones:
            docs |= view.term_docs(leaves, "phones", phone)
        for code in line.taxonomy_codes:
            docs |= view.term_docs(leaves, "taxonomy_codes", code)
        docs -= set(pinned)
        if docs:
            pinned.append(max(docs, key=lambda d: (assured[d] if d < len(assured) else 0, -d)))
    ids = tuple(searcher.stored_fields(d).get("id", "") for d in pinned)
    return CrisisMatch(lines, ids, emergency_message(lang), danger), pinned


def _run(
    searcher: Searcher,
    view: IndexView,
    leaves: Leaves,
    req: Effective,
    concepts: tuple[Concept, ...],
    words: tuple[str, ...],
) -> tuple[SearchResults, tuple[int, ...]]:
    table = load_synonyms()
    scorer = Scorer(view, leaves)
    filters = build_filters(view, leaves, req)
    crisis, pinned = _crisis(load_rules(), view, leaves, searcher, words, req.lang)

    # Candidates and their raw scores.
    concept_list = scorer.with_typos(concepts, table) if concepts else []
    if concept_list:
        scores, counts, n_concepts = scorer.score(concept_list)
        candidates: set[int] | frozenset[int] = scores.keys() - view.deleted if view.deleted else set(scores)
    else:
        scores, counts, n_concepts = {}, {}, 0
        candidates = view.all_docs()
    if filters.other is not None:
        candidates = candidates & filters.other
    if filters.exclude:
        candidates = candidates - filters.exclude

    # Facets before the category filter.
    facets = {"category": _category_counts(view, leaves, candidates)}
    if filters.category is not None:
        candidates = candidates & filters.category

    pinned_set = set(pinned)
    regular = candidates - pinned_set if pinned_set else candidates
    total = len(regular) + len(pinned)
    start = (req.page - 1) * req.per_page
    stop = start + req.per_page
    need_regular = max(0, stop - len(pinned))

    ranker = Ranker(view, leaves, req.today, req.stale_after_days, filters.origin)
    if concept_list:
        raw_of = by_score(scores, counts, n_concepts)
        raw = scores if not counts else {d: raw_of(d) for d in regular}
        ranked = ranker.top_scored(raw, regular, need_regular)
    else:
        ranked = ranker.top_browse(regular, need_regular)

    top_score = ranked[0][0] if ranked else 1.0
    ordered: list[tuple[float, int, bool]] = [(top_score + 1.0, d, True) for d in pinned]
    ordered += [(score, d, False) for score, d in ranked]
    page = ordered[start:stop]

    forms = query_forms(
        w for c in concept_list for a in c.alternatives for w in a.words if w not in FILLER
    )
    hits = [_hit(searcher, view, leaves, ranker, req, forms, d, score, is_pin) for score, d, is_pin in page]
    suggestion = _suggest(scorer, concepts, parsed_words=words) if concepts and total < SUGGEST_BELOW else None
    notices = ("zip-unknown",) if filters.zip_unknown else ()
    results = SearchResults(
        query=req.q,
        total=total,
        page=req.page,
        per_page=req.per_page,
        hits=hits,
        facets=facets,
        suggestion=suggestion,
        crisis=crisis,
        notices=notices,
    )
    return results, tuple(d for _, d, _ in page)


def _category_counts(view: IndexView, leaves: Leaves, candidates: Any) -> dict[str, int]:
    slugs = view.memo("category-slugs", lambda: _lexicon(leaves, "categories"))
    counts = {}
    for slug in slugs:
        docs = view.term_docs(leaves, "categories", slug)
        n = len(docs & candidates) if len(docs) < len(candidates) else len(candidates & docs)
        if n:
            counts[slug] = n
    return counts


def _lexicon(leaves: Leaves, field: str) -> tuple[str, ...]:
    found: set[str] = set()
    for leaf, _ in leaves:
        try:
            found.update(t.decode("utf-8") if isinstance(t, bytes) else t for t in leaf.lexicon(field))
        except Exception:  # noqa: BLE001 - the field has no terms in this segment
            continue
    return tuple(sorted(found))


def _hit(
    searcher: Searcher,
    view: IndexView,
    leaves: Leaves,
    ranker: Ranker,
    req: Effective,
    forms: frozenset[str],
    docnum: int,
    score: float,
    crisis: bool,
) -> Hit:
    stored = searcher.stored_fields(docnum)
    texts = [stored.get("description_es", ""), stored.get("description", "")]
    if req.lang != "es":
        texts.reverse()
    best = ("", -1)
    for text in texts + [stored.get("name_es", "") if req.lang == "es" else "", stored.get("name", "")]:
        if text:
            snippet, matches = highlight(text, forms)
            if matches > best[1]:
                best = (snippet, matches)
            if matches > 0:
                break
    distance = ranker.distance(docnum)
    return Hit(
        service_id=stored.get("id", ""),
        score=round(float(score), 6),
        snippet=best[0],
        distance_km=None if distance is None else round(distance, 2),
        open_now=view.open_flag(leaves, docnum, req.now),
        stale=ranker.is_stale(docnum),
        crisis=crisis,
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
