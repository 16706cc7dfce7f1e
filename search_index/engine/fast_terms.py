"""Faster term extraction, with the same result as Whoosh's ``field.index()``.

For a TEXT field that stores frequencies only (no positions) and whose analyzer is a regular
expression tokenizer followed by filters that each look at one token alone (lower case, accent
folding, stop words, stemming), the terms of a text are the multiset of the terms of its words.
Whoosh runs every word of every document through the chain of generators; on a rebuild that is
the largest single cost. :func:`term_counter` instead finds the words with the tokenizer's own
regular expression, counts them, and analyses each *distinct* word once, through the field's
real analyzer, remembering the result. :func:`fast_index` turns those counts into exactly the
``(term bytes, frequency, weight, value bytes)`` tuples Whoosh's ``field.index()`` yields, in
the same order (first occurrence). Fields of any other shape are left to Whoosh.
``tests/test_index_fast_terms.py`` compares both paths on generated text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.fields import FieldType
from whoosh.formats import Frequency
from whoosh.system import pack_uint

#: Filters that decide about one token without looking at others.
PER_TOKEN_FILTERS = (LowercaseFilter, CharsetFilter, StopFilter, StemFilter)

#: Distinct words remembered per field (a directory's vocabulary is far smaller).
MAX_WORDS = 500_000

Postings = Iterator[tuple[bytes, int, float, bytes]]
TermCounts = dict[bytes, int]


def _tokenizer(field: FieldType) -> RegexTokenizer | None:
    """The field's tokenizer when the fast path gives Whoosh's result exactly, else None."""
    analyzer = getattr(field, "analyzer", None)
    if type(field.format) is not Frequency or not isinstance(analyzer, CompositeAnalyzer):
        return None
    first, rest = analyzer.items[0], analyzer.items[1:]
    if type(first) is not RegexTokenizer or first.gaps:
        return None
    if not all(type(item) in PER_TOKEN_FILTERS for item in rest):
        return None
    return first


def word_splitter(field: FieldType) -> Callable[[str], list[str]] | None:
    """The words of a text as ``field``'s tokenizer finds them, or None when the field's analysis
    is not of the shape that makes word-at-a-time analysis exact (see the module docstring)."""
    tokenizer = _tokenizer(field)
    if tokenizer is None:
        return None
    expression = tokenizer.expression
    if expression.groups == 0:
        return expression.findall  # type: ignore[no-any-return]

    def find_words(value: str) -> list[str]:
        return [match.group(0) for match in expression.finditer(value)]

    return find_words


def analyze_word(analyzer: Any, word: str) -> tuple[bytes, ...]:
    """The index terms (UTF-8) ``analyzer`` makes of the single word ``word``."""
    return tuple(t.text.encode("utf-8") for t in analyzer(word, mode="index", boosts=True) if not t.stopped)


def analyze_words(analyzer: Any, words: list[str]) -> list[tuple[bytes, ...]]:
    """The terms of each of ``words``, as :func:`analyze_word` gives them, in one pass.

    The words go through the analyzer joined by spaces, stop words kept and marked (so every
    word gives one token); the result is used only when the tokens are exactly the words,
    otherwise each word is analysed alone.
    """
    tokens = [
        (t.original, None if t.stopped else t.text)
        for t in analyzer(" ".join(words), mode="index", boosts=True, removestops=False, keeporiginal=True)
    ]
    if len(tokens) != len(words) or any(original != word for (original, _), word in zip(tokens, words)):
        return [analyze_word(analyzer, word) for word in words]
    return [() if text is None else (text.encode("utf-8"),) for _, text in tokens]


def term_counter(
    field: FieldType, words: dict[str, tuple[bytes, ...]] | None = None
) -> Callable[[str], TermCounts] | None:
    """``{term bytes: frequency}`` of a text for ``field`` (see the module docstring), or None
    when the field's analysis is not of the shape that makes this exact.

    Terms appear in the order of their first occurrence in the text, as in Whoosh. ``words``
    remembers the terms of each word; fields with the same analyzer may share one.
    """
    find_words = word_splitter(field)
    if find_words is None:
        return None
    analyzer = field.analyzer
    memo: dict[str, tuple[bytes, ...]] = {} if words is None else words

    def count(value: str) -> TermCounts:
        freqs: TermCounts = {}
        get = freqs.get
        for word, n in Counter(find_words(value)).items():
            terms = memo.get(word)
            if terms is None:
                terms = analyze_word(analyzer, word)
                if len(memo) < MAX_WORDS:
                    memo[word] = terms
            for term in terms:
                freqs[term] = get(term, 0) + n
        return freqs

    return count


def fast_index(field: FieldType) -> Callable[..., Postings] | None:
    """A drop-in ``field.index`` for ``field`` built on :func:`term_counter`, or None if unsafe."""
    count = term_counter(field)
    if count is None:
        return None
    boost = field.format.field_boost
    original = field.index

    def index(value: Any, **kwargs: Any) -> Postings:
        if kwargs or not isinstance(value, str):
            yield from original(value, **kwargs)
            return
        for term, freq in count(value).items():
            yield term, freq, float(freq) * boost, pack_uint(freq)

    return index
