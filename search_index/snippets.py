"""Highlighted snippets: the part of a listing's text that best matches the query.

The text is escaped here (``html.escape``) and only the ``<mark>`` tags are added, so a snippet
is safe to put in a page as it is, whatever the listing's text holds.

Matching is by the same forms the search uses (folded word, English stem, Spanish stem), so
"shelters" is marked for "shelter" and "Guardería" for "guarderia". To stay fast on long texts a
regular expression of the forms' first letters finds the candidate words, which are then checked
exactly.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable

from whoosh.lang import stemmer_for_language

from search_index.analysis import TOKEN_PATTERN, fold

#: Words in a snippet window.
WINDOW_WORDS = 28
#: Longest snippet, in characters of the original text.
MAX_CHARS = 260
#: How much of a long text is searched for the best window.
MAX_SCANNED = 4000
#: Letters of a form that a candidate word must start with.
HEAD_LETTERS = 4

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


@functools.lru_cache(maxsize=1024)
def _candidates(forms: frozenset[str]) -> re.Pattern[str] | None:
    heads = {f.split(":", 1)[-1][:HEAD_LETTERS] for f in forms}
    heads.discard("")
    if not heads:
        return None
    alternation = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char.lower())
    kept = "".join(c for c in base if not unicodedata.combining(c))
    return kept if len(kept) == 1 else char.lower()[:1] or char


def _searchable(text: str) -> str:
    """``text`` lower-cased and accent-folded character by character (same length, same offsets)."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


def highlight(text: str, forms: frozenset[str], *, window: int = WINDOW_WORDS) -> tuple[str, int]:
    """An HTML-safe snippet of ``text`` around its best run of matches, and how many it shows.

    Matching words are wrapped in ``<mark>``; text before and after the window is elided with
    "…". Without matches the snippet is the start of the text.
    """
    if not text:
        return "", 0
    text = text[:MAX_SCANNED]
    tokens = [m.span() for m in _TOKEN.finditer(text)]
    if not tokens:
        return html.escape(text[:MAX_CHARS]), 0
    hits: list[int] = []
    pattern = _candidates(forms)
    if pattern is not None:
        index_of = {start: i for i, (start, _) in enumerate(tokens)}
        for m in pattern.finditer(_searchable(text)):
            i = index_of.get(m.start())
            if i is not None and word_forms(text[tokens[i][0] : tokens[i][1]]) & forms:
                hits.append(i)
    best_start, best_count = 0, 0
    j = 0
    for k, i in enumerate(hits):  # the window starting at each hit, counting hits inside it
        while hits[j] < i:
            j += 1
        count = 0
        for other in hits[k:]:
            if other >= i + window:
                break
            count += 1
        if count > best_count:
            best_start, best_count = i, count
    marked = set(hits)
    best_start = max(0, best_start - 3) if best_count else 0
    if len(text) <= MAX_CHARS:
        best_start, window = 0, len(tokens)  # short text: all of it
    stop = min(len(tokens), best_start + window)
    begin = tokens[best_start][0] if best_start > 0 else 0
    end = tokens[stop - 1][1] if stop < len(tokens) else len(text)
    end = min(end, begin + MAX_CHARS)
    parts = ["…"] if begin > 0 else []
    cursor = begin
    for i in range(best_start, stop):
        s, e = tokens[i]
        if s >= end:
            break
        if i in marked and e <= end:
            parts.append(html.escape(text[cursor:s]))
            parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
            cursor = e
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    shown = sum(1 for i in hits if best_start <= i < stop)
    return "".join(parts).strip(), shown
