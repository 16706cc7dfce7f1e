"""Highlighted snippets: the part of a listing's text that best matches the query.

The text is escaped here (``html.escape``) and only the ``<mark>`` tags are added, so a snippet
is safe to put in a page as it is, whatever the listing's text holds.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

from whoosh.lang import stemmer_for_language

from search_index.analysis import TOKEN_PATTERN, fold

#: Words in a snippet window.
WINDOW_WORDS = 28
#: Longest snippet, in characters of the original text.
MAX_CHARS = 260

_TOKEN = re.compile(TOKEN_PATTERN, re.UNICODE)
_stem_en = stemmer_for_language("en")
_stem_es = stemmer_for_language("es")


@functools.lru_cache(maxsize=50000)
def word_forms(word: str) -> frozenset[str]:
    """The folded word and its English and Spanish stems (how a query word can match it)."""
    folded = fold(word)
    return frozenset((folded, "en:" + _stem_en(folded), "es:" + _stem_es(folded)))


def query_forms(words: Iterable[str]) -> frozenset[str]:
    """All forms of the query's words (typed, synonyms, typo corrections)."""
    forms: set[str] = set()
    for word in words:
        forms |= word_forms(word)
    return frozenset(forms)


def highlight(text: str, forms: frozenset[str], *, window: int = WINDOW_WORDS) -> tuple[str, int]:
    """An HTML-safe snippet of ``text`` around its best run of matches, and how many it shows.

    Matching words are wrapped in ``<mark>``; text before and after the window is elided with
    "…". Without matches the snippet is the start of the text.
    """
    if not text:
        return "", 0
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if not tokens:
        return html.escape(text[:MAX_CHARS]), 0
    matched = [bool(word_forms(text[s:e]) & forms) for s, e in tokens]
    best_start, best_count, count = 0, -1, 0
    for i, hit in enumerate(matched):
        count += hit
        if i >= window:
            count -= matched[i - window]
        if count > best_count:
            best_count, best_start = count, max(0, i - window + 1)
    if best_count <= 0:
        best_start, best_count = 0, 0
    # start the window a little before its first match when it can
    first = next((i for i in range(best_start, min(best_start + window, len(tokens))) if matched[i]), best_start)
    best_start = max(0, min(best_start, first - 3))
    stop = min(len(tokens), best_start + window)
    begin = tokens[best_start][0] if best_start > 0 else 0
    end = tokens[stop - 1][1] if stop < len(tokens) else len(text)
    if end - begin > MAX_CHARS:
        end = begin + MAX_CHARS
    parts = ["…"] if begin > 0 else []
    cursor = begin
    for i in range(best_start, stop):
        s, e = tokens[i]
        if s >= end:
            break
        if matched[i] and e <= end:
            parts.append(html.escape(text[cursor:s]))
            parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
            cursor = e
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts).strip(), max(best_count, 0)
