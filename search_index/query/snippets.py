"""Highlighted snippets: the part of a listing's text that best matches the query.

The text is escaped here and only ``<mark>`` tags are added, so a snippet is HTML-safe. Words
match by the forms the search uses (folded, English and Spanish stems): a regular expression of
the forms' first letters finds candidate words, then checked exactly.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from search_index.engine.analysis import TOKEN_PATTERN, fold, stemmer

#: Longest snippet, in characters of the original text.
MAX_CHARS = 260
#: How much of a long text is searched for the best window.
MAX_SCANNED = 4000
#: Letters of a form that a candidate word must start with.
HEAD_LETTERS = 4

_TOKEN = re.compile(TOKEN_PATTERN, re.UNICODE)
_stem_en = stemmer("en")
_stem_es = stemmer("es")


@functools.lru_cache(maxsize=50000)
def word_forms(word: str) -> frozenset[str]:
    """The folded word and its English and Spanish stems (kept per process: the stemmers took a
    sixth of an API search's time)."""
    folded = fold(word)
    return frozenset((folded, "en:" + _stem_en(folded), "es:" + _stem_es(folded)))


@dataclass(frozen=True)
class QueryForms:
    """All forms of a query's words, and their first letters (``heads``), longest first."""

    forms: frozenset[str]
    heads: tuple[str, ...]


def query_forms(words: Iterable[str]) -> QueryForms:
    """All forms of the query's words (typed, synonyms, typo corrections), once per search."""
    forms: set[str] = set()
    for word in words:
        forms |= word_forms(word)
    heads = {f.split(":", 1)[-1][:HEAD_LETTERS] for f in forms} - {""}
    return QueryForms(frozenset(forms), tuple(sorted(heads, key=len, reverse=True)))


def _candidates(searchable: str, heads: tuple[str, ...]) -> list[int]:
    """Where a head begins a word of ``searchable``, in order, none within the longest head found
    at the one before: what ``re.finditer`` of ``(?<!\w)(?:head|...)`` finds (longest first),
    without compiling a pattern per search (0.1-0.6 ms each, most of a snippet's time)."""
    found: dict[int, int] = {}
    for head in heads:
        at = searchable.find(head)
        while at >= 0:
            if at not in found and (at == 0 or not (searchable[at - 1].isalnum() or searchable[at - 1] == "_")):
                found[at] = len(head)
            at = searchable.find(head, at + 1)
    starts: list[int] = []
    for at in sorted(found):
        if not starts or at >= starts[-1] + found[starts[-1]]:
            starts.append(at)
    return starts


def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char.lower())
    kept = "".join(c for c in base if not unicodedata.combining(c))
    return kept if len(kept) == 1 else char.lower()[:1] or char


class _Folding(dict[int, str]):
    """A :meth:`str.translate` table: each character lower-cased and accent-folded to one."""

    def __missing__(self, code: int) -> str:
        return _fold_char(chr(code))


_FOLDING = _Folding({code: _fold_char(chr(code)) for code in range(0x250)})


def _searchable(text: str) -> str:
    """``text`` lower-cased and accent-folded character by character (same length, same offsets)."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLDING)


def _word_start(text: str, position: int) -> int:
    """``position`` moved back to the start of the word it falls in (a little at most)."""
    space = text.rfind(" ", max(0, position - 30), position)
    return space + 1 if space >= 0 else position


def _word_end(text: str, begin: int, position: int) -> int:
    """``position`` moved back to the end of the last whole word before it."""
    space = text.rfind(" ", begin, position)
    return space if space > begin else position


def highlight(text: str, query: QueryForms, *, window: int = MAX_CHARS) -> tuple[str, int]:
    """An HTML-safe snippet of at most ``window`` characters of ``text`` where the most matching
    words fall (its start without matches), matches in ``<mark>``, cuts marked "…"; and how many
    matches it shows."""
    if not text:
        return "", 0
    text = text[:MAX_SCANNED]
    hits: list[tuple[int, int]] = []
    if query.heads:
        for start in _candidates(_searchable(text), query.heads):
            token = _TOKEN.match(text, start)
            if token is not None and word_forms(token.group()) & query.forms:
                hits.append(token.span())
    if len(text) <= window:
        begin, end = 0, len(text)
    else:
        begin = 0
        if hits:
            best, best_count, j = 0, 0, 0
            for i, (start, _) in enumerate(hits):  # windows beginning a little before a hit
                limit = start + window - 40
                while j < len(hits) and hits[j][0] < limit:
                    j += 1
                if j - i > best_count:
                    best, best_count = i, j - i
            begin = _word_start(text, max(0, hits[best][0] - 40))
        end = min(len(text), begin + window)
        if end < len(text):
            end = _word_end(text, begin, end)
    shown = [(s, e) for s, e in hits if begin <= s and e <= end]
    parts = ["…"] if begin > 0 else []
    cursor = begin
    for s, e in shown:
        parts.append(html.escape(text[cursor:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts).strip(), len(shown)
