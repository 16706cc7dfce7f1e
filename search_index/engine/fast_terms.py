"""Word-at-a-time analysis, with the same terms as Whoosh's ``field.index()``.

For a frequency-only TEXT field whose analyzer is a regular expression tokenizer followed by
per-token filters, the terms of a text are the multiset of the terms of its words, so
:func:`word_splitter` finds the words with the tokenizer's expression and :func:`analyze_words`
analyses each distinct word once through the real analyzer (the largest cost of a rebuild
otherwise). ``tests/test_index_fast_terms.py`` compares both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.fields import FieldType
from whoosh.formats import Frequency

#: Filters that decide about one token without looking at others.
PER_TOKEN_FILTERS = (LowercaseFilter, CharsetFilter, StopFilter, StemFilter)

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
    """The words of a text as ``field``'s tokenizer finds them, or None when word-at-a-time
    analysis would not be exact."""
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
    """The terms of each of ``words``, as :func:`analyze_word` gives them, in one analyzer pass."""
    tokens = [
        (t.original, None if t.stopped else t.text)
        for t in analyzer(" ".join(words), mode="index", boosts=True, removestops=False, keeporiginal=True)
    ]
    if len(tokens) != len(words) or any(original != word for (original, _), word in zip(tokens, words)):
        return [analyze_word(analyzer, word) for word in words]
    return [() if text is None else (text.encode("utf-8"),) for _, text in tokens]
