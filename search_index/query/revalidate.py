"""Keeping a cached result across an edit that cannot have changed it.

Every committed edit makes a new index state: the edited listing's old document is deleted, its
new one is added in a small segment, and now and then small segments are merged. The result
cache is keyed by state, so each edit used to empty it (every worker re-ran the kiosk tiles and
common words every second under a caseworker's steady editing).

A cached result of a text search is still exactly right in the new state when

* none of the documents that changed between the two states (deleted since, added since, or
  moved by a merge) holds any word the search scored or a taxonomy code of a need the text
  expresses, so no document entered or left the results and none of them changed score; and
* every word's field weights (field weight times its idf, rounded: see
  :data:`search_index.query.scoring.IDF_DECIMALS`) are the same, every typed word is still in the
  vocabulary and "very common" still means the same for it, so every other document keeps its
  score; and
* the segments holding the results keep their order, so ties are broken the same way.

A category browse (no text, only a category) is still right when no changed document is in that
category in either state. Searches with typo corrections, a crisis line, a "did you mean", a ZIP
code or other filters are not kept: they depend on more of the index than this checks.

:func:`dependencies` records what a result depends on when it is computed; :func:`still_valid`
checks it against the changes between the state it was computed in and the current one. When
the old state's view is no longer kept, or a postings list it needs is no longer cached, the
answer is "no" and the search runs again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from search_index.engine import segments
from search_index.query.need_ranking import covered_codes
from search_index.query.needs import CodeSet
from search_index.query.scoring import Scorer, field_terms
from search_index.query.understanding import Concept
from search_index.engine.view import IndexView, Leaves

#: A document position that does not depend on the state: (segment key, local doc number).
Position = tuple[str, int]


@dataclass(frozen=True)
class Dependencies:
    """What a cached result depends on (see the module docstring).

    ``words``: every word of every alternative scored, with its field weights' bytes;
    ``vocabulary``: the single typed words that had to be in the vocabulary; ``common``: the
    "very common" decision for each single-word concept; ``category``: for a category browse,
    the category (``words`` is then empty).
    """

    words: tuple[tuple[str, bytes], ...]
    vocabulary: tuple[str, ...]
    common: tuple[tuple[str, bool], ...]
    category: str | None = None
    codes: tuple[tuple[CodeSet, tuple[str, ...]], ...] = ()


def text_dependencies(scorer: Scorer, concepts: list[Concept],
                      needs: Iterable[CodeSet] = ()) -> Dependencies | None:
    """The dependencies of a text search over ``concepts`` (after typo handling) and the
    taxonomy codes of its ``needs``, or None when it cannot be kept across edits (a typo
    correction was used)."""
    if any(a.kind == "fuzzy" for c in concepts for a in c.alternatives):
        return None
    words = sorted({w for c in concepts for a in c.alternatives for w in a.words})
    return Dependencies(
        words=tuple((w, scorer.weight_signature(w)) for w in words),
        vocabulary=tuple(sorted({c.typed[0] for c in concepts if len(c.typed) == 1})),
        common=tuple(sorted((c.typed[0], scorer.is_common(c.typed[0]))
                            for c in concepts if len(c.typed) == 1 and len(c.alternatives) == 1)),
        codes=tuple((codes, covered_codes(scorer.view, scorer.leaves, codes)) for codes in dict.fromkeys(needs)),
    )


def browse_dependencies(category: str) -> Dependencies:
    """The dependencies of a browse of one category."""
    return Dependencies(words=(), vocabulary=(), common=(), category=category)


def positions(view: IndexView, docnums: Iterable[int]) -> tuple[Position, ...] | None:
    """``docnums`` of ``view`` as state-independent positions (None if one is out of range)."""
    out = []
    for docnum in docnums:
        found = view.position(docnum)
        if found is None:
            return None
        out.append(found)
    return tuple(out)


def remap(view: IndexView, kept: tuple[Position, ...]) -> tuple[int, ...] | None:
    """The doc numbers of positions ``kept`` in ``view`` (None if a segment is gone)."""
    offsets = {key: offset for key, offset, _count in view.segments}
    out = []
    for key, local in kept:
        offset = offsets.get(key)
        if offset is None:
            return None
        out.append(offset + local)
    return tuple(out)


def _changed(old: IndexView, new: IndexView) -> list[tuple[str, np.ndarray, bool]] | None:
    """The documents that changed from ``old`` to ``new``: ``(segment key, local doc numbers,
    in_new)`` groups, ``in_new`` telling whether the segment is in ``new`` (else only ``old``
    had it). None when the segments both have changed order."""
    new_segments = {key: (offset, count) for key, offset, count in new.segments}
    old_keys = {key for key, _offset, _count in old.segments}
    shared_old = [key for key, _o, _c in old.segments if key in new_segments]
    shared_new = [key for key, _o, _c in new.segments if key in old_keys]
    if shared_old != shared_new:
        return None
    groups: list[tuple[str, np.ndarray, bool]] = []
    for key, offset, count in old.segments:
        was_live = old.live[offset:offset + count]
        if key in new_segments:
            new_offset, _ = new_segments[key]
            gone = was_live & ~new.live[new_offset:new_offset + count]
            if gone.any():
                groups.append((key, np.flatnonzero(gone), True))
        elif was_live.any():
            groups.append((key, np.flatnonzero(was_live), False))
    for key, offset, count in new.segments:
        if key not in old_keys:
            live = np.flatnonzero(new.live[offset:offset + count])
            if live.size:
                groups.append((key, live, True))
    return groups


def _holds(ids: np.ndarray, docs: np.ndarray) -> bool:
    """Whether any of ``docs`` is among ``ids``."""
    if not ids.size or not docs.size:
        return False
    if docs.size <= 8:
        return any(bool((ids == d).any()) for d in docs.tolist())
    return bool(np.isin(docs, ids).any())


def still_valid(deps: Dependencies, old: IndexView, new: IndexView, leaves: Leaves) -> bool:
    """Whether a result computed in ``old`` with ``deps`` is exactly right in ``new`` (whose
    segment readers are ``leaves``)."""
    changed = _changed(old, new)
    if changed is None:
        return False
    readers = {segments.segment_key(leaf): leaf for leaf, _offset in leaves}
    for key, docs, in_new in changed:
        leaf = readers.get(key) if in_new else None
        if deps.category is not None:
            ids = (segments.doc_ids(leaf, "categories", deps.category) if leaf is not None
                   else segments.cached_doc_ids(key, "categories", deps.category))
            if ids is None or _holds(ids, docs):
                return False
            continue
        for word, _signature in deps.words:
            pairs = field_terms(word)
            if not pairs:
                continue
            postings = (segments.word_postings(leaf, word, pairs) if leaf is not None
                        else segments.cached_word_postings(key, word, pairs))
            if postings is None or _holds(postings.ids, docs):
                return False
        for code_set, old_codes in deps.codes:
            for code in covered_codes(new, leaves, code_set) if leaf is not None else old_codes:
                ids = (segments.doc_ids(leaf, "taxonomy_codes", code) if leaf is not None
                       else segments.cached_doc_ids(key, "taxonomy_codes", code))
                if ids is None or _holds(ids, docs):
                    return False
    if deps.category is not None:
        return True
    scorer = Scorer(new, leaves)
    return (all(scorer.weight_signature(word) == signature for word, signature in deps.words)
            and all(scorer.in_vocabulary(word) for word in deps.vocabulary)
            and all(scorer.is_common(word) == common for word, common in deps.common))
